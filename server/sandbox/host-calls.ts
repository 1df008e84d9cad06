/**
 * What the guest's host functions do (runtime.ts `HostCalls`), for one session in a worker: the
 * output buffer and its framing decisions, headers and status, byte bounds, timers, WebSocket
 * sends, the feed and the console. Everything leaves as a message to the server's thread.
 */
import { boundText, type Said, say, textOf } from './console-texts.ts';
import type { FromWorker, GuestError, SandboxLimits } from './protocol.ts';
import type { Entry, EntryArg, HostCalls, Runtime } from './runtime.ts';

/** One response being written: the output buffer waits for `flush()` (PHP's `ob_flush(); flush();`). */
export interface Output {
  status: number;
  headers: Array<[string, string]>;
  buffer: Buffer[];
  total: number;
  flushed: boolean;
  ended: boolean;
}

export interface SessionState {
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

/** What the host calls need of their worker. */
export interface WorkerSide {
  readonly limits: SandboxLimits;
  send(message: FromWorker, transfer?: ArrayBuffer[]): void;
  /** A console line: what the handler printed (text), or a sentence of the server's own (console-texts.ts). */
  log(session: string, level: 'log' | 'info' | 'warn' | 'error', message: string | Said): void;
  /** Calls into the session's runtime (a timer fired). */
  enter(session: string, entry: Entry, args: ReadonlyArray<EntryArg>): void;
}

/** The bound `name` and its value, as a console sentence names them (console-texts.ts). */
export function limitOf(limits: SandboxLimits, name: keyof SandboxLimits): { bound: string; limit: number } {
  return { bound: name, limit: limits[name] };
}

/** `bound sandboxCpuMsPerCallback (50)`: the same words as server/lab/bounds.ts. */
export function boundOf(limits: SandboxLimits, name: keyof SandboxLimits): string {
  return boundText(name, limits[name]);
}

/** "InternalError: interrupted (line 3)". */
export function errorText(error: GuestError): string {
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

/** The host calls of `session`'s sandbox. */
export function hostFor(session: string, state: SessionState, worker: WorkerSide): HostCalls {
  const { limits, send, log, enter } = worker;
  const bound = (name: keyof SandboxLimits): string => boundOf(limits, name);
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
  const cut = (rid: number, why: string | Said): string => {
    const text = textOf(why);
    const out = output(rid);
    if (out && !out.ended) {
      out.ended = true;
      state.outputs.delete(rid);
      send({ type: 'fail', rid, text });
      log(session, 'error', why);
    }
    return text;
  };
  const cutSocket = (rid: number, why: string | Said): string => {
    const text = textOf(why);
    if (state.sockets.delete(rid)) {
      send({ type: 'fail', rid, text });
      log(session, 'error', why);
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
      // RFC 9110 §5.5: a field value is visible ASCII, spaces, tabs and obs-text; CR or LF would split the head.
      if (/[^\t\x20-\x7e\x80-\xff]/.test(value))
        return `The value of ${name} holds a character a header may not carry (CR, LF and other control characters, or one beyond Latin-1; RFC 9110 §5.5).`;
      const lower = name.toLowerCase();
      if (SERVER_HEADERS.has(lower))
        return `${name} is set by the server from what your handler does: flush() before end() sends chunks, end() alone sends Content-Length.`;
      out.headers = out.headers.filter(([n]) => n.toLowerCase() !== lower);
      out.headers.push([name, value]);
      return undefined;
    },
    write(rid, data) {
      const out = output(rid);
      if (!out) return undefined; // the client left: the response's timers are being cleared
      if (out.ended) return 'res.write() after res.end().';
      const bytes =
        typeof data === 'string'
          ? Buffer.from(data, 'utf8')
          : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      if (out.total + bytes.length > limits.sandboxResponseBytes)
        return cut(rid, say('responseBytes', limitOf(limits, 'sandboxResponseBytes')));
      if (!takeBytes(bytes.length))
        return cut(rid, say('responseRate', limitOf(limits, 'sandboxBytesPerSecond')));
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
    end(rid, data) {
      const out = output(rid);
      if (!out) return undefined;
      if (out.ended) return undefined;
      if (data.length > 0) {
        const problem = this.write(rid, data);
        if (problem) return problem;
      }
      const chunk = Buffer.concat(out.buffer);
      out.ended = true;
      state.outputs.delete(rid);
      send({ type: 'end', rid, status: out.status, headers: out.headers, chunk }, transferable(chunk));
      return undefined;
    },
    wsSend(rid, data) {
      const socket = state.sockets.get(rid);
      if (!socket) return 'This WebSocket is closed.';
      const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
      if (socket.sent + bytes > limits.sandboxResponseBytes)
        return cutSocket(rid, say('socketBytes', limitOf(limits, 'sandboxResponseBytes')));
      if (!takeBytes(bytes))
        return cutSocket(rid, say('socketRate', limitOf(limits, 'sandboxBytesPerSecond')));
      socket.sent += bytes;
      // Bytes are a copy made for this send (runtime.ts): their buffer can move to the server's thread.
      send({ type: 'ws-send', rid, data }, typeof data === 'string' ? [] : transferable(data));
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

function transferable(chunk: Uint8Array): ArrayBuffer[] {
  // A fresh Buffer.concat owns its memory unless it came from Node's shared pool (small sizes).
  return chunk.byteOffset === 0 && chunk.buffer.byteLength === chunk.length
    ? [chunk.buffer as ArrayBuffer]
    : [];
}
