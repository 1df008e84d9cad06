/**
 * Wire Lab as it scales out, on this machine: a real Redis, two real Wire Lab processes
 * (`server/index.ts` as child processes, from the build in dist/) on free ports, and nginx with the
 * shipped deploy/nginx.conf in front of them. Tests reach everything through `url` (nginx), kill a
 * process or Redis the hard way, and bring them back on the same ports.
 */
import { createClient } from 'redis';
import { spawnWireLab, type WireLabProcess } from '../../server/many/wirelab-process.ts';
import { freeTcpPort as freePort } from './ports.ts';
import { type NginxProxy, startNginxProxy } from './nginx.ts';
import { nginxRing, type Ring } from './nginx-ring.ts';
import { type RedisServer, startRedisServer } from './redis-server.ts';
import { newSessionId } from './server.ts';

export interface ScaleStack {
  /** nginx: `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The two processes' ports, in the upstream's order. */
  readonly processPorts: readonly number[];
  /** Which process (index into `processPorts`) nginx sends a key to while both are up. */
  processFor(key: string): number;
  /** SIGKILL process `i` (a crash: no goodbye) and wait until it is gone. */
  killProcess(i: number): Promise<void>;
  /** Starts process `i` again on its port and waits until it listens. */
  startProcess(i: number): Promise<void>;
  /**
   * Resolves once nginx sends process `i`'s keys to it again (after a restart nginx tries a
   * process it marked down only when `fail_timeout` has passed): a fresh session of `i`, asked
   * for through nginx, lands on `i` (Redis's `wl:home:<session>` names the process that took it).
   */
  readmitted(i: number): Promise<void>;
  /** The process (index) holding `session` now, as Redis says (-1: one that is gone). */
  holderOf(session: string): Promise<number>;
  /** SIGKILL Redis (what it acknowledged is in its append-only file). */
  killRedis(): Promise<void>;
  /** Starts Redis again on its port and file. */
  startRedis(): Promise<void>;
  /** What process `i` printed on stderr lately (since it last started). */
  processLog(i: number): string;
  /** What the processes and nginx printed on stderr lately (for a failing test's message). */
  logs(): string;
  /** Stops nginx, both processes and Redis, and removes their temporary directories. */
  stop(): Promise<void>;
}

/** Settings every process gets in tests (no made-up quotes ticking, rates for one test machine). */
const TEST_ENV: Record<string, string> = {
  WIRELAB_DATA_DIR: ':memory:',
  WIRELAB_TICK_INTERVAL_MS: '60000',
  WIRELAB_CLASS_REQUESTS_PER_SECOND: '1000',
  // Tests pick classes by where their codes hash and leave the others: more than the default 20.
  WIRELAB_MAX_CLASSES: '500',
  WIRELAB_NODE_BEAT_MS: '200',
  WIRELAB_SHUTDOWN_GRACE_MS: '200',
};

export async function startScaleStack(env: Record<string, string> = {}): Promise<ScaleStack> {
  const redis: RedisServer = await startRedisServer();
  const ports = [await freePort(), await freePort()];
  const processes: Array<WireLabProcess | null> = [null, null];
  const stderr: string[] = ['', ''];
  let proxy: NginxProxy | null = null;

  const startProcess = async (i: number) => {
    const p = spawnWireLab(ports[i] as number, {
      env: { ...TEST_ENV, ...env, WIRELAB_REDIS_URL: redis.url, WIRELAB_TRUST_PROXY: '127.0.0.1' },
      nodeFlags: [],
    });
    processes[i] = p;
    try {
      await p.ready;
    } finally {
      stderr[i] = p.stderr();
      p.child.stderr?.on('data', () => {
        stderr[i] = p.stderr();
      });
    }
  };
  const killProcess = async (i: number) => {
    const p = processes[i];
    processes[i] = null;
    if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
    p.child.kill('SIGKILL');
    await p.exited;
  };
  const stop = async () => {
    await proxy?.stop();
    await Promise.all([killProcess(0), killProcess(1)]);
    await redis.stop();
  };

  try {
    await Promise.all([startProcess(0), startProcess(1)]);
    proxy = await startNginxProxy(ports);
  } catch (err) {
    await stop();
    throw err;
  }
  const ring: Ring = nginxRing(ports);
  const nginx = proxy;
  /** The process (its Redis `nodeId`) that Redis says holds `session` (`wl:home:<session>`), once it says. */
  const homeIn = async (session: string): Promise<string> => {
    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
    try {
      for (;;) {
        const home = await client.get(`wl:home:${session}`);
        if (home) return home;
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      client.destroy();
    }
  };
  /** The `nodeId` of the process that takes a fresh session first asked for at `base`. */
  const homeOf = async (base: string, session: string): Promise<string> => {
    await (await fetch(`${base}/lab/${session}/news`)).arrayBuffer();
    return homeIn(session);
  };
  /** Each process's `nodeId` (new at each start), asked of it directly. */
  const nodeIdOf = (i: number) => homeOf(`http://127.0.0.1:${ports[i]}`, newSessionId());
  const readmitted = async (i: number) => {
    const direct = await nodeIdOf(i);
    const deadline = Date.now() + 30_000;
    for (;;) {
      let session = newSessionId();
      while (ports.indexOf(ring.portFor(session)) !== i) session = newSessionId();
      if ((await homeOf(nginx.url, session)) === direct) return;
      if (Date.now() > deadline) throw new Error(`nginx sent nothing to process ${i} for 30 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  return {
    url: nginx.url,
    port: nginx.port,
    processPorts: ports,
    processFor: (key) => ports.indexOf(ring.portFor(key)),
    killProcess,
    startProcess,
    readmitted,
    async holderOf(session) {
      const [home, ...ids] = await Promise.all([homeIn(session), nodeIdOf(0), nodeIdOf(1)]);
      return ids.indexOf(home);
    },
    killRedis: () => redis.kill(),
    startRedis: () => redis.start(),
    processLog: (i) => processes[i]?.stderr() ?? '',
    logs: () => `process 0:\n${stderr[0]}\nprocess 1:\n${stderr[1]}\nnginx:\n${nginx.log()}`,
    stop,
  };
}
