/**
 * The ways the scale bench runs Wire Lab (docs/scale.md), each started as plain processes on free
 * loopback ports and stopped at the end, and each looking to bench/classroom.ts like one server:
 *
 *   single    one process on the embedded class store, clients straight to it (today's default)
 *   redis-1   one process on Redis (WIRELAB_REDIS_URL), behind nginx
 *   redis-2   two processes on one Redis, behind nginx hashing each session and class to one
 *
 * Behind nginx every process trusts it for the client's address (WIRELAB_TRUST_PROXY=127.0.0.1)
 * and keeps no class store of its own (WIRELAB_DATA_DIR=:memory:). A sample adds up the Wire Lab
 * processes' own numbers (bench/server-entry.ts) and carries each process's CPU time and RSS from
 * /proc — Wire Lab's, Redis's, nginx's, and the whole machine's (`machine`: every process on it,
 * the load's and other people's too) — and Redis's calls per command.
 */
import { worstStalls } from './loop-stalls.ts';
import { startNginx } from './nginx-process.ts';
import { machineUsage, processUsage } from './process-usage.ts';
import { type RedisKeyGroup, startRedis } from './redis-process.ts';
import type { PartSample, ServerSample } from './server-entry.ts';
import { type ServerProcess, startServer } from './server-process.ts';
import { freeTcpPort } from '../tests/helpers/redis-server.ts';

export const LAYOUTS = ['single', 'redis-1', 'redis-2'] as const;
export type Layout = (typeof LAYOUTS)[number];

export const LAYOUT_NAMES: Record<Layout, string> = {
  single: '1 process, embedded store',
  'redis-1': '1 process on Redis, nginx',
  'redis-2': '2 processes on Redis, nginx',
};

export interface Deployment extends ServerProcess {
  readonly layout: Layout;
  /** The nginx.conf rendered (repository-relative) and what the rendering changed, behind nginx. */
  readonly nginx?: { source: string; changes: string[]; errors: Record<string, number> };
  /** Wire Lab's keys in Redis by kind, with their memory (before `stop`; none without Redis). */
  redisKeys(): Promise<RedisKeyGroup[]>;
}

export interface DeploymentOptions {
  /** Bounds for every Wire Lab process. */
  env: Record<string, string>;
  execArgv: string[];
  /** Connections an nginx worker must be able to hold. */
  connections: number;
}

export async function startDeployment(layout: Layout, o: DeploymentOptions): Promise<Deployment> {
  if (layout === 'single') {
    const server = await startServer('wirelab', { env: o.env, execArgv: o.execArgv });
    return {
      ...server,
      layout,
      redisKeys: async () => [],
      async sample(gc) {
        const s = await server.sample(gc);
        return { ...s, parts: { 'wirelab-1': part(server.pid, s.sockets), machine: machineUsage() } };
      },
    };
  }

  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: Error) => console.error(err.message));
  };
  try {
    const redis = await startRedis();
    stops.push(() => redis.stop());
    const count = layout === 'redis-2' ? 2 : 1;
    const ports = await Promise.all(Array.from({ length: count }, () => freeTcpPort()));
    const servers = await Promise.all(
      ports.map((port) =>
        startServer('wirelab', {
          env: {
            ...o.env,
            WIRELAB_REDIS_URL: redis.url,
            WIRELAB_TRUST_PROXY: '127.0.0.1',
            WIRELAB_DATA_DIR: ':memory:',
          },
          execArgv: o.execArgv,
          port,
        }),
      ),
    );
    for (const s of servers) stops.push(() => s.stop());
    const nginx = await startNginx(ports, o.connections);
    stops.push(() => nginx.stop());
    const first = servers[0] as ServerProcess;

    return {
      layout,
      kind: 'wirelab',
      pid: first.pid,
      execArgv: first.execArgv,
      base: nginx.base,
      nginx: { source: nginx.source, changes: nginx.changes, errors: nginx.errors },
      redisKeys: () => redis.keys(),
      async sample(gc) {
        const [samples, stats] = await Promise.all([
          Promise.all(servers.map((s) => s.sample(gc))),
          redis.stats(),
        ]);
        const parts: Record<string, PartSample> = {};
        for (const [i, server] of servers.entries()) {
          parts[`wirelab-${i + 1}`] = part(server.pid, samples[i]?.sockets);
        }
        parts.redis = part(redis.pid);
        parts.nginx = nginx.usage();
        parts.machine = machineUsage();
        return { ...addUp(samples), parts, redis: stats };
      },
      async reset() {
        await Promise.all(servers.map((s) => s.reset()));
      },
      heapSnapshot: (file) => first.heapSnapshot(file),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function part(pid: number, sockets?: number): PartSample {
  const u = processUsage(pid) ?? { cpuUs: Number.NaN, rss: Number.NaN };
  return sockets === undefined ? u : { ...u, sockets };
}

/** The Wire Lab processes as one server: amounts added up, event-loop delay the worst of them. */
function addUp(samples: ServerSample[]): ServerSample {
  const sum = (f: (s: ServerSample) => number) => samples.reduce((n, s) => n + f(s), 0);
  const worst = (f: (s: ServerSample) => number) => Math.max(...samples.map(f));
  const handles: Record<string, number> = {};
  const heapSpaces: Record<string, number> = {};
  for (const s of samples) {
    for (const [k, n] of Object.entries(s.handles)) handles[k] = (handles[k] ?? 0) + n;
    for (const [k, n] of Object.entries(s.heapSpaces)) heapSpaces[k] = (heapSpaces[k] ?? 0) + n;
  }
  return {
    rss: sum((s) => s.rss),
    heapUsed: sum((s) => s.heapUsed),
    v8Malloced: sum((s) => s.v8Malloced),
    heapTotal: sum((s) => s.heapTotal),
    heapSpaces,
    external: sum((s) => s.external),
    arrayBuffers: sum((s) => s.arrayBuffers),
    cpuUs: sum((s) => s.cpuUs),
    wallUs: samples[0]?.wallUs ?? Number.NaN,
    eld: {
      p50: worst((s) => s.eld.p50),
      p99: worst((s) => s.eld.p99),
      max: worst((s) => s.eld.max),
      mean: worst((s) => s.eld.mean),
    },
    stalls: worstStalls(samples.map((s) => s.stalls)),
    gc: {
      count: sum((s) => s.gc.count),
      totalMs: sum((s) => s.gc.totalMs),
      maxMs: worst((s) => s.gc.maxMs),
      majorCount: sum((s) => s.gc.majorCount),
      majorMaxMs: worst((s) => s.gc.majorMaxMs),
    },
    io: samples.every((s) => s.io)
      ? { writes: sum((s) => s.io?.writes ?? 0), bytes: sum((s) => s.io?.bytes ?? 0) }
      : undefined,
    handles,
    handleCount: sum((s) => s.handleCount),
    sockets: sum((s) => s.sockets),
    queuedBytes: sum((s) => s.queuedBytes),
  };
}
