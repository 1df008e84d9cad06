/**
 * The sandbox workers, seen from the server's thread: which worker hosts which session, and the
 * routing of messages both ways. Knows nothing of HTTP: a response is a `Sink` of bytes.
 *
 * Where sandboxes live, and why: `sandboxWorkers` worker threads (started on the first deploy),
 * each hosting many sessions' QuickJS runtimes. One thread per session would cost ~10 MB each
 * (300 learners: 3 GB); all runtimes on the server's thread would let one handler's 50 ms of CPU
 * stall every socket of the class, and a host fault inside WebAssembly reach the process. A
 * worker that dies anyway (a fault the runtime could not contain) fails only its own sessions'
 * open responses; it is replaced, and each session starts again from its kept source on its
 * next request.
 */
import { Worker } from 'node:worker_threads';
import { type Said, type SaidRef, say } from './console-texts.ts';
import type { FromWorker, GuestError, GuestRequest, SandboxLimits, ToWorker } from './protocol.ts';

/** Where a handler's response goes (server/lab/mine.ts writes it to the socket). */
export interface Sink {
  flush(status: number, headers: Array<[string, string]>, chunk: Buffer): void;
  end(status: number, headers: Array<[string, string]>, chunk: Buffer): void;
  fail(text: string): void;
}

/** Where a handler's WebSocket messages go (server/lab/mine.ts sends them as frames). */
export interface SocketSink {
  /** A text frame for text, a binary frame for bytes. */
  send(data: string | Uint8Array): void;
  close(code: number, reason: string): void;
  /** Closes with 1011 and `text` (shortened to fit a close frame). */
  fail(text: string): void;
}

/** What the pool asks of the server: the session's console and feed. */
export interface PoolHooks {
  /** A console line; `said`: a sentence of the server's own (console-texts.ts), which `text` spells out. */
  log(session: string, level: 'log' | 'info' | 'warn' | 'error', text: string, said?: SaidRef): void;
  append(session: string, json: string): void;
  /** The feed's kept messages after `since`, as the JSON the guest reads. */
  read(session: string, since: number): string;
  /** The guest wants (or no longer wants) each new feed message: call `deliver`. */
  subscribe(session: string, on: boolean): void;
}

export interface SandboxPool {
  /** Starts the session's code in a fresh runtime; resolves with the learner's error, or null. */
  deploy(session: string, source: string): Promise<GuestError | null>;
  /** Ms until the session may run code again after it stalled a worker (0: it may). */
  quarantined(session: string): number;
  /** Whether a source is deployed for the session. */
  has(session: string): boolean;
  /** Whether the session's runtime is alive (counts against `maxSandboxes`). */
  live(session: string): boolean;
  readonly liveCount: number;
  /** Hands a request (and its body's exact bytes, a copy of their own) to the session's handler; returns its id (for `closed`). */
  request(session: string, request: GuestRequest, sink: Sink, body?: Uint8Array): number;
  /** Hands a WebSocket to the session's `onWebSocket` handlers; returns its id. */
  socket(session: string, request: GuestRequest, sink: SocketSink): number;
  /** A text message, or a binary one as bytes of their own. */
  socketMessage(session: string, rid: number, data: string | Uint8Array): void;
  socketClosed(session: string, rid: number, code: number, reason: string): void;
  /** The client of request `rid` went away, or its response is over. */
  closed(session: string, rid: number): void;
  /** A new message of the session's feed, for its subscribers. */
  deliver(session: string, json: string): void;
  /** Forgets the session's code and runtime. */
  drop(session: string): void;
  close(): Promise<void>;
}

interface Host {
  worker: Worker;
  sessions: Set<string>;
  alive: boolean;
  /** Set by the worker to the session it is running (worker.ts), read when it stalls. */
  running: Uint8Array;
  /** performance.now() of its last beat; 0 until it is ready. */
  lastBeat: number;
  /** Beats received, and how many there were at the watchdog's last look. */
  beats: number;
  beatsAtCheck: number;
  /** The worker's CPU time (ms) when the watchdog last saw it without a new beat; null: it beat since. */
  stuckSince: number | null;
}

export function createSandboxPool(
  limits: SandboxLimits & {
    sandboxWorkers: number;
    sandboxWorkerStackMb: number;
    sandboxStallMs: number;
    sandboxQuarantineMs: number;
  },
  hooks: PoolHooks,
): SandboxPool {
  const hosts: Host[] = [];
  const placed = new Map<string, { host: Host; source: string }>();
  const liveSessions = new Set<string>();
  const sinks = new Map<number, { session: string; sink: Sink | SocketSink; host: Host }>();
  const httpSink = (rid: number): Sink | undefined => {
    const s = sinks.get(rid)?.sink;
    return s && 'flush' in s ? s : undefined;
  };
  const deploys = new Map<number, (error: GuestError | null) => void>();
  let nextRid = 1;
  let nextCall = 1;
  let closing = false;

  /** Sessions whose handler stalled a worker, and until when they may not run code. */
  const quarantine = new Map<string, number>();

  const spawn = (index: number): Host => {
    const running = new SharedArrayBuffer(64); // a session id is at most 64 characters
    const worker = new Worker(new URL('./worker.ts', import.meta.url), {
      workerData: { limits: { ...limits }, running },
      resourceLimits: { stackSizeMb: limits.sandboxWorkerStackMb },
    });
    worker.unref();
    const host: Host = {
      worker,
      sessions: new Set(),
      alive: true,
      running: new Uint8Array(running),
      lastBeat: 0,
      beats: 0,
      beatsAtCheck: 0,
      stuckSince: null,
    };
    worker.on('message', (m: FromWorker) => {
      try {
        receive(host, m);
      } catch (err) {
        // A message shaped by a guest must never take the server down: the worker is suspect.
        console.error('sandbox message failed:', err);
        lost(index, host, say('workerUnusable'));
        host.worker.terminate().catch(() => {});
      }
    });
    worker.on('error', (err) => lost(index, host, say('workerFailed', { what: err.message })));
    worker.on('exit', () => lost(index, host, say('workerStopped')));
    return host;
  };

  /** A worker is gone: its open responses fail with `why`, its sessions start again elsewhere. */
  const lost = (index: number, host: Host, why: Said, culprit?: string): void => {
    if (!host.alive) return;
    host.alive = false;
    const blocked = say('workerBlocked');
    const whyFor = (session: string) => (culprit === undefined || session === culprit ? why : blocked);
    for (const [rid, s] of sinks) {
      if (s.host !== host) continue;
      sinks.delete(rid);
      s.sink.fail(whyFor(s.session).text);
    }
    for (const session of host.sessions) {
      liveSessions.delete(session);
      hooks.subscribe(session, false);
      const said = whyFor(session);
      hooks.log(session, 'error', said.text, said);
    }
    host.sessions.clear();
    if (!closing) hosts[index] = spawn(index);
  };

  // The watchdog: QuickJS checks its interrupt handler between bytecodes, not inside one
  // built-in call, so a quadratic string search can hold a worker far past the CPU bound. A
  // worker is stalled when it used `sandboxStallMs` of CPU without its event loop turning once
  // (no beat): CPU, not wall time, so a busy machine that starves the thread is not a stall.
  const watchdog = setInterval(
    () => {
      hosts.forEach((host, index) => {
        if (!host.alive || host.lastBeat === 0) return;
        const beaten = host.beats;
        host.worker
          .cpuUsage()
          .then(({ user, system }) => {
            const cpuMs = (user + system) / 1000;
            if (host.beats !== beaten || host.stuckSince === null || host.beatsAtCheck !== beaten) {
              host.beatsAtCheck = beaten;
              host.stuckSince = cpuMs;
              return;
            }
            if (!host.alive || cpuMs - host.stuckSince < limits.sandboxStallMs) return;
            stalled(index, host);
          })
          .catch(() => {}); // the worker is already gone
      });
    },
    Math.max(50, limits.sandboxStallMs / 4),
  );
  const stalled = (index: number, host: Host): void => {
    const culprit = Buffer.from(host.running).toString('latin1').replace(/\0+$/, '');
    if (culprit) quarantine.set(culprit, Date.now() + limits.sandboxQuarantineMs);
    const wait = Math.ceil(limits.sandboxQuarantineMs / 1000);
    lost(
      index,
      host,
      say('stall', { bound: 'sandboxStallMs', limit: limits.sandboxStallMs, seconds: wait }),
      culprit,
    );
    host.worker.terminate().catch(() => {});
  };
  watchdog.unref();

  const post = (host: Host, message: ToWorker): void => host.worker.postMessage(message);

  function receive(host: Host, m: FromWorker): void {
    switch (m.type) {
      case 'ready':
      case 'beat':
        host.lastBeat = performance.now();
        host.beats += 1;
        return;
      case 'deployed':
        deploys.get(m.call)?.(m.error);
        deploys.delete(m.call);
        return;
      case 'flush':
        httpSink(m.rid)?.flush(m.status, m.headers, asBuffer(m.chunk));
        return;
      case 'end': {
        const sink = httpSink(m.rid);
        sinks.delete(m.rid);
        sink?.end(m.status, m.headers, asBuffer(m.chunk));
        return;
      }
      case 'ws-send': {
        const sink = sinks.get(m.rid)?.sink;
        if (sink && 'send' in sink) sink.send(m.data);
        return;
      }
      case 'ws-close': {
        const sink = sinks.get(m.rid)?.sink;
        sinks.delete(m.rid);
        if (sink && 'close' in sink) sink.close(m.code, m.reason);
        return;
      }
      case 'fail': {
        const s = sinks.get(m.rid);
        sinks.delete(m.rid);
        s?.sink.fail(m.text);
        return;
      }
      case 'log':
        hooks.log(m.session, m.level, m.text, m.said);
        return;
      case 'append':
        hooks.append(m.session, m.data);
        return;
      case 'read':
        post(host, {
          type: 'read',
          session: m.session,
          call: m.call,
          result: hooks.read(m.session, m.since),
        });
        return;
      case 'subscribe':
        hooks.subscribe(m.session, m.on);
        return;
      case 'disposed':
        liveSessions.delete(m.session);
        return;
    }
  }

  /** The worker hosting `session`, placing it on the least busy live one if need be. */
  const hostOf = (session: string, source: string): Host => {
    const at = placed.get(session);
    if (at?.host.alive) return at.host;
    if (hosts.length === 0) for (let i = 0; i < limits.sandboxWorkers; i++) hosts.push(spawn(i));
    const host = hosts.reduce((a, b) => (b.sessions.size < a.sessions.size ? b : a));
    host.sessions.add(session);
    placed.set(session, { host, source });
    // A worker replaced since: it gets the kept source, and starts the runtime on demand.
    if (at) post(host, { type: 'deploy', session, source, call: 0 });
    return host;
  };

  /** Hands a request or a WebSocket's opening to the session's worker; the id names it from then on. */
  const start = (
    type: 'request' | 'ws-open',
    session: string,
    request: GuestRequest,
    sink: Sink | SocketSink,
    body?: Uint8Array,
  ): number => {
    const at = placed.get(session);
    const rid = nextRid++;
    if (!at) {
      sink.fail('No handler is deployed in this session.');
      return rid;
    }
    const host = hostOf(session, at.source);
    sinks.set(rid, { session, sink, host });
    liveSessions.add(session);
    if (type === 'request') post(host, { type, session, rid, request, ...(body ? { body } : {}) });
    else post(host, { type, session, rid, request });
    return rid;
  };

  return {
    deploy(session, source) {
      const at = placed.get(session);
      if (at) at.source = source;
      const host = hostOf(session, source);
      const call = nextCall++;
      liveSessions.add(session);
      return new Promise((resolve) => {
        deploys.set(call, resolve);
        post(host, { type: 'deploy', session, source, call });
      });
    },
    quarantined(session) {
      const until = quarantine.get(session) ?? 0;
      const left = until - Date.now();
      if (left <= 0) quarantine.delete(session);
      return Math.max(0, left);
    },
    has: (session) => placed.has(session),
    live: (session) => liveSessions.has(session),
    get liveCount() {
      return liveSessions.size;
    },
    request: (session, request, sink, body) => start('request', session, request, sink, body),
    socket: (session, request, sink) => start('ws-open', session, request, sink),
    socketMessage(session, rid, data) {
      const at = placed.get(session);
      if (at?.host.alive && sinks.has(rid)) post(at.host, { type: 'ws-message', session, rid, data });
    },
    socketClosed(session, rid, code, reason) {
      sinks.delete(rid);
      const at = placed.get(session);
      if (at?.host.alive) post(at.host, { type: 'ws-closed', session, rid, code, reason });
    },
    closed(session, rid) {
      sinks.delete(rid);
      const at = placed.get(session);
      if (at?.host.alive) post(at.host, { type: 'closed', session, rid });
    },
    deliver(session, json) {
      const at = placed.get(session);
      if (at?.host.alive) post(at.host, { type: 'feed', session, message: json });
    },
    drop(session) {
      const at = placed.get(session);
      if (!at) return;
      placed.delete(session);
      liveSessions.delete(session);
      at.host.sessions.delete(session);
      if (at.host.alive) post(at.host, { type: 'drop', session });
    },
    async close() {
      closing = true;
      clearInterval(watchdog);
      for (const [, s] of sinks) s.sink.fail('The server is shutting down.');
      sinks.clear();
      for (const resolve of deploys.values())
        resolve({ name: 'Error', message: 'The server is shutting down.', line: null, column: null });
      deploys.clear();
      await Promise.allSettled(hosts.map((h) => h.worker.terminate()));
    },
  };
}

/** A Buffer over the chunk's own memory: it came through postMessage (moved or copied), so it is this thread's alone. */
function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
