/**
 * One session's QuickJS runtime: the learner's code, evaluated after the prelude, with the
 * memory, stack and CPU bounds set on the runtime itself.
 *
 * A runtime that hit a limit is never called again (STACK-NOTES: after an out-of-memory the same
 * context returned empty errors for later calls). One whose host stack overflowed inside
 * WebAssembly (a `RangeError` from the host, not a guest error) is in an unknown state: it is
 * abandoned without `dispose()`, since freeing it would walk the same broken structures.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten';
import { PRELUDE } from './prelude.ts';
import type { GuestError, SandboxLimits } from './protocol.ts';

/** Our own prelude is not the learner's code: it gets time enough on a cold, busy machine. */
const PRELUDE_BUDGET_MS = 2_000;

/** CPU time of this thread, in ms (Node ≥ 23.9). */
function threadCpuMs(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}

/** The file name the learner's code is evaluated under: stack lines read `mine.js:3:7`. */
export const SOURCE_NAME = 'mine.js';

/**
 * What the prelude's host functions do; worker.ts implements them. A string return is an error
 * thrown in the guest. Bytes arrive as a Uint8Array copied out of the guest's memory: the host
 * never keeps a view of it.
 */
export interface HostCalls {
  status(rid: number, status: number): string | undefined;
  getStatus(rid: number): number;
  header(rid: number, name: string, value: string): string | undefined;
  write(rid: number, data: string | Uint8Array): string | undefined;
  flush(rid: number): string | undefined;
  end(rid: number, data: string | Uint8Array): string | undefined;
  fail(owner: number, error: GuestError): void;
  log(level: string, text: string): void;
  setTimer(id: number, ms: number, repeat: boolean): string | undefined;
  clearTimer(id: number): void;
  append(json: string): string | undefined;
  read(call: number, since: number): string | undefined;
  subscribe(on: boolean): void;
  wsSend(rid: number, data: string | Uint8Array): string | undefined;
  wsClose(rid: number, code: number, reason: string): string | undefined;
}

/** The entry points of the prelude the worker calls. */
export type Entry = 'request' | 'closed' | 'fire' | 'feed' | 'read' | 'wsOpen' | 'wsMessage' | 'wsClosed';

/** An argument to an entry point: bytes become an ArrayBuffer of the guest's own (a copy). */
export type EntryArg = number | string | Uint8Array;

/**
 * How a call into the guest went. `limit`: a bound tripped (the runtime must go). `fault`: the
 * host failed inside WebAssembly (the runtime is abandoned).
 */
export type CallOutcome =
  | { kind: 'ok'; cpuMs: number }
  | { kind: 'limit'; cpuMs: number; error: GuestError; bound: 'cpu' | 'memory' | 'stack' }
  | { kind: 'fault'; cpuMs: number; message: string };

export interface Runtime {
  call(entry: Entry, args: ReadonlyArray<EntryArg>): CallOutcome;
  /** Frees the runtime (never after a fault). */
  dispose(): void;
}

/** Reads the learner's line and column from a QuickJS stack (`at f (mine.js:3:7)` or `at mine.js:3:7`). */
export function guestError(name: string, message: string, stack: string, lineNumber?: unknown): GuestError {
  const m = new RegExp(`${SOURCE_NAME.replace('.', '\\.')}:(\\d+)(?::(\\d+))?`).exec(stack);
  const line = m ? Number(m[1]) : typeof lineNumber === 'number' ? lineNumber : null;
  const column = m?.[2] ? Number(m[2]) : null;
  return { name, message, line, column };
}

/** Which bound a QuickJS InternalError means, if any. */
function limitOf(error: GuestError, interrupted: boolean): 'cpu' | 'memory' | 'stack' | null {
  if (interrupted) return 'cpu';
  if (error.name !== 'InternalError') return null;
  if (error.message === 'out of memory') return 'memory';
  if (error.message === 'stack overflow') return 'stack';
  if (error.message === 'interrupted') return 'cpu';
  return null;
}

/**
 * Creates a runtime, runs the prelude and the learner's `source`. Returns the runtime, or the
 * learner's error (a syntax error, a throw at top level, a bound hit while starting).
 */
export function createRuntime(
  module: QuickJSWASMModule,
  source: string,
  limits: SandboxLimits,
  host: HostCalls,
): { ok: true; runtime: Runtime } | { ok: false; error: GuestError; fault: boolean } {
  const rt: QuickJSRuntime = module.newRuntime();
  rt.setMemoryLimit(limits.sandboxMemoryBytes);
  rt.setMaxStackSize(limits.sandboxStackBytes);
  // The bound is CPU time, not wall time: a busy machine that preempts this thread must not
  // interrupt a learner's short callback. The wall clock is read first because it is cheap;
  // only once it passes the budget is the thread's CPU time asked (a system call).
  let deadline = Number.POSITIVE_INFINITY;
  let cpuStart = 0;
  let budget = 0;
  let interrupted = false;
  // QuickJS calls this every few thousand operations, also inside a regex match.
  rt.setInterruptHandler(() => {
    if (performance.now() < deadline) return false;
    const used = threadCpuMs() - cpuStart;
    if (used < budget) {
      deadline = performance.now() + (budget - used);
      return false;
    }
    interrupted = true;
    return true;
  });
  const ctx: QuickJSContext = rt.newContext();
  let entries: QuickJSHandle | undefined;
  let broken = false;

  const free = (): void => {
    if (broken) return; // abandoned: see the file comment
    entries?.dispose();
    ctx.dispose();
    rt.dispose();
  };

  /** Runs `fn` under the CPU bound, then the promise jobs it queued, and reads the outcome. */
  const guarded = (
    fn: () => QuickJSHandle | { error: QuickJSHandle } | undefined,
    budgetMs: number,
  ): CallOutcome => {
    cpuStart = threadCpuMs();
    budget = budgetMs;
    deadline = performance.now() + budgetMs;
    interrupted = false;
    let error: GuestError | null = null;
    try {
      const result = fn();
      if (result && 'error' in result) error = dumpError(ctx, result.error);
      else result?.dispose();
      if (!error) {
        const jobs = rt.executePendingJobs();
        if (jobs.error) error = dumpError(ctx, jobs.error);
      }
    } catch (err) {
      broken = true;
      return {
        kind: 'fault',
        cpuMs: threadCpuMs() - cpuStart,
        message: (err as Error)?.message ?? String(err),
      };
    } finally {
      deadline = Number.POSITIVE_INFINITY;
    }
    const cpuMs = threadCpuMs() - cpuStart;
    // The guest may catch a bound's error and carry on: the interrupt flag still tells.
    const bound = error ? limitOf(error, interrupted) : interrupted ? 'cpu' : null;
    if (bound) {
      return {
        kind: 'limit',
        cpuMs,
        bound,
        error: error ?? { name: 'InternalError', message: 'interrupted', line: null, column: null },
      };
    }
    // Other guest errors were reported by the prelude (it catches them per owner).
    return { kind: 'ok', cpuMs };
  };

  const hostObject = buildHost(ctx, host);
  let started: CallOutcome;
  let startError: GuestError | null = null;
  const prepared = guarded(() => {
    const prelude = ctx.evalCode(PRELUDE, 'prelude.js');
    if ('error' in prelude && prelude.error) return prelude;
    const fn = prelude.value;
    const made = ctx.callFunction(fn, ctx.undefined, hostObject);
    fn.dispose();
    if (made.error) return made;
    entries = made.value;
    return undefined;
  }, PRELUDE_BUDGET_MS);
  // The learner's top level runs under the same bound as any callback.
  started =
    prepared.kind !== 'ok'
      ? prepared
      : guarded(() => {
          const ran = ctx.evalCode(source, SOURCE_NAME);
          if (ran.error) {
            startError = dumpError(ctx, ran.error);
            return undefined;
          }
          return ran.value;
        }, limits.sandboxCpuMsPerCallback);
  hostObject.dispose();
  if (started.kind === 'fault') {
    return {
      ok: false,
      fault: true,
      error: { name: 'RangeError', message: started.message, line: null, column: null },
    };
  }
  if (started.kind === 'limit' || startError) {
    const error = started.kind === 'limit' ? started.error : (startError as unknown as GuestError);
    free();
    return { ok: false, fault: false, error };
  }

  return {
    ok: true,
    runtime: {
      call(entry, args) {
        if (broken || !entries) return { kind: 'fault', cpuMs: 0, message: 'this sandbox was abandoned' };
        const target = entries;
        return guarded(() => {
          const fn = ctx.getProp(target, entry);
          const handles = args.map((a) =>
            typeof a === 'number'
              ? ctx.newNumber(a)
              : typeof a === 'string'
                ? ctx.newString(a)
                : // newArrayBuffer copies into the guest's heap (JS_NewArrayBufferCopy): no host memory is shared.
                  ctx.newArrayBuffer(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)),
          );
          const result = ctx.callFunction(fn, ctx.undefined, ...handles);
          for (const h of handles) h.dispose();
          fn.dispose();
          return result.error ? result : result.value;
        }, limits.sandboxCpuMsPerCallback);
      },
      dispose: free,
    },
  };
}

/** Reads a guest error value (and frees its handle). */
function dumpError(ctx: QuickJSContext, handle: QuickJSHandle): GuestError {
  let dumped: unknown;
  try {
    dumped = ctx.dump(handle);
  } finally {
    handle.dispose();
  }
  if (dumped && typeof dumped === 'object') {
    const e = dumped as { name?: unknown; message?: unknown; stack?: unknown; lineNumber?: unknown };
    return guestError(
      String(e.name ?? 'Error'),
      String(e.message ?? ''),
      String(e.stack ?? ''),
      e.lineNumber,
    );
  }
  return { name: 'Error', message: `your code threw ${String(dumped)}`, line: null, column: null };
}

/** The host object the prelude receives: each function reads plain values and returns a string or nothing. */
function buildHost(ctx: QuickJSContext, host: HostCalls): QuickJSHandle {
  const obj = ctx.newObject();
  const str = (h: QuickJSHandle | undefined): string => (h === undefined ? '' : String(ctx.getString(h)));
  const num = (h: QuickJSHandle | undefined): number => (h === undefined ? 0 : Number(ctx.getNumber(h)));
  const answer = (problem: string | undefined): QuickJSHandle | undefined =>
    problem ? ctx.newString(problem) : undefined;
  const define = (name: string, fn: (...args: QuickJSHandle[]) => QuickJSHandle | undefined): void => {
    const handle = ctx.newFunction(name, fn);
    ctx.setProp(obj, name, handle);
    handle.dispose();
  };
  define('status', (rid, status) => answer(host.status(num(rid), num(status))));
  define('getStatus', (rid) => ctx.newNumber(host.getStatus(num(rid))));
  define('header', (rid, name, value) => answer(host.header(num(rid), str(name), str(value))));
  /** The bytes of a guest ArrayBuffer, copied out: the view into WebAssembly memory is freed at once. */
  const bytes = (h: QuickJSHandle | undefined): Uint8Array => {
    if (h === undefined || ctx.typeof(h) !== 'object') return new Uint8Array(0);
    const view = ctx.getArrayBuffer(h);
    try {
      return Uint8Array.from(view.value);
    } finally {
      view.dispose();
    }
  };
  define('write', (rid, text) => answer(host.write(num(rid), str(text))));
  define('writeBytes', (rid, buf) => answer(host.write(num(rid), bytes(buf))));
  define('flush', (rid) => answer(host.flush(num(rid))));
  define('end', (rid, text) => answer(host.end(num(rid), str(text))));
  define('endBytes', (rid, buf) => answer(host.end(num(rid), bytes(buf))));
  define('fail', (owner, name, message, stack) => {
    host.fail(num(owner), guestError(str(name), str(message), str(stack)));
    return undefined;
  });
  define('log', (level, text) => {
    host.log(str(level), str(text));
    return undefined;
  });
  define('setTimer', (id, ms, repeat) => answer(host.setTimer(num(id), num(ms), num(repeat) === 1)));
  define('clearTimer', (id) => {
    host.clearTimer(num(id));
    return undefined;
  });
  define('append', (json) => answer(host.append(str(json))));
  define('read', (call, since) => answer(host.read(num(call), num(since))));
  define('wsSend', (rid, text) => answer(host.wsSend(num(rid), str(text))));
  define('wsSendBytes', (rid, buf) => answer(host.wsSend(num(rid), bytes(buf))));
  define('wsClose', (rid, code, reason) => answer(host.wsClose(num(rid), num(code), str(reason))));
  define('subscribe', (on) => {
    host.subscribe(num(on) === 1);
    return undefined;
  });
  return obj;
}
