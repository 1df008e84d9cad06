/**
 * The messages between the lesson page (the parent) and the runner frame, and the preview
 * tree that carries console values across.
 *
 * Both directions use `postMessage`. The runner's origin is opaque ("null"), so the parent
 * checks `event.source` (the iframe's window) instead of the origin, and posts with `'*'`:
 * the only thing it ever sends is the learner's own code.
 */

/** The file name learner code runs under (`//# sourceURL=`), so stacks and error events name it. */
export const LEARNER_FILE = 'learner.js';

/**
 * The global the runner defines and the `await` wrapper (loop-guard.ts) hands its async function
 * to: the runner calls it and so learns when the code's top level has finished.
 */
export const TOP_LEVEL_NAME = '__wlTopLevel';

/** Parent → runner: run this code once. */
export interface RunMessage {
  wl: 'run';
  /** Already instrumented and wrapped; see `loop-guard.ts`. */
  code: string;
  session: string;
  jquery: boolean;
  dark: boolean;
  /** The loop guard's error text, `{line}` replaced at run time; in the learner's language. */
  guardMessage: string;
  /** Milliseconds a loop may spin without yielding before the guard throws. */
  guardMs: number;
  /** The tab's name for chat messages, given to the code as `learnerName` (learner-name.ts). */
  learnerName: string;
}

/**
 * Parent → runner. `hello` asks a runner loaded ahead whether it is still alive: a live one
 * answers `ready` again; one whose renderer died says nothing (runner.ts replaces it).
 */
export type ToRunner = RunMessage | { wl: 'hello' } | { wl: 'stop' } | { wl: 'theme'; dark: boolean };

/** A connection the runner opened for the learner and closed on Stop. */
export interface ClosedConnection {
  kind: 'EventSource' | 'WebSocket' | 'XMLHttpRequest' | 'fetch';
  url: string;
}

/**
 * What the learner's code still has going, sent whenever it changes: whether its top level has
 * completed (for code with top-level `await`, once its promise settled), how many connections it
 * opened are still open, and how many timers and animation frames are still to run.
 */
export interface RunActivity {
  done: boolean;
  open: number;
  timers: number;
}

/** Runner → parent. */
export type FromRunner =
  | { wl: 'ready' }
  | { wl: 'logs'; entries: LogEntry[]; dropped: number }
  | ({ wl: 'activity' } & RunActivity)
  | { wl: 'stopped'; closed: ClosedConnection[] };

export type LogLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';

/** One console line: a console call, an uncaught error or a rejected promise. */
export interface LogEntry {
  level: LogLevel;
  /** Milliseconds since the run started. */
  t: number;
  kind: 'console' | 'uncaught' | 'rejection';
  args: Preview[];
  /** For uncaught errors: where, in the instrumented source (the parent maps it back). */
  line?: number;
  col?: number;
}

/**
 * A console value, serialized by the runner: bounded in depth and size, safe to send
 * (no functions, no DOM, no cycles), rendered by the parent as text only.
 */
export type Preview =
  | { k: 'str'; v: string; cut?: number }
  | { k: 'num'; v: string }
  | { k: 'bigint'; v: string }
  | { k: 'bool'; v: boolean }
  | { k: 'null' }
  | { k: 'undef' }
  | { k: 'sym'; v: string }
  | { k: 'fn'; name: string; cls: boolean }
  | { k: 'date'; v: string }
  | { k: 're'; v: string }
  | { k: 'err'; name: string; message: string; stack: string }
  | { k: 'node'; tag: string; text?: string }
  | { k: 'bytes'; cls: string; n: number; hex: string }
  | { k: 'arr'; cls: string; n: number; items: Preview[] }
  | { k: 'obj'; cls: string; entries: [string, Preview][]; more: number }
  | { k: 'map'; n: number; entries: [Preview, Preview][] }
  | { k: 'set'; n: number; items: Preview[] }
  | { k: 'cycle' }
  | { k: 'deep'; cls: string }
  | { k: 'opaque'; cls: string };
