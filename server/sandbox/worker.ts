/**
 * A sandbox worker thread: hosts the QuickJS runtimes of many sessions (pool.ts decides which).
 *
 * Why a worker and not the server's thread: a guest callback may run for up to
 * `sandboxCpuMsPerCallback` before it is interrupted, and a host fault inside WebAssembly (the
 * JSON.stringify trap in STACK-NOTES) throws where QuickJS cannot catch it. Here the first only
 * delays the other sandboxes of this worker, never the lab, the site or the capture; the second
 * loses one runtime (or at worst this worker, which the pool replaces).
 *
 * The worker keeps, per session: the source (to start a fresh runtime on demand), the runtime
 * while it lives, its timers, the responses it is writing, and its CPU and byte budgets, which
 * outlive a runtime so a restart does not refill them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { newQuickJSWASMModule, RELEASE_SYNC } from 'quickjs-emscripten';
import type { FromWorker, GuestError, SandboxLimits, ToWorker } from './protocol.ts';
import { type CallOutcome, createRuntime, type Entry, type HostCalls, type Runtime } from './runtime.ts';

const port = parentPort;
if (!port) throw new Error('server/sandbox/worker.ts runs as a worker thread (pool.ts starts it).');
const { limits, running } = workerData as { limits: SandboxLimits; running: SharedArrayBuffer };
/** The session being run right now, for the pool's watchdog to name if this thread stalls. */
const runningBytes = new Uint8Array(running);
const showRunning = (session: string): void => {
  runningBytes.fill(0);
  runningBytes.set(Buffer.from(session, 'latin1').subarray(0, runningBytes.length));
};
const module = await newQuickJSWASMModule(RELEASE_SYNC);

/** One response being written: the output buffer waits for `flush()` (PHP's `ob_flush(); flush();`). */
interface Output {
  status: number;
  headers: Array<[string, string]>;
  buffer: Buffer[];
  total: number;
  flushed: boolean;
  ended: boolean;
}

interface SessionState {
  source: string;
  runtime: Runtime | null;
  readonly outputs: Map<number, Output>;
  /** Open WebSockets, with the bytes sent on each (against `sandboxResponseBytes`). */
  readonly sockets: Map<number, { sent: number }>;
  readonly timers: Map<number, NodeJS.Timeout>;
  /** When a request last came in or was open: idle is measured from here (timers alone do not keep a sandbox). */
  lastActive: number;
  /** CPU used in the current one-second window. */
  cpuWindow: number;
  cpuUsed: number;
  /** Byte tokens (`sandboxBytesPerSecond`, burst one second). */
  byteTokens: number;
  byteRefill: number;
  /** A memory or stack bound the guest hit during the current call, even if its code caught it. */
  limit: { bound: 'memory' | 'stack'; error: GuestError } | null;
}

const sessions = new Map<string, SessionState>();
const send = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

/** `bound sandboxCpuMsPerCallback (50)`: the same words as server/lab/bounds.ts. */
const bound = (name: keyof SandboxLimits): string => `bound ${name} (${limits[name]})`;

/** "InternalError: interrupted (line 3)". */
function errorText(error: GuestError): string {
  const at = error.line ? ` (line ${error.line}${error.column ? `, column ${error.column}` : ''})` : '';
  return `${error.name}: ${error.message}${at}`;
}

function headerLike(name: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name); // RFC 9110 §5.1: a token
}

/** Framing and connection headers are the server's: they follow from flush() and end(). */
const SERVER_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'trailer',
]);

function hostFor(session: string, state: SessionState): HostCalls {
  const output = (rid: number): Output | undefined => state.outputs.get(rid);
  const takeBytes = (n: number): boolean => {
    const now = performance.now();
    const rate = limits.sandboxBytesPerSecond;
    state.byteTokens = Math.min(rate, state.byteTokens + ((now - state.byteRefill) * rate) / 1000);
    state.byteRefill = now;
    if (n > state.byteTokens) return false;
    state.byteTokens -= n;
    return true;
  };
  const cut = (rid: number, text: string): string => {
    const out = output(rid);
    if (out && !out.ended) {
      out.ended = true;
      state.outputs.delete(rid);
      send({ type: 'fail', rid, text });
      log(session, 'error', text);
    }
    return text;
  };
  const cutSocket = (rid: number, text: string): string => {
    if (state.sockets.delete(rid)) {
      send({ type: 'fail', rid, text });
      log(session, 'error', text);
    }
    return text;
  };
  return {
    status(rid, status) {
      const out = output(rid);
      if (!out) return undefined;
      if (out.flushed) return 'The status cannot change after flush(): the head has been sent.';
      if (!Number.isInteger(status) || status < 200 || status > 599)
        return `res.status must be a whole number from 200 to 599, not ${status}.`;
      out.status = status;
      return undefined;
    },
    getStatus: (rid) => output(rid)?.status ?? 0,
    header(rid, name, value) {
      const out = output(rid);
      if (!out) return undefined;
      if (out.flushed) return 'Headers cannot change after flush(): the head has been sent.';
      if (!headerLike(name))
        return `"${name}" is not a header name (RFC 9110 §5.1: letters, digits and !#$%&'*+.^_\`|~-).`;
      if (/[\r\n\0]/.test(value))
        return `The value of ${name} holds CR, LF or NUL, which would split the head (RFC 9110 §5.5).`;
      const lower = name.toLowerCase();
      if (SERVER_HEADERS.has(lower))
        return `${name} is set by the server from what your handler does: flush() before end() sends chunks, end() alone sends Content-Length.`;
      out.headers = out.headers.filter(([n]) => n.toLowerCase() !== lower);
      out.headers.push([name, value]);
      return undefined;
    },
    write(rid, text) {
      const out = output(rid);
      if (!out) return undefined; // the client left: the response's timers are being cleared
      if (out.ended) return 'res.write() after res.end().';
      const bytes = Buffer.from(text, 'utf8');
      if (out.total + bytes.length > limits.sandboxResponseBytes)
        return cut(
          rid,
          `${bound('sandboxResponseBytes')} reached: this response would carry more than ${limits.sandboxResponseBytes} bytes, so it was ended. Write less, or end it sooner.`,
        );
      if (!takeBytes(bytes.length))
        return cut(
          rid,
          `${bound('sandboxBytesPerSecond')} reached: your handler wrote faster than ${limits.sandboxBytesPerSecond} bytes a second, so this response was ended. Write less often.`,
        );
      out.total += bytes.length;
      out.buffer.push(bytes);
      return undefined;
    },
    flush(rid) {
      const out = output(rid);
      if (!out) return undefined;
      if (out.ended) return 'res.flush() after res.end().';
      const chunk = Buffer.concat(out.buffer);
      out.buffer = [];
      out.flushed = true;
      send({ type: 'flush', rid, status: out.status, headers: out.headers, chunk }, transferable(chunk));
      return undefined;
    },
    end(rid, text) {
      const out = output(rid);
      if (!out) return undefined;
      if (out.ended) return undefined;
      if (text) {
        const problem = this.write(rid, text);
        if (problem) return problem;
      }
      const chunk = Buffer.concat(out.buffer);
      out.ended = true;
      state.outputs.delete(rid);
      send({ type: 'end', rid, status: out.status, headers: out.headers, chunk }, transferable(chunk));
      return undefined;
    },
    wsSend(rid, text) {
      const socket = state.sockets.get(rid);
      if (!socket) return 'This WebSocket is closed.';
      const bytes = Buffer.byteLength(text);
      if (socket.sent + bytes > limits.sandboxResponseBytes)
        return cutSocket(
          rid,
          `${bound('sandboxResponseBytes')} reached: your handler sent more than ${limits.sandboxResponseBytes} bytes on this WebSocket.`,
        );
      if (!takeBytes(bytes))
        return cutSocket(
          rid,
          `${bound('sandboxBytesPerSecond')} reached: your handler sent faster than ${limits.sandboxBytesPerSecond} bytes a second.`,
        );
      socket.sent += bytes;
      send({ type: 'ws-send', rid, data: text });
      return undefined;
    },
    wsClose(rid, code, reason) {
      if (!state.sockets.has(rid)) return undefined;
      if (!sendableCloseCode(code))
        return `Close code ${code} cannot be sent: use 1000, 1001, 1003, 1007–1014 or 3000–4999 (RFC 6455 §7.4).`;
      if (Buffer.byteLength(reason) > 123)
        return 'A close reason is at most 123 bytes of UTF-8 (RFC 6455 §5.5).';
      state.sockets.delete(rid);
      send({ type: 'ws-close', rid, code, reason });
      return undefined;
    },
    fail(owner, error) {
      // A bound's error caught by the prelude (or the learner): the runtime must go all the same.
      if (
        error.name === 'InternalError' &&
        (error.message === 'out of memory' || error.message === 'stack overflow')
      ) {
        state.limit ??= { bound: error.message === 'out of memory' ? 'memory' : 'stack', error };
        return;
      }
      const text = `Your handler threw ${errorText(error)}.`;
      if (owner !== 0 && state.outputs.has(owner)) cut(owner, text);
      else if (owner !== 0 && state.sockets.has(owner)) cutSocket(owner, text);
      else log(session, 'error', text);
    },
    log: (level, text) =>
      log(session, level === 'info' || level === 'warn' || level === 'error' ? level : 'log', text),
    setTimer(id, ms, repeat) {
      if (state.timers.size >= limits.sandboxMaxTimers)
        return `${bound('sandboxMaxTimers')} reached: ${state.timers.size} timers are pending. Clear the ones you no longer need (clearTimeout, clearInterval).`;
      const delay = Math.max(limits.sandboxMinTimerMs, Math.min(Number.isFinite(ms) ? ms : 0, 2 ** 31 - 1));
      const fire = (): void => {
        if (!repeat) state.timers.delete(id);
        enter(session, 'fire', [id]);
      };
      state.timers.set(id, repeat ? setInterval(fire, delay) : setTimeout(fire, delay));
      return undefined;
    },
    clearTimer(id) {
      const t = state.timers.get(id);
      if (t) clearTimeout(t);
      state.timers.delete(id);
    },
    append(json) {
      send({ type: 'append', session, data: json });
      return undefined;
    },
    read(call, since) {
      send({ type: 'read', session, call, since });
      return undefined;
    },
    subscribe(on) {
      send({ type: 'subscribe', session, on });
    },
  };
}

/** RFC 6455 §7.4: codes an endpoint may send (1004–1006 and 1015 never go on the wire; 1002 is the server's own). */
function sendableCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1014 && ![1002, 1004, 1005, 1006].includes(code)) ||
      (code >= 3000 && code <= 4999))
  );
}

function transferable(chunk: Buffer): ArrayBuffer[] {
  // A fresh Buffer.concat owns its memory unless it came from Node's shared pool (small sizes).
  return chunk.byteOffset === 0 && chunk.buffer.byteLength === chunk.length
    ? [chunk.buffer as ArrayBuffer]
    : [];
}

/** Console lines per session in the current second: a logging loop cannot flood the server's thread. */
const logged = new Map<string, { window: number; lines: number }>();

function log(session: string, level: 'log' | 'info' | 'warn' | 'error', text: string): void {
  const now = Date.now();
  let count = logged.get(session);
  if (!count || now - count.window >= 1000) {
    count = { window: now, lines: 0 };
    logged.set(session, count);
  }
  count.lines += 1;
  if (count.lines > limits.sandboxConsoleLines) return;
  if (count.lines === limits.sandboxConsoleLines) {
    text = `${bound('sandboxConsoleLines')} reached: more lines this second are dropped.`;
    level = 'warn';
  }
  send({ type: 'log', session, level, text: text.length > 1024 ? `${text.slice(0, 1021)}…` : text });
}

/** Stops the session's runtime: timers cleared, open responses failed with `why`. */
function stop(session: string, state: SessionState, why: string | null, fault = false): void {
  for (const t of state.timers.values()) clearTimeout(t);
  state.timers.clear();
  for (const rid of [...state.outputs.keys(), ...state.sockets.keys()]) {
    send({ type: 'fail', rid, text: why ?? 'Your sandbox was stopped.' });
  }
  state.outputs.clear();
  state.sockets.clear();
  if (why) log(session, 'error', why);
  if (!fault) state.runtime?.dispose();
  state.runtime = null;
  send({ type: 'subscribe', session, on: false });
  send({ type: 'disposed', session });
}

/** What a bound's message says: which bound, the learner's line, what to do. */
function limitText(outcome: Extract<CallOutcome, { kind: 'limit' }>): string {
  const at = outcome.error.line ? ` at line ${outcome.error.line}` : '';
  switch (outcome.bound) {
    case 'cpu':
      return `${bound('sandboxCpuMsPerCallback')} reached${at}: one call into your handler ran longer than ${limits.sandboxCpuMsPerCallback} ms (an endless loop, or a regular expression that backtracks). Your sandbox was restarted from your code.`;
    case 'memory':
      return `${bound('sandboxMemoryBytes')} reached${at}: your handler needed more than ${limits.sandboxMemoryBytes} bytes of memory. Your sandbox was restarted from your code.`;
    case 'stack':
      return `${bound('sandboxStackBytes')} reached${at}: stack overflow (a function that calls itself without end, or data nested too deep). Your sandbox was restarted from your code.`;
  }
}

const FAULT_TEXT =
  'Your sandbox failed inside the engine (its native stack overflowed: data nested far too deep, e.g. JSON.stringify of 100,000 nested objects). It was thrown away; the next request starts a fresh one from your code.';

/** Calls into the session's runtime and deals with what came out: bounds, faults, the CPU share. */
function enter(session: string, entry: Entry, args: ReadonlyArray<number | string>): void {
  const state = sessions.get(session);
  if (!state) return;
  if (!state.runtime) {
    if (entry !== 'request' && entry !== 'wsOpen') return;
    if (!start(session, state)) return;
  }
  if (entry === 'request' || entry === 'wsOpen') state.lastActive = Date.now();
  state.limit = null;
  showRunning(session);
  let outcome = (state.runtime as Runtime).call(entry, args);
  runningBytes.fill(0);
  const caught = state.limit as SessionState['limit'];
  if (outcome.kind === 'ok' && caught) outcome = { kind: 'limit', cpuMs: outcome.cpuMs, ...caught };
  state.limit = null;
  const now = performance.now();
  if (now - state.cpuWindow >= 1000) {
    state.cpuWindow = now;
    state.cpuUsed = 0;
  }
  state.cpuUsed += outcome.cpuMs;
  if (outcome.kind === 'fault') stop(session, state, FAULT_TEXT, true);
  else if (outcome.kind === 'limit') stop(session, state, limitText(outcome));
  else if (state.cpuUsed > limits.sandboxCpuMsPerSecond)
    stop(
      session,
      state,
      `${bound('sandboxCpuMsPerSecond')} reached: your handler used more than ${limits.sandboxCpuMsPerSecond} ms of CPU in one second (timers firing too often, or heavy work). Your sandbox was restarted from your code.`,
    );
}

/** Starts a runtime from the session's source; on failure fails the request being started. */
function start(session: string, state: SessionState): boolean {
  showRunning(session);
  const made = createRuntime(module, state.source, limits, hostFor(session, state));
  runningBytes.fill(0);
  if (made.ok) {
    state.runtime = made.runtime;
    return true;
  }
  const why = made.fault ? FAULT_TEXT : `Your code failed when it started: ${errorText(made.error)}.`;
  stop(session, state, why, made.fault);
  return false;
}

function stateOf(session: string, source: string): SessionState {
  let state = sessions.get(session);
  if (!state) {
    state = {
      source,
      runtime: null,
      outputs: new Map(),
      sockets: new Map(),
      timers: new Map(),
      lastActive: Date.now(),
      cpuWindow: performance.now(),
      cpuUsed: 0,
      byteTokens: limits.sandboxBytesPerSecond,
      byteRefill: performance.now(),
      limit: null,
    };
    sessions.set(session, state);
  }
  return state;
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'deploy': {
      const old = sessions.get(message.session);
      if (old)
        stop(
          message.session,
          old,
          old.outputs.size > 0 ? 'Your handler was replaced by a new deploy.' : null,
        );
      const state = stateOf(message.session, message.source);
      state.source = message.source;
      showRunning(message.session);
      const made = createRuntime(module, message.source, limits, hostFor(message.session, state));
      runningBytes.fill(0);
      if (made.ok) state.runtime = made.runtime;
      else send({ type: 'disposed', session: message.session });
      send({ type: 'deployed', call: message.call, error: made.ok ? null : made.error });
      return;
    }
    case 'request': {
      const state = sessions.get(message.session);
      if (!state) {
        send({ type: 'fail', rid: message.rid, text: 'No handler is deployed in this session.' });
        return;
      }
      // A sandbox past its CPU share this second is not started again until the next one:
      // restarting a spinning handler on every request would give it the whole worker.
      if (performance.now() - state.cpuWindow < 1000 && state.cpuUsed > limits.sandboxCpuMsPerSecond) {
        send({
          type: 'fail',
          rid: message.rid,
          text: `${bound('sandboxCpuMsPerSecond')} reached: your handler used more than ${limits.sandboxCpuMsPerSecond} ms of CPU in the last second. Try again in 1 s.`,
        });
        return;
      }
      state.outputs.set(message.rid, {
        status: 200,
        headers: [],
        buffer: [],
        total: 0,
        flushed: false,
        ended: false,
      });
      enter(message.session, 'request', [message.rid, JSON.stringify(message.request)]);
      return;
    }
    case 'ws-open': {
      const state = sessions.get(message.session);
      if (!state) {
        send({ type: 'fail', rid: message.rid, text: 'No handler is deployed in this session.' });
        return;
      }
      state.sockets.set(message.rid, { sent: 0 });
      enter(message.session, 'wsOpen', [message.rid, JSON.stringify(message.request)]);
      return;
    }
    case 'ws-message':
      if (sessions.get(message.session)?.sockets.has(message.rid))
        enter(message.session, 'wsMessage', [message.rid, message.data]);
      return;
    case 'ws-closed': {
      const state = sessions.get(message.session);
      if (!state) return;
      state.sockets.delete(message.rid);
      enter(message.session, 'wsClosed', [message.rid, message.code, message.reason]);
      return;
    }
    case 'closed': {
      const state = sessions.get(message.session);
      if (!state) return;
      state.outputs.delete(message.rid);
      enter(message.session, 'closed', [message.rid]);
      return;
    }
    case 'feed':
      enter(message.session, 'feed', [message.message]);
      return;
    case 'read':
      enter(message.session, 'read', [message.call, message.result]);
      return;
    case 'drop': {
      const state = sessions.get(message.session);
      if (state) stop(message.session, state, null);
      sessions.delete(message.session);
      logged.delete(message.session);
      return;
    }
  }
});

// A runtime with no open response for `sandboxIdleMs` is disposed; the source stays for the next request.
setInterval(
  () => {
    const now = Date.now();
    for (const [session, count] of logged) if (now - count.window > 10_000) logged.delete(session);
    for (const [session, state] of sessions) {
      if (state.outputs.size > 0 || state.sockets.size > 0) state.lastActive = now;
      else if (state.runtime && state.outputs.size === 0 && now - state.lastActive > limits.sandboxIdleMs)
        stop(session, state, null);
    }
  },
  Math.max(50, Math.min(limits.sandboxIdleMs / 4, 5_000)),
);

setInterval(() => send({ type: 'beat' }), 100);
send({ type: 'ready' });
