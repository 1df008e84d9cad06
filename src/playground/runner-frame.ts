/**
 * The runner: the script of `/runner/`, the page every Run loads into a fresh iframe
 * sandboxed with `allow-scripts` only (opaque origin: no cookies, no storage, no way into the
 * lesson page).
 *
 * It says `ready`, waits for one `run` message from its parent, then:
 * 1. points `<base href>` at `/lab/<session>/`, so `fetch('time')` reaches the lab;
 * 2. hooks `console.*`, uncaught errors and rejections, and sends them up in batches;
 * 3. keeps a list of the connections the code opens, so Stop can close them visibly;
 * 4. installs the loop guard the instrumented code calls, and `sha1()` / `base64()`, which work
 *    where `crypto.subtle` does not (plain http off localhost; see learner-globals.ts);
 * 5. loads jQuery when the step asks for it, and runs the code as a classic `<script>`.
 */
import {
  type ClosedConnection,
  type FromRunner,
  LEARNER_FILE,
  type LogEntry,
  type LogLevel,
  type RunMessage,
  type ToRunner,
} from './protocol.ts';
import { installLearnerGlobals } from './learner-globals.ts';
import { preview } from './preview-tree.ts';

const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/;
/** Console entries waiting to be sent; older ones are dropped (and counted) beyond this. */
const MAX_QUEUED = 1_000;

const up = window.parent;
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
    const entry: Omit<LogEntry, 't'> = {
      level: 'error',
      kind: 'uncaught',
      args: [event.error instanceof Error ? preview(event.error) : preview(event.message)],
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

// ---- connections the code opens, so Stop can close each one and say which

interface Tracked {
  kind: ClosedConnection['kind'];
  url: string;
  /** Whether it is still open (or, for a fetch, still waiting for its response head). */
  live(): boolean;
  close(): void;
}
let tracked: Tracked[] = [];

function remember(connection: Tracked): void {
  // A poll every 100 ms for an hour must not grow this list without end.
  if (tracked.length >= 200) tracked = tracked.filter((c) => c.live());
  tracked.push(connection);
}
const fetchAbort = new AbortController();
const openSockets = new Set<WebSocket>();

function track<T extends object>(ctor: T, make: (instance: never, args: unknown[]) => Tracked): T {
  return new Proxy(ctor, {
    construct(target, args, newTarget) {
      const instance = Reflect.construct(
        target as unknown as new (
          ...a: unknown[]
        ) => object,
        args,
        newTarget,
      );
      remember(make(instance as never, args));
      return instance;
    },
  });
}

function hookConnections(): void {
  const w = window as unknown as Record<string, unknown>;
  w.EventSource = track(EventSource, (es: EventSource) => ({
    kind: 'EventSource',
    url: es.url,
    live: () => es.readyState !== EventSource.CLOSED,
    close: () => es.close(),
  }));
  w.WebSocket = track(WebSocket, (ws: WebSocket) => {
    openSockets.add(ws);
    ws.addEventListener('close', () => openSockets.delete(ws));
    return {
      kind: 'WebSocket',
      url: ws.url,
      live: () => ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN,
      // 1000, normal closure (RFC 6455 §7.4.1): the close handshake shows in the inspector.
      close: () => ws.close(1000, 'Stop'),
    };
  });
  const nativeOpen = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (this: XMLHttpRequest, ...args: unknown[]) {
    const url = String(args[1] ?? '');
    remember({
      kind: 'XMLHttpRequest',
      url: new URL(url, document.baseURI).href,
      live: () => this.readyState !== XMLHttpRequest.UNSENT && this.readyState !== XMLHttpRequest.DONE,
      close: () => this.abort(),
    });
    return (nativeOpen as (...a: unknown[]) => void).apply(this, args);
  } as typeof XMLHttpRequest.prototype.open;
  const nativeFetch = window.fetch.bind(window);
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const own = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const signal = own ? AbortSignal.any([own, fetchAbort.signal]) : fetchAbort.signal;
    let pending = true;
    const url = input instanceof Request ? input.url : new URL(String(input), document.baseURI).href;
    // Aborted all at once on Stop, through `fetchAbort`.
    remember({ kind: 'fetch', url, live: () => pending, close: () => {} });
    const answer = nativeFetch(input, { ...init, signal });
    answer.then(
      () => {
        pending = false;
      },
      () => {
        pending = false;
      },
    );
    return answer;
  };
}

async function stop(): Promise<void> {
  const closed: ClosedConnection[] = [];
  for (const c of tracked) {
    try {
      if (!c.live()) continue;
      c.close();
      closed.push({ kind: c.kind, url: c.url });
    } catch {
      // Closing is best effort: removing the frame closes everything anyway.
    }
  }
  fetchAbort.abort(new DOMException('Stopped', 'AbortError'));
  // Give WebSocket close handshakes a moment, so `onclose` handlers log before the frame goes.
  const deadline = performance.now() + 200;
  while (openSockets.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
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
  hookConnections();
  installLoopGuard(message.guardMessage, message.guardMs);
  installLearnerGlobals(window);
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
}

addEventListener('message', (event: MessageEvent<ToRunner>) => {
  if (event.source !== up || up === window) return;
  const data = event.data;
  if (!data || typeof data !== 'object') return;
  if (data.wl === 'run') {
    port ??= event.ports[0] ?? null;
    void run(data);
  } else if (data.wl === 'stop') void stop();
  else if (data.wl === 'theme') document.documentElement.style.colorScheme = data.dark ? 'dark' : 'light';
});

if (up !== window) post({ wl: 'ready' });
