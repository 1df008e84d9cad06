/**
 * Scenarios 1 and 2, and the soak: a class of N learners on each server under test (Wire Lab, the
 * baseline), each learner holding an SSE stream, a WebSocket, a long-poll loop, the inspector
 * channel and the class channel; the teacher pushes `rate` messages a second, `durationS` seconds
 * per server, in turns so every server sees the same machine. Each server runs in its own
 * process, each class's learners in `procs` others; the teachers and the bookkeeping here.
 */
import { type ChildProcess, fork } from 'node:child_process';
import os from 'node:os';
import type { DeliveryReport, Technique } from './delivery.ts';
import type { Target } from './learner.ts';
import type { FromLearners, LearnersReport, ToLearners } from './learners.ts';
import { type LoopStalls, worstStalls } from './loop-stalls.ts';
import type { ServerKind, ServerSample } from './server-entry.ts';
import { type ServerProcess, startServer } from './server-process.ts';
import { Histogram, type LatencySummary, median } from './stats.ts';
import { openTeacher, type Teacher, type TeacherClose } from './teacher.ts';

/** A server under test: which, and how it is started. */
export interface ServerSpec {
  kind: ServerKind;
  /** Names it in the results (default: the kind); two specs of one kind compare two configurations. */
  label?: string;
  /** Bounds (server/config.ts) for this server. */
  env?: Record<string, string>;
  /** Node flags beyond those `npm run serve` uses. */
  execArgv?: string[];
  /** Overrides `ClassroomOptions.inspector` for this server's learners. */
  inspector?: boolean;
  /** The inspector protocol version this server's learners ask for (default: the page's, 3). */
  inspectorVersion?: 2 | 3;
  /** Starts it some other way than one process (bench/deployment.ts: several behind nginx). */
  start?: () => Promise<ServerProcess>;
}

export interface ClassroomOptions {
  /** One class per server, all connected at once; the teacher pushes to one at a time (see `windowS`). */
  servers: ServerSpec[];
  /** How Wire Lab learners share the teacher's feed: the classroom API, or bare lab rooms. */
  mode: 'class' | 'room';
  learners: number;
  /** Seconds of pushing each server gets, in total. */
  durationS: number;
  /** Teacher messages a second. */
  rate: number;
  /**
   * Pushes go to the servers in turns of this many seconds (Wire Lab, baseline, Wire Lab, …), so
   * both are measured under the same load from the rest of the machine; 0: each server's whole
   * duration in one turn.
   */
  windowS: number;
  /** Load processes holding each class. */
  procs: number;
  /**
   * The load processes' niceness (0–19): above 0 they yield a core to the servers when both want
   * one, as 300 learners on their own machines would; absent or 0, they compete as equals
   * (`npm run bench` asks for 19 unless told otherwise: `--load-nice`).
   */
  loadNice?: number;
  /** False: Wire Lab learners open no inspector channel (where does the cost go?). */
  inspector?: boolean;
  /** Take the server's samples after a full GC (the soak: memory that stays). */
  gcSamples?: boolean;
  /**
   * A turn also ends when no missing message has arrived for this long (ms): messages that will
   * never come (a learner's stream reading the wrong feed) then cost this, not the 30 s limit, in
   * the turn's CPU and Redis figures; the final count waits as long for the next arrival (3 s
   * otherwise). A saturated server can deliver nothing for seconds and still deliver: keep it long.
   */
  quietDrainMs?: number;
  /** Called after each turn with the server's sample (the soak prints them). */
  onSample?: (label: string, s: TimedSample) => void;
  log: (text: string) => void;
}

export interface TimedSample extends ServerSample {
  /** Seconds since the first push. */
  atS: number;
}

export interface TechniqueResult extends LatencySummary {
  replayed: LatencySummary;
  missing: number;
  learnersMissing: number;
  duplicates: number;
  reconnects: number;
  errors: number;
  dropped: number;
  missingSample: string[];
}

export interface ClassroomResult {
  server: ServerKind;
  label: string;
  /** Node flags and bounds it ran with. */
  execArgv: string[];
  env: Record<string, string>;
  mode: Target['mode'];
  learners: number;
  connected: number;
  connectFailed: number;
  connectMs: number;
  firstConnectError?: string;
  /** How long after the last push the last message arrived (counted as lost only after that). */
  drainMs: number;
  /** After each turn, how long until all its messages had arrived: the median turn, the longest. */
  turnDrainMs: { median: number; max: number };
  durationS: number;
  rate: number;
  sent: number;
  techniques: Partial<Record<Technique, TechniqueResult>>;
  /** SSE, WebSocket, long poll and class channel together: every copy of a push a learner's code sees. */
  broadcast: LatencySummary & { missing: number };
  /**
   * SSE, WebSocket and class channel: the pushed copies, without the long poll, whose answers wait
   * up to `pollBatchMs` on both servers by design and so set the broadcast p99 of both.
   */
  pushed?: LatencySummary;
  deliveriesPerS: number;
  serverProcess: {
    idleRss: number;
    peakRss: number;
    /** The median RSS over the samples of the run's second half: where memory levelled off. */
    plateauRss: number;
    endRss: number;
    /** Share of one core while its class was pushed to (100 = one core busy). */
    cpuPct: number;
    /** Server CPU time per 1,000 deliveries (broadcast), ms. */
    cpuMsPer1000: number;
    /** Deliveries (broadcast) per CPU-second of the server: its capacity if CPU-bound. */
    deliveriesPerCpuS: number;
    /** Event-loop delay, per turn (reset at each turn's start): the median turn's p50 and p99, the worst max. */
    eld: { p50: number; p99: number; max: number };
    /** A timer's late ticks over all turns, split into waiting for a CPU and the process's own; absent in older results. */
    stalls?: LoopStalls;
    /** The collector's pauses while pushing: the longest, the longest full one, and ms of pause a second. */
    gc?: { maxMs: number; majorMaxMs: number; msPerS: number };
    /**
     * Write system calls and KB written per 1,000 deliveries while pushing (/proc/self/io: sockets
     * and the bench's IPC); absent without /proc.
     */
    writesPer1000?: { calls: number; kb: number };
    handlesStart: number;
    handlesEnd: number;
  };
  loadProcesses: { cpuS: number; rss: number };
  /** The teacher's class channel closing under them while pushing, and the pushes it cost. */
  teacher: { closes: TeacherClose[]; unsent: number };
  /**
   * A deployment of several processes (ServerSample.parts): each one's CPU time and share of a core
   * from the first push until every message had arrived, its RSS peak and at the end, its open
   * sockets at the end.
   */
  parts?: Record<string, { cpuS: number; cpuPct: number; peakRss: number; endRss: number; sockets?: number }>;
  /** Its Redis, while the class was pushed to: calls a second per command, memory peak and at the end. */
  redis?: {
    callsPerS: Record<string, number>;
    calls: Record<string, number>;
    usedMemoryPeak: number;
    usedMemoryEnd: number;
    keys: number;
  };
  samples: TimedSample[];
  problems: Record<string, number>;
}

/** Messages pushed before measuring, so connections and JIT are warm (seq 0: not counted). */
const WARMUP_S = 2;
/** At most this long after a turn for its messages to arrive; what has not by then is left to the final count. */
const MAX_TURN_DRAIN_MS = 30_000;
/** After the last push, at least this long (a reconnecting stream catches up), at most the other, before counting losses. */
const MIN_DRAIN_MS = 1_000;
const MAX_DRAIN_MS = 60_000;
const BROADCAST: Technique[] = ['sse', 'ws', 'poll', 'class'];

interface Side {
  kind: ServerKind;
  label: string;
  spec: ServerSpec;
  server: ServerProcess;
  procs: ChildProcess[];
  teacher?: Teacher;
  idle?: ServerSample;
  ready?: Array<Extract<FromLearners, { type: 'ready' }>>;
  connectMs: number;
  next: number;
  cpuUs: number;
  wallUs: number;
  /** Write calls and bytes while pushing, summed over the turns (NaN once a sample had none). */
  writes: number;
  writtenBytes: number;
  eld: Array<ServerSample['eld']>;
  samples: TimedSample[];
  turnDrainMs: number[];
  first?: ServerSample;
  /** Per part of a deployment: CPU µs while pushing, peak RSS. */
  partCpuUs: Record<string, number>;
  partPeakRss: Record<string, number>;
  redisCalls: Record<string, number>;
  redisPeak: number;
}

export async function runClassroom(o: ClassroomOptions): Promise<ClassroomResult[]> {
  const sides: Side[] = [];
  try {
    for (const spec of o.servers) {
      const { kind } = spec;
      const server = spec.start
        ? await spec.start()
        : await startServer(kind, { env: spec.env ?? {}, execArgv: spec.execArgv ?? [] });
      sides.push({
        kind,
        label: spec.label ?? kind,
        spec,
        server,
        procs: [],
        connectMs: 0,
        next: 1,
        cpuUs: 0,
        writes: 0,
        writtenBytes: 0,
        wallUs: 0,
        eld: [],
        samples: [],
        turnDrainMs: [],
        partCpuUs: {},
        partPeakRss: {},
        redisCalls: {},
        redisPeak: 0,
      });
    }
    return await measure(o, sides);
  } finally {
    for (const side of sides) {
      side.teacher?.close();
      for (const p of side.procs) if (p.connected) p.send({ cmd: 'stop' } satisfies ToLearners);
      await Promise.all(
        side.procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : null)),
      );
      await side.server.stop();
    }
  }
}

async function measure(o: ClassroomOptions, sides: Side[]): Promise<ClassroomResult[]> {
  const sent = Math.round(o.durationS * o.rate);

  // ---- each class arrives, one after the other
  for (const side of sides) {
    side.idle = await side.server.sample(true);
    side.teacher = await openTeacher(
      side.kind === 'baseline' ? 'baseline' : o.mode,
      side.server.base,
      (side.spec.inspector ?? o.inspector) !== false,
      side.spec.inspectorVersion,
    );
    const startedAt = performance.now();
    const perProc = Math.ceil(o.learners / o.procs);
    const readies: Array<Promise<Extract<FromLearners, { type: 'ready' }>>> = [];
    for (let p = 0; p < o.procs; p++) {
      const first = p * perProc;
      const count = Math.min(perProc, o.learners - first);
      if (count <= 0) break;
      const child = fork(new URL('./learners.ts', import.meta.url), [], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      side.procs.push(child);
      if (o.loadNice && child.pid !== undefined) os.setPriority(child.pid, o.loadNice);
      readies.push(nextMessage(child, 'ready'));
      child.send({
        cmd: 'start',
        target: side.teacher.target,
        first,
        count,
        expected: sent,
      } satisfies ToLearners);
    }
    side.ready = await Promise.all(readies);
    side.connectMs = performance.now() - startedAt;
    const ok = side.ready.reduce((n, r) => n + r.ready, 0);
    const failed = side.ready.reduce((n, r) => n + r.failed, 0);
    o.log(
      `${side.label}: ${ok} learners connected in ${(side.connectMs / 1000).toFixed(1)} s${failed ? `, ${failed} failed` : ''}`,
    );
  }

  // ---- warm up, then the turns
  for (const side of sides) {
    for (let i = 0; i < WARMUP_S * o.rate; i++) {
      side.teacher?.push(0);
      await sleep(1000 / o.rate);
    }
    side.first = await side.server.sample();
  }
  const perTurn = o.windowS > 0 ? Math.max(1, Math.round(o.windowS * o.rate)) : sent;
  const t0 = performance.now();
  while (sides.some((s) => s.next <= sent)) {
    for (const side of sides) {
      const n = Math.min(perTurn, sent - side.next + 1);
      if (n <= 0) continue;
      await side.server.reset();
      const before = await side.server.sample();
      await side.teacher?.pushAtRate(side.next, n, o.rate);
      side.next += n;
      // The next turn starts once this one's messages have all arrived, so no server's backlog
      // runs into another's turn (on a starved machine that takes seconds).
      side.turnDrainMs.push(await drainTurn(side, side.next - 1, o.quietDrainMs));
      const after = await side.server.sample(o.gcSamples);
      side.cpuUs += after.cpuUs - before.cpuUs;
      side.writes += (after.io?.writes ?? Number.NaN) - (before.io?.writes ?? Number.NaN);
      side.writtenBytes += (after.io?.bytes ?? Number.NaN) - (before.io?.bytes ?? Number.NaN);
      side.wallUs += after.wallUs - before.wallUs;
      addParts(side, before, after);
      side.eld.push(after.eld);
      const timed = { ...after, atS: (performance.now() - t0) / 1000 };
      side.samples.push(timed);
      o.onSample?.(side.label, timed);
    }
  }
  // ---- what arrived: wait until nothing more comes (a starved machine delivers late, not never)
  const drainStart = performance.now();
  let reports = await Promise.all(sides.map((side) => askReports(side, sent)));
  let quiet = 0;
  while (performance.now() - drainStart < MAX_DRAIN_MS) {
    const missing = reports.flat().reduce((n, r) => n + missingOf(r), 0);
    if (missing === 0 && performance.now() - drainStart >= MIN_DRAIN_MS) break;
    await sleep(1_000);
    const again = await Promise.all(sides.map((side) => askReports(side, sent)));
    const before = reports.flat().reduce((n, r) => n + missingOf(r), 0);
    const after = again.flat().reduce((n, r) => n + missingOf(r), 0);
    reports = again;
    quiet = after === before ? quiet + 1 : 0;
    // Nothing moved for 3 s (or quietDrainMs): what is missing is lost.
    if (quiet >= Math.max(3, Math.round((o.quietDrainMs ?? 0) / 1000))) break;
  }
  const drainMs = performance.now() - drainStart;
  const results: ClassroomResult[] = [];
  for (const [i, side] of sides.entries()) {
    const end = await side.server.sample();
    results.push(summarize(o, side, reports[i] ?? [], end, sent, drainMs));
  }
  return results;
}

/** Waits until every message up to `upTo` reached every learner (or MAX_TURN_DRAIN_MS); returns how long it took. */
async function drainTurn(side: Side, upTo: number, quietMs = Number.POSITIVE_INFINITY): Promise<number> {
  const start = performance.now();
  let missing = Number.NaN;
  let movedAt = start;
  while (performance.now() - start < MAX_TURN_DRAIN_MS) {
    const reports = await askReports(side, upTo);
    const now = reports.reduce((n, r) => n + missingOf(r), 0);
    if (now === 0) break;
    if (now !== missing) {
      missing = now;
      movedAt = performance.now();
    } else if (performance.now() - movedAt >= quietMs) break;
    await sleep(100);
  }
  return performance.now() - start;
}

function askReports(side: Side, sent: number): Promise<LearnersReport[]> {
  return Promise.all(
    side.procs.map((p) => {
      const answer = nextMessage(p, 'report');
      p.send({ cmd: 'report', sent } satisfies ToLearners);
      return answer;
    }),
  );
}

const missingOf = (r: LearnersReport): number =>
  Object.values(r.techniques).reduce((n, d) => n + (d?.missing ?? 0), 0);

function summarize(
  o: ClassroomOptions,
  side: Side,
  reports: LearnersReport[],
  end: ServerSample,
  sent: number,
  drainMs: number,
): ClassroomResult {
  const ready = side.ready ?? [];
  const broadcast = new Histogram();
  const pushed = new Histogram();
  let broadcastMissing = 0;
  let deliveries = 0;
  for (const r of reports) {
    for (const t of BROADCAST) {
      const d = r.techniques[t];
      if (!d) continue;
      broadcast.merge(d.live);
      broadcast.merge(d.replayed);
      if (t !== 'poll') {
        pushed.merge(d.live);
        pushed.merge(d.replayed);
      }
      broadcastMissing += d.missing;
      deliveries += d.received;
    }
  }
  const problems: Record<string, number> = {};
  for (const r of reports)
    for (const [k, n] of Object.entries(r.problems)) problems[k] = (problems[k] ?? 0) + n;
  const cpuS = side.cpuUs / 1e6;
  const firstError = ready.find((r) => r.firstError)?.firstError;
  return {
    server: side.kind,
    label: side.label,
    execArgv: side.server.execArgv,
    env: side.spec.env ?? {},
    mode: side.teacher?.target.mode ?? 'baseline',
    learners: o.learners,
    connected: ready.reduce((n, r) => n + r.ready, 0),
    connectFailed: ready.reduce((n, r) => n + r.failed, 0),
    connectMs: side.connectMs,
    ...(firstError ? { firstConnectError: firstError } : {}),
    drainMs,
    turnDrainMs: { median: median(side.turnDrainMs), max: Math.max(...side.turnDrainMs) },
    durationS: o.durationS,
    rate: o.rate,
    sent,
    techniques: mergeTechniques(reports),
    broadcast: { ...broadcast.summary(), missing: broadcastMissing },
    pushed: pushed.summary(),
    deliveriesPerS: deliveries / (sent / o.rate),
    serverProcess: {
      idleRss: side.idle?.rss ?? Number.NaN,
      peakRss: Math.max(end.rss, ...side.samples.map((s) => s.rss)),
      plateauRss: plateauOf(side.samples),
      endRss: end.rss,
      cpuPct: (side.cpuUs / side.wallUs) * 100,
      cpuMsPer1000: deliveries > 0 ? (cpuS * 1e6) / deliveries : Number.NaN,
      deliveriesPerCpuS: cpuS > 0 ? deliveries / cpuS : Number.NaN,
      eld: {
        p50: median(side.eld.map((e) => e.p50)),
        p99: median(side.eld.map((e) => e.p99)),
        max: Math.max(...side.eld.map((e) => e.max)),
      },
      stalls: worstStalls(side.samples.map((x) => x.stalls)),
      gc: {
        maxMs: Math.max(0, ...side.samples.map((x) => x.gc.maxMs)),
        majorMaxMs: Math.max(0, ...side.samples.map((x) => x.gc.majorMaxMs)),
        msPerS: side.samples.reduce((n, x) => n + x.gc.totalMs, 0) / (side.wallUs / 1e6),
      },
      writesPer1000:
        deliveries > 0 && Number.isFinite(side.writes)
          ? { calls: (side.writes * 1000) / deliveries, kb: (side.writtenBytes * 1000) / deliveries / 1024 }
          : undefined,
      handlesStart: side.first?.handleCount ?? Number.NaN,
      handlesEnd: end.handleCount,
    },
    loadProcesses: {
      cpuS: reports.reduce((n, r) => n + r.cpuUs, 0) / 1e6,
      rss: reports.reduce((n, r) => n + r.rss, 0),
    },
    samples: side.samples,
    teacher: { closes: side.teacher?.closes ?? [], unsent: side.teacher?.unsent.length ?? 0 },
    problems,
    ...partsOf(side, end),
  };
}

function plateauOf(samples: TimedSample[]): number {
  const last = samples.at(-1);
  if (!last) return Number.NaN;
  return median(samples.filter((s) => s.atS >= last.atS / 2).map((s) => s.rss));
}

/** A deployment's parts and Redis, between two samples of a turn (nothing for a lone server). */
function addParts(side: Side, before: ServerSample, after: ServerSample): void {
  for (const [name, a] of Object.entries(after.parts ?? {})) {
    const b = before.parts?.[name];
    if (b) side.partCpuUs[name] = (side.partCpuUs[name] ?? 0) + a.cpuUs - b.cpuUs;
    side.partPeakRss[name] = Math.max(side.partPeakRss[name] ?? 0, a.rss, b?.rss ?? 0);
  }
  if (after.redis && before.redis) {
    for (const [cmd, n] of Object.entries(after.redis.calls)) {
      side.redisCalls[cmd] = (side.redisCalls[cmd] ?? 0) + n - (before.redis.calls[cmd] ?? 0);
    }
    side.redisPeak = Math.max(side.redisPeak, before.redis.usedMemory, after.redis.usedMemory);
  }
}

function partsOf(side: Side, end: ServerSample): Pick<ClassroomResult, 'parts' | 'redis'> {
  if (!end.parts) return {};
  const parts: NonNullable<ClassroomResult['parts']> = {};
  for (const [name, p] of Object.entries(end.parts)) {
    parts[name] = {
      cpuS: (side.partCpuUs[name] ?? Number.NaN) / 1e6,
      cpuPct: ((side.partCpuUs[name] ?? Number.NaN) / side.wallUs) * 100,
      peakRss: Math.max(side.partPeakRss[name] ?? 0, p.rss),
      endRss: p.rss,
      ...(p.sockets === undefined ? {} : { sockets: p.sockets }),
    };
  }
  if (!end.redis) return { parts };
  const seconds = side.wallUs / 1e6;
  const callsPerS: Record<string, number> = {};
  for (const [cmd, n] of Object.entries(side.redisCalls)) if (n > 0) callsPerS[cmd] = n / seconds;
  return {
    parts,
    redis: {
      callsPerS,
      calls: Object.fromEntries(Object.entries(side.redisCalls).filter(([, n]) => n > 0)),
      usedMemoryPeak: Math.max(side.redisPeak, end.redis.usedMemory),
      usedMemoryEnd: end.redis.usedMemory,
      keys: end.redis.keys,
    },
  };
}

function mergeTechniques(reports: LearnersReport[]): Partial<Record<Technique, TechniqueResult>> {
  const out: Partial<Record<Technique, TechniqueResult>> = {};
  const names = new Set(reports.flatMap((r) => Object.keys(r.techniques) as Technique[]));
  for (const t of names) {
    const live = new Histogram();
    const replayed = new Histogram();
    const sum = { missing: 0, learnersMissing: 0, duplicates: 0, reconnects: 0, errors: 0, dropped: 0 };
    const missingSample: string[] = [];
    for (const r of reports) {
      const d: DeliveryReport | undefined = r.techniques[t];
      if (!d) continue;
      live.merge(d.live);
      replayed.merge(d.replayed);
      for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += d[k];
      missingSample.push(...d.missingSample);
    }
    out[t] = {
      ...live.summary(),
      replayed: replayed.summary(),
      ...sum,
      missingSample: missingSample.slice(0, 3),
    };
  }
  return out;
}

function nextMessage<T extends FromLearners['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<FromLearners, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromLearners) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as Extract<FromLearners, { type: T }>);
    };
    const onExit = (code: number | null) =>
      reject(new Error(`a load process exited (${code}) before "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
