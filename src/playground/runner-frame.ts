/**
 * The runner: the script of `/runner/`, the page every Run loads into a fresh iframe
 * sandboxed with `allow-scripts` only (opaque origin: no cookies, no storage, no way into the
 * lesson page).
 *
 * It says `ready`, waits for one `run` message from its parent, then:
 * 1. points `<base href>` at `/lab/<session>/`, so `fetch('time')` reaches the lab;
 * 2. hooks `console.*`, uncaught errors and rejections, and sends them up in batches;
 * 3. keeps a list of the connections the code opens (learner-connections.ts), so Stop can close
 *    them visibly, and counts its timers (learner-timers.ts): whenever what the code still has
 *    going changes — its top level done, connections open, timers waiting — it tells the parent,
 *    whose run status says "Finished" or "Your code finished; 1 connection still open";
 * 4. installs the loop guard the instrumented code calls, and `sha1()` / `base64()` /
 *    `learnerName`, which work where `crypto.subtle` and storage do not (learner-globals.ts);
 * 5. loads jQuery when the step asks for it, and runs the code as a classic `<script>`.
 */
import { type LearnerConnections, trackConnections } from './learner-connections.ts';
import { installLearnerGlobals } from './learner-globals.ts';
import { type LearnerTimers, trackTimers } from './learner-timers.ts';
import { preview } from './preview-tree.ts';
import {
  type FromRunner,
  LEARNER_FILE,
  type LogEntry,
  type LogLevel,
  type RunActivity,
  type RunMessage,
  TOP_LEVEL_NAME,
  type ToRunner,
} from './protocol.ts';

const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/;
/** Console entries waiting to be sent; older ones are dropped (and counted) beyond this. */
const MAX_QUEUED = 1_000;

const up = window.parent;
/** The browser's own, before learner code can replace or wrap them. */
const nativeSetTimeout = window.setTimeout.bind(window);
const nativeSetInterval = window.setInterval.bind(window);
let runStart = 0;
let started = false;
/**
 * The port the parent hands over with `run`. Everything after `ready` goes through it, not
 * through `parent.postMessage`: Chromium sends a window message to another process only from
 * a task it queues on this thread, so a log written just before a loop that never yields would
 * never leave. A port's messages leave at once.
 */
let port: MessagePort | null = null;

function post(message: FromRunner): void {
  if (port) port.postMessage(message);
  else up.postMessage(message, '*');
}

// ---- console, batched: one postMessage per task (or per 50 ms of busy task), not per call

let queue: LogEntry[] = [];
let dropped = 0;
let flushScheduled = false;
let lastFlush = Number.NEGATIVE_INFINITY;
/** Longest a console entry waits while the code keeps the frame busy. */
const FLUSH_EVERY_MS = 50;
const flushChannel = new MessageChannel();
flushChannel.port1.onmessage = flush;

function flush(): void {
  flushScheduled = false;
  lastFlush = performance.now();
  if (queue.length === 0 && dropped === 0) return;
  post({ wl: 'logs', entries: queue, dropped });
  queue = [];
  dropped = 0;
}

function push(entry: Omit<LogEntry, 't'>): void {
  if (queue.length >= MAX_QUEUED) {
    queue.shift();
    dropped += 1;
  }
  const now = performance.now();
  queue.push({ ...entry, t: Math.round((now - runStart) * 10) / 10 });
  // Send at once when nothing went out for a while: a log just before a loop that never
  // yields must still arrive. Within a burst, one message per task (or per FLUSH_EVERY_MS).
  if (now - lastFlush > FLUSH_EVERY_MS) {
    flush();
    return;
  }
  if (!flushScheduled) {
    flushScheduled = true;
    flushChannel.port2.postMessage(null);
  }
}

function hookConsole(): void {
  const levels: Record<string, LogLevel> = {
    log: 'log',
    info: 'info',
    warn: 'warn',
    error: 'error',
    debug: 'debug',
    // No table or tree view here: their data is shown as an ordinary, expandable value.
    table: 'log',
    dir: 'log',
    dirxml: 'log',
    trace: 'log',
  };
  // The playground's console replaces the browser's here rather than echoing to it: with
  // DevTools (or any debugger) attached, each native call costs ~0.1 ms, and a logging loop
  // would spend its whole second there.
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [name, level] of Object.entries(levels)) {
    target[name] = (...args: unknown[]) => {
      push({ level, kind: 'console', args: args.map(preview) });
    };
  }
  console.assert = (condition?: boolean, ...args: unknown[]) => {
    if (!condition)
      push({ level: 'error', kind: 'console', args: [preview('Assertion failed:'), ...args.map(preview)] });
  };
}

function hookErrors(): void {
  addEventListener('error', (event) => {
    const fromLearner = event.filename === LEARNER_FILE;
    // A syntax error acorn let through (loop-guard.ts parses first) is blamed by Chromium on the
    // runner's own `append` call: say only what the browser found.
    const foreignSyntax = event.error instanceof SyntaxError && !fromLearner;
    const message = String(event.error?.message ?? event.message).replace(
      /^Failed to execute '\w+' on '\w+': /,
      '',
    );
    const entry: Omit<LogEntry, 't'> = {
      level: 'error',
      kind: 'uncaught',
      args: [
        foreignSyntax
          ? preview(`SyntaxError: ${message}`)
          : event.error instanceof Error
            ? preview(event.error)
            : preview(event.message),
      ],
    };
    if (fromLearner) {
      entry.line = event.lineno;
      entry.col = event.colno;
    }
    push(entry);
  });
  addEventListener('unhandledrejection', (event) => {
    push({ level: 'error', kind: 'rejection', args: [preview(event.reason)] });
  });
}

// ---- what the code still has going: its top level, timers, connections (for the run status)

let connections: LearnerConnections | null = null;
let timers: LearnerTimers | null = null;
let topLevelDone = false;
let lastActivity = '';
/** How often the runner looks whether the code's activity changed (a few object reads). */
const ACTIVITY_EVERY_MS = 200;

/** Sends the code's activity when it changed since it was last sent. */
function reportActivity(): void {
  if (!connections || !timers) return;
  const activity: RunActivity = {
    done: topLevelDone,
    open: connections.openCount(),
    timers: timers.pending(),
  };
  const key = JSON.stringify(activity);
  if (key === lastActivity) return;
  lastActivity = key;
  post({ wl: 'activity', ...activity });
}

/** The learner's position in a stack (`learner.js:L:C`, instrumented coordinates), if any. */
function learnerFrame(error: unknown): { line: number; col: number } | null {
  const stack = error instanceof Error ? String(error.stack ?? '') : '';
  const match = new RegExp(`${LEARNER_FILE.replace('.', '\\.')}:(\\d+):(\\d+)`).exec(stack);
  return match ? { line: Number(match[1]), col: Number(match[2]) } : null;
}

/**
 * Runs the code's top level when it uses `await` (loop-guard.ts wraps it in an async function
 * handed to this), and notes when it is done. An error thrown there is reported as uncaught,
 * at the learner's line, as a module's top-level `await` would report it.
 */
function installTopLevel(): void {
  Object.defineProperty(window, TOP_LEVEL_NAME, {
    value(body: () => Promise<unknown>) {
      const finished = () => {
        topLevelDone = true;
        reportActivity();
      };
      body().then(finished, (err: unknown) => {
        const entry: Omit<LogEntry, 't'> = { level: 'error', kind: 'uncaught', args: [preview(err)] };
        const at = learnerFrame(err);
        if (at) Object.assign(entry, at);
        push(entry);
        finished();
      });
    },
  });
}

async function stop(): Promise<void> {
  const closed = connections?.closeAll() ?? [];
  // Give WebSocket close handshakes a moment, so `onclose` handlers log before the frame goes.
  const deadline = performance.now() + 200;
  while (connections && connections.sockets.size > 0 && performance.now() < deadline)
    await new Promise((r) => nativeSetTimeout(r, 10));
  flush();
  post({ wl: 'stopped', closed });
}

// ---- the loop guard the instrumented code calls at the top of every loop body

function installLoopGuard(message: string, limitMs: number): void {
  let armed = false;
  let since = 0;
  const disarm = new MessageChannel();
  // A message task runs only once the current task has ended: the code yielded.
  disarm.port1.onmessage = () => {
    armed = false;
  };
  Object.defineProperty(window, '__wlLoopGuard', {
    value(line: number) {
      const now = performance.now();
      if (!armed) {
        armed = true;
        since = now;
        disarm.port2.postMessage(null);
        return;
      }
      if (now - since > limitMs) throw new RangeError(message.replace('{line}', String(line)));
    },
  });
}

async function run(message: RunMessage): Promise<void> {
  if (started || !SESSION_ID.test(message.session)) return;
  started = true;
  document.documentElement.style.colorScheme = message.dark ? 'dark' : 'light';
  const base = document.createElement('base');
  base.href = `/lab/${message.session}/`;
  document.head.prepend(base);
  runStart = performance.now();
  hookConsole();
  hookErrors();
  connections = trackConnections(window);
  timers = trackTimers(window);
  installLoopGuard(message.guardMessage, message.guardMs);
  installTopLevel();
  installLearnerGlobals(window, { learnerName: message.learnerName });
  if (message.jquery) {
    try {
      const { default: jQuery } = await import('jquery');
      // jQuery decides "same origin" by comparing URLs, and this frame's URL is on the lab's
      // host, but its origin is opaque: every request is cross-origin. Told otherwise, jQuery
      // adds X-Requested-With, which forces a CORS preflight the lab does not allow.
      jQuery.ajaxSetup({ crossDomain: true });
      Object.assign(window, { $: jQuery, jQuery });
    } catch (err) {
      push({ level: 'error', kind: 'uncaught', args: [preview(err)] });
    }
  }
  const script = document.createElement('script');
  script.textContent = message.code;
  // Inserting runs it at once (a classic inline script); removing it afterwards keeps the
  // learner's page as their code left it: `document.body.textContent` is theirs alone.
  document.head.append(script);
  script.remove();
  // Without top-level `await` the top level has run once the script has (or has thrown).
  if (!message.code.startsWith(`${TOP_LEVEL_NAME}(`)) topLevelDone = true;
  reportActivity();
  nativeSetInterval(reportActivity, ACTIVITY_EVERY_MS);
}

addEventListener('message', (event: MessageEvent<ToRunner>) => {
  if (event.source !== up || up === window) return;
  const data = event.data;
  if (!data || typeof data !== 'object') return;
  if (data.wl === 'run') {
    port ??= event.ports[0] ?? null;
    void run(data);
  } else if (data.wl === 'hello') {
    // The parent asks a runner loaded ahead whether it is alive as it hands it code (runner.ts).
    if (!started) post({ wl: 'ready' });
  } else if (data.wl === 'stop') void stop();
  else if (data.wl === 'theme') document.documentElement.style.colorScheme = data.dark ? 'dark' : 'light';
});

if (up !== window) post({ wl: 'ready' });
