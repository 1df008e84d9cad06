/**
 * The server under test, in a process of its own: `wirelab` (createWireLabServer: lab, capture,
 * inspector, classroom; no site) or `baseline` (bench/baseline-server.ts). It listens on a free
 * loopback port and answers the bench over IPC with its own numbers — memory, CPU time, event-loop
 * delay (monitorEventLoopDelay), open handles — so the load's processes never count against it.
 *
 *   parent → child  {cmd: 'sample', gc?: true}   child → parent  {type: 'sample', …ServerSample}
 *                   {cmd: 'reset'}                                {type: 'reset'}   (event-loop delay histogram)
 *                   {cmd: 'heap-snapshot', file}                  {type: 'heap-snapshot', file}
 *                   {cmd: 'stop'}                                 (exits once closed)
 *   at start:                                                     {type: 'ready', port}
 *
 * Bounds come from the environment as for `npm start` (server/config.ts). A second argument is the
 * port to listen on (the scale bench puts nginx in front, which must know it); without it, a free one.
 */
import fs from 'node:fs';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { type LoopStalls, watchLoopStalls } from './loop-stalls.ts';

export type ServerKind = 'wirelab' | 'baseline';

export interface ServerSample {
  rss: number;
  heapUsed: number;
  /** V8 heap reserved (used or not): RSS above heap + external is mostly this, and the allocator's slack. */
  heapTotal: number;
  /** Memory V8 took with malloc (its compilers' zones and such), outside the heap spaces. */
  v8Malloced: number;
  /** Physical memory of each V8 heap space (new_space, old_space, large_object_space…), bytes. */
  heapSpaces: Record<string, number>;
  external: number;
  arrayBuffers: number;
  /** Process CPU time since start (user + system), µs. */
  cpuUs: number;
  /** process.hrtime in µs when sampled, to turn CPU time into a share of one core. */
  wallUs: number;
  /** Event-loop delay since the last reset, ms: how late a 10 ms timer fired. */
  eld: { p50: number; p99: number; max: number; mean: number };
  /** The late ticks of a timer of its own, split into waiting for a CPU and the process's own (bench/loop-stalls.ts). */
  stalls: LoopStalls;
  /**
   * The collector's pauses since the last reset, ms (the `gc` performance entries): how many, their
   * sum, the longest, and the same for the full (mark-compact) ones alone — beside the event-loop
   * delay, to tell a late timer held by the collector from one held by the server's own work.
   */
  gc: GcPauses;
  /**
   * Write system calls made and bytes handed to them so far (`syscw` and `wchar` of
   * /proc/self/io: every socket write, the IPC to the bench too); absent where there is no /proc.
   */
  io?: { writes: number; bytes: number };
  /** Active handles and requests by type (process.getActiveResourcesInfo). */
  handles: Record<string, number>;
  handleCount: number;
  /** Open sockets, and the bytes queued in them that the clients have not taken yet (writableLength). */
  sockets: number;
  queuedBytes: number;
  /**
   * A deployment of several processes (bench/deployment.ts): each one's CPU time and RSS, read from
   * /proc, by name (`wirelab-1`, `redis`, `nginx`…); the fields above then add up its Wire Lab processes.
   */
  parts?: Record<string, PartSample>;
  /** Redis's calls so far per command and its memory, when the deployment has one. */
  redis?: { calls: Record<string, number>; usedMemory: number; keys: number };
}

export interface GcPauses {
  count: number;
  totalMs: number;
  maxMs: number;
  majorCount: number;
  majorMaxMs: number;
}

export interface PartSample {
  cpuUs: number;
  rss: number;
  /** Open sockets (Wire Lab processes only): how the class spread over them. */
  sockets?: number;
}

export type ToServer =
  | { cmd: 'sample'; gc?: boolean }
  | { cmd: 'reset' }
  | { cmd: 'heap-snapshot'; file: string }
  | { cmd: 'stop' };

export type FromServer =
  | { type: 'ready'; port: number }
  | ({ type: 'sample' } & ServerSample)
  | { type: 'reset' }
  | { type: 'heap-snapshot'; file: string };

const kind = process.argv[2] as ServerKind;
const port = Number(process.argv[3] ?? 0);
if (kind !== 'wirelab' && kind !== 'baseline') {
  console.error('usage: node bench/server-entry.ts wirelab|baseline');
  process.exit(2);
}

/**
 * The histogram records the time between ticks of a timer that should fire every ELD_RESOLUTION_MS,
 * so an idle loop reads ≈ 10 ms; the delay reported is how late each tick was, that minus 10.
 */
const ELD_RESOLUTION_MS = 10;
const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
const late = (ns: number) => Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS);
eld.enable();
const stalls = watchLoopStalls();

const noPauses = (): GcPauses => ({ count: 0, totalMs: 0, maxMs: 0, majorCount: 0, majorMaxMs: 0 });
let pauses = noPauses();
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const ms = entry.duration;
    pauses.count += 1;
    pauses.totalMs += ms;
    pauses.maxMs = Math.max(pauses.maxMs, ms);
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      pauses.majorCount += 1;
      pauses.majorMaxMs = Math.max(pauses.majorMaxMs, ms);
    }
  }
}).observe({ entryTypes: ['gc'] });

// Each kind loads only its own code: the baseline's memory must not carry Wire Lab's modules.
const server =
  kind === 'wirelab'
    ? await (await import('../server/app.ts')).createWireLabServer({
        host: '127.0.0.1',
        port,
        // The class store on disk, as `npm start` has it, but in a directory of this run's own.
        config: {
          dataDir: process.env.WIRELAB_DATA_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'wirelab-bench-')),
        },
      })
    : await (await import('./baseline-server.ts')).startBaselineServer('127.0.0.1', port);

const send = (m: FromServer) => process.send?.(m);

// Every socket the server accepts, to see how much waits for slow readers.
const sockets = new Set<Socket>();
server.server.on('connection', (socket: Socket) => {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
});

/** This process's write calls and bytes so far, from /proc/self/io (Linux); undefined elsewhere. */
function writesSoFar(): { writes: number; bytes: number } | undefined {
  try {
    const text = fs.readFileSync('/proc/self/io', 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1]);
    const writes = field('syscw');
    const bytes = field('wchar');
    return Number.isFinite(writes) && Number.isFinite(bytes) ? { writes, bytes } : undefined;
  } catch {
    return undefined;
  }
}

function sample(gc: boolean): ServerSample {
  // The GC V8 runs when memory runs out: a full one that also gives back the pages it freed.
  if (gc)
    (globalThis as { gc?: (o: object) => void }).gc?.({
      type: 'major',
      execution: 'sync',
      flavor: 'last-resort',
    });
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const handles: Record<string, number> = {};
  const active = process.getActiveResourcesInfo();
  for (const type of active) handles[type] = (handles[type] ?? 0) + 1;
  return {
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    v8Malloced: v8.getHeapStatistics().malloced_memory,
    heapSpaces: Object.fromEntries(
      v8.getHeapSpaceStatistics().map((sp) => [sp.space_name, sp.physical_space_size]),
    ),
    external: mem.external,
    arrayBuffers: mem.arrayBuffers,
    cpuUs: cpu.user + cpu.system,
    wallUs: Number(process.hrtime.bigint() / 1000n),
    eld: {
      p50: late(eld.percentile(50)),
      p99: late(eld.percentile(99)),
      max: late(eld.max),
      mean: late(eld.mean),
    },
    stalls: stalls.read(),
    gc: { ...pauses },
    io: writesSoFar(),
    handles,
    handleCount: active.length,
    sockets: sockets.size,
    queuedBytes: [...sockets].reduce((n, s) => n + s.writableLength, 0),
  };
}

process.on('message', (m: ToServer) => {
  if (m.cmd === 'sample') send({ type: 'sample', ...sample(m.gc === true) });
  else if (m.cmd === 'reset') {
    eld.reset();
    stalls.reset();
    pauses = noPauses();
    send({ type: 'reset' });
  } else if (m.cmd === 'heap-snapshot') {
    send({ type: 'heap-snapshot', file: v8.writeHeapSnapshot(m.file) });
  } else if (m.cmd === 'stop') {
    const force = setTimeout(() => process.exit(0), 5_000);
    server.close().finally(() => {
      clearTimeout(force);
      process.disconnect?.();
      process.exitCode = 0;
      // Exit without waiting for stray timers, so a --cpu-prof profile is written now.
      setImmediate(() => process.exit(0));
    });
  }
});
// The bench went away: do not linger on the port.
process.on('disconnect', () => process.exit(0));

send({ type: 'ready', port: server.port });
