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
import { type Said, say, textOf } from './console-texts.ts';
import { boundOf, errorText, hostFor, limitOf, type SessionState, type WorkerSide } from './host-calls.ts';
import type { FromWorker, SandboxLimits, ToWorker } from './protocol.ts';
import { type CallOutcome, createRuntime, type Entry, type EntryArg, type Runtime } from './runtime.ts';

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

const sessions = new Map<string, SessionState>();
const send = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

const bound = (name: keyof SandboxLimits): string => boundOf(limits, name);
/** The bound and its value, as a console sentence names them (console-texts.ts). */
const limit = (name: keyof SandboxLimits) => limitOf(limits, name);

/** Console lines per session in the current second: a logging loop cannot flood the server's thread. */
const logged = new Map<string, { window: number; lines: number }>();

function log(session: string, level: 'log' | 'info' | 'warn' | 'error', message: string | Said): void {
  const now = Date.now();
  let count = logged.get(session);
  if (!count || now - count.window >= 1000) {
    count = { window: now, lines: 0 };
    logged.set(session, count);
  }
  count.lines += 1;
  if (count.lines > limits.sandboxConsoleLines) return;
  if (count.lines === limits.sandboxConsoleLines) {
    message = say('consoleLines', limit('sandboxConsoleLines'));
    level = 'warn';
  }
  const text = textOf(message);
  send({
    type: 'log',
    session,
    level,
    text: text.length > 1024 ? `${text.slice(0, 1021)}…` : text,
    ...(typeof message === 'string' ? {} : { said: { code: message.code, params: message.params } }),
  });
}

/** Stops the session's runtime: timers cleared, open responses failed with `why`. */
function stop(session: string, state: SessionState, why: Said | null, fault = false): void {
  for (const t of state.timers.values()) clearTimeout(t);
  state.timers.clear();
  for (const rid of [...state.outputs.keys(), ...state.sockets.keys()]) {
    send({ type: 'fail', rid, text: why?.text ?? 'Your sandbox was stopped.' });
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
function limitText(outcome: Extract<CallOutcome, { kind: 'limit' }>): Said {
  const line = outcome.error.line ?? undefined;
  switch (outcome.bound) {
    case 'cpu':
      return say('cpu', { ...limit('sandboxCpuMsPerCallback'), line });
    case 'memory':
      return say('memory', { ...limit('sandboxMemoryBytes'), line });
    case 'stack':
      return say('stack', { ...limit('sandboxStackBytes'), line });
  }
}

/** Calls into the session's runtime and deals with what came out: bounds, faults, the CPU share. */
function enter(session: string, entry: Entry, args: ReadonlyArray<EntryArg>): void {
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
  if (outcome.kind === 'fault') stop(session, state, say('fault'), true);
  else if (outcome.kind === 'limit') stop(session, state, limitText(outcome));
  else if (state.cpuUsed > limits.sandboxCpuMsPerSecond)
    stop(session, state, say('cpuPerSecond', limit('sandboxCpuMsPerSecond')));
}

/** Starts a runtime from the session's source; on failure fails the request being started. */
function start(session: string, state: SessionState): boolean {
  showRunning(session);
  const made = createRuntime(module, state.source, limits, hostFor(session, state, side));
  runningBytes.fill(0);
  if (made.ok) {
    state.runtime = made.runtime;
    return true;
  }
  const why = made.fault ? say('fault') : say('startFailed', { what: errorText(made.error) });
  stop(session, state, why, made.fault);
  return false;
}

const side: WorkerSide = { limits, send, log, enter };

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
      if (old) stop(message.session, old, old.outputs.size > 0 ? say('replaced') : null);
      const state = stateOf(message.session, message.source);
      state.source = message.source;
      showRunning(message.session);
      const made = createRuntime(module, message.source, limits, hostFor(message.session, state, side));
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
      const args: EntryArg[] = [message.rid, JSON.stringify(message.request)];
      if (message.body && message.body.byteLength > 0) args.push(message.body);
      enter(message.session, 'request', args);
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
