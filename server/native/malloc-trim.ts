/**
 * glibc's `malloc_trim(0)`, through the small addon in server/native/malloc-trim (built when the
 * project is installed: server/native/build.ts).
 *
 * Why: Node reads and writes sockets through buffers glibc's `malloc` hands out. After a crowd of
 * connections has come and gone, glibc keeps nearly all the memory they took — it gives back only
 * the top of its heap, and what is still alive is scattered through the rest. Measured after
 * 10,000 connections (docs/performance.md): 290 MB held for 20 MB in use; this call gave 158 MB
 * back to the system. It walks the heap once, so it is called once per crowd, not routinely.
 */
import { createRequire } from 'node:module';

export interface MallocTrim {
  /** Returns the free pages of glibc's heap to the system; true when any were given back. */
  trim: (() => boolean) | undefined;
  /** Why there is no `trim`. */
  why: string;
}

const ADDON = './malloc-trim/build/Release/malloc_trim.node';

/** Linux with glibc (not musl): Node's own report names the glibc it runs on. */
export function onGlibc(): boolean {
  if (process.platform !== 'linux') return false;
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  return Boolean(report.header?.glibcVersionRuntime);
}

let loaded: MallocTrim | undefined;

/** The addon, or undefined and why not (not glibc; not built). */
export function mallocTrim(): MallocTrim {
  loaded ??= load();
  return loaded;
}

function load(): MallocTrim {
  try {
    const addon = createRequire(import.meta.url)(ADDON) as { trim?: unknown; supported?: unknown };
    if (typeof addon.trim !== 'function') return { trim: undefined, why: 'the addon has no trim()' };
    if (addon.supported !== true) return { trim: undefined, why: 'not glibc' };
    const call = addon.trim as () => boolean;
    return { trim: () => call() === true, why: '' };
  } catch {
    return { trim: undefined, why: 'the addon is not built (npm install builds it)' };
  }
}
