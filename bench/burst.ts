/**
 * The connection burst: does a server give its memory back after a crowd has come and gone? Each
 * server (Wire Lab, then the baseline, each in a process of its own) is sampled idle, then about
 * 10,000 connections arrive at once — simulated learners (bench/learner.ts) from their own loopback
 * addresses, each holding an SSE stream, a WebSocket, a long poll and the inspector channel (the
 * baseline: its own four, plus its class socket) — the teacher pushes for a few seconds, and every
 * connection closes. RSS is then sampled every 10 s for two minutes, without forcing a GC: what a
 * server keeps is what the machine keeps paying for.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { FromLearners, ToLearners } from './learners.ts';
import type { ServerKind, ServerSample } from './server-entry.ts';
import { startServer } from './server-process.ts';
import { openTeacher } from './teacher.ts';

export interface BurstSide {
  server: ServerKind;
  learners: number;
  connections: number;
  connected: number;
  failed: number;
  connectMs: number;
  /** RSS idle (before the burst), at the burst's peak, and 2 min after the last connection closed. */
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
  /** rssAfter ÷ rssBefore. */
  afterOverBefore: number;
  heapBefore: number;
  heapAfter: number;
  externalAfter: number;
  /** After that, once a full GC has run: what the heap held that V8 had not collected yet. */
  rssAfterGc: number;
  heapAfterGc: number;
  /** Every 10 s after the burst: seconds since it closed, RSS, V8 heap used and reserved. */
  samples: Array<{ atS: number; rss: number; heapUsed: number; heapTotal: number; external: number }>;
}

export interface BurstResult {
  connections: number;
  afterS: number;
  sides: BurstSide[];
}

/** Connections each simulated learner opens (room mode: SSE, WebSocket, long poll, inspector). */
const PER_LEARNER: Record<ServerKind, number> = { wirelab: 4, baseline: 5 };
const PUSH_S = 5;
const RATE = 10;

export async function runBurst(o: {
  connections: number;
  /** How long after the burst the last sample is taken (s). */
  afterS: number;
  procs: number;
  env: Record<string, string>;
  execArgv: string[];
  log: (text: string) => void;
}): Promise<BurstResult> {
  const sides: BurstSide[] = [];
  for (const kind of ['wirelab', 'baseline'] as const) {
    const learners = Math.ceil(o.connections / PER_LEARNER[kind]);
    // The defaults fit 2,000 sessions: the burst's learners get room (printed with the results).
    const env = { WIRELAB_MAX_SESSIONS: String(learners + 100), ...o.env };
    const server = await startServer(kind, { env: kind === 'wirelab' ? env : {}, execArgv: o.execArgv });
    try {
      await sleep(3_000); // settled after start
      const before = await server.sample();
      const teacher = await openTeacher(kind === 'wirelab' ? 'room' : 'baseline', server.base);
      const t0 = performance.now();
      const procs: ChildProcess[] = [];
      const readies: Array<Promise<Extract<FromLearners, { type: 'ready' }>>> = [];
      const perProc = Math.ceil(learners / o.procs);
      for (let p = 0; p < o.procs; p++) {
        const first = p * perProc;
        const count = Math.min(perProc, learners - first);
        if (count <= 0) break;
        const child = fork(new URL('./learners.ts', import.meta.url), [], {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        procs.push(child);
        readies.push(readyOf(child));
        child.send({
          cmd: 'start',
          target: teacher.target,
          first,
          count,
          expected: PUSH_S * RATE,
        } satisfies ToLearners);
      }
      const ready = await Promise.all(readies);
      const connectMs = performance.now() - t0;
      const connected = ready.reduce((n, r) => n + r.ready, 0);
      const failed = ready.reduce((n, r) => n + r.failed, 0);
      o.log(
        `burst ${kind}: ${connected} learners (${connected * PER_LEARNER[kind]} connections) up in ${(connectMs / 1000).toFixed(1)} s${failed ? `, ${failed} failed` : ''}`,
      );
      await teacher.pushAtRate(1, PUSH_S * RATE, RATE);
      await sleep(1_000);
      let peak = (await server.sample()).rss;
      teacher.close();
      for (const p of procs) if (p.connected) p.send({ cmd: 'stop' } satisfies ToLearners);
      await Promise.all(
        procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : null)),
      );
      const closedAt = performance.now();
      const samples: BurstSide['samples'] = [];
      let last: ServerSample | undefined;
      for (let at = 10; at <= o.afterS; at += 10) {
        await sleep(closedAt + at * 1000 - performance.now());
        last = await server.sample();
        peak = Math.max(peak, last.rss);
        samples.push({
          atS: at,
          rss: last.rss,
          heapUsed: last.heapUsed,
          heapTotal: last.heapTotal,
          external: last.external,
        });
      }
      if (!last) throw new Error('the burst took no sample after it');
      const collected = await server.sample(true);
      o.log(
        `burst ${kind}: RSS ${mb(before.rss)} before, ${mb(peak)} at the peak, ${mb(last.rss)} ${o.afterS} s after`,
      );
      sides.push({
        server: kind,
        learners,
        connections: learners * PER_LEARNER[kind],
        connected,
        failed,
        connectMs,
        rssBefore: before.rss,
        rssPeak: peak,
        rssAfter: last.rss,
        afterOverBefore: last.rss / before.rss,
        heapBefore: before.heapUsed,
        heapAfter: last.heapUsed,
        externalAfter: last.external,
        rssAfterGc: collected.rss,
        heapAfterGc: collected.heapUsed,
        samples,
      });
    } finally {
      await server.stop();
    }
  }
  return { connections: o.connections, afterS: o.afterS, sides };
}

function readyOf(child: ChildProcess): Promise<Extract<FromLearners, { type: 'ready' }>> {
  return new Promise((resolve, reject) => {
    child.on('message', (m: FromLearners) => {
      if (m.type === 'ready') resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`a load process exited (${code}) before it was ready`)));
  });
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
