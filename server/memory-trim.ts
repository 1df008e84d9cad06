/**
 * Memory back after a crowd. A burst of connections (a class arriving, a school's Wi-Fi coming
 * back) grows V8's heap, and V8 keeps those pages until memory runs short: two minutes after
 * 10,000 connections came and went, a server held twice its idle RSS with most of it free heap.
 *
 * So: when the open connections have fallen by at least `dropAtLeast` from their peak, to half of
 * it or less, and stayed there for `afterMs`, run the collection V8 runs when memory runs out (a
 * full one that also returns the freed pages to the system). Once per crowd: the peak starts
 * again from what is open then. It needs Node's `--expose-gc`; without it, nothing happens.
 *
 * Then, on the next turn, where it is given `release` (glibc's `malloc_trim`,
 * server/native/malloc-trim.ts), the allocator's free pages go back too: the crowd's socket buffers
 * were `malloc`ed, and glibc keeps what they took long after they are freed (290 MB held for 20 MB
 * in use, measured).
 */

export type CollectGarbage = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

export interface TrimOptions {
  /** Connections open now. */
  open: () => number;
  dropAtLeast: number;
  afterMs: number;
  /** Node's `gc` (`--expose-gc`); default `globalThis.gc`. */
  gc?: CollectGarbage | undefined;
  /** Gives the allocator's free pages back to the system after the collection; true when it did. */
  release?: (() => boolean) | undefined;
  /** Told after each collection: the peak, the connections open, RSS before and after. */
  onTrim?: (info: TrimInfo) => void;
  now?: () => number;
}

export interface TrimInfo {
  peak: number;
  open: number;
  rssBefore: number;
  rssAfter: number;
  /** Whether `release` gave pages back; undefined without one. */
  released: boolean | undefined;
  /** How long the collection held the event loop, in ms; then the release, on a later turn. */
  gcMs: number;
  releaseMs: number;
}

export interface Trimmer {
  /** Looks at the connections now (the interval calls it; tests may too). */
  check(): void;
  close(): void;
}

export function trimAfterCrowds(o: TrimOptions): Trimmer {
  const gc = o.gc ?? (globalThis as { gc?: CollectGarbage }).gc;
  const now = o.now ?? (() => performance.now());
  let peak = 0;
  let lowSince: number | undefined;
  const check = (): void => {
    const open = o.open();
    if (open >= peak) {
      peak = open;
      lowSince = undefined;
      return;
    }
    if (peak - open < o.dropAtLeast || open > peak / 2) {
      lowSince = undefined;
      return;
    }
    lowSince ??= now();
    if (now() - lowSince < o.afterMs) return;
    const rssBefore = process.memoryUsage.rss();
    const t0 = performance.now();
    gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    const gcMs = performance.now() - t0;
    const crowd = peak;
    const report = (released: boolean | undefined, releaseMs: number) =>
      o.onTrim?.({
        peak: crowd,
        open,
        rssBefore,
        rssAfter: process.memoryUsage.rss(),
        released,
        gcMs,
        releaseMs,
      });
    const release = o.release;
    if (release === undefined) report(undefined, 0);
    else {
      // On a turn of its own: the loop answers what waited during the collection first.
      setImmediate(() => {
        const t1 = performance.now();
        const released = release();
        report(released, performance.now() - t1);
      });
    }
    peak = open;
    lowSince = undefined;
  };
  if (o.dropAtLeast <= 0 || !gc) return { check: () => {}, close: () => {} };
  const timer = setInterval(check, Math.min(5_000, o.afterMs / 6));
  timer.unref();
  return { check, close: () => clearInterval(timer) };
}
