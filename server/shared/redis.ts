/**
 * The connection to Redis that Wire Lab processes share when `WIRELAB_REDIS_URL` is set
 * (docs/scale.md). Two clients of node-redis (the `redis` package):
 * one for commands, one for pub/sub, since a subscribed connection takes no other command.
 *
 * At start Redis must answer within `redisConnectTimeoutMs`, or `connectShared` rejects with one
 * line naming the URL (`server/index.ts` prints it and exits non-zero): a process that cannot
 * share would serve a class that the other processes cannot see. Once up, a lost connection is
 * retried for ever: commands wait in the client's queue and go out in order when Redis is back,
 * and subscriptions are renewed. The process says so once in its log when Redis goes and once
 * when it is back; `onStatus` listeners (the dashboard's notice, the feeds' catch-up) hear both.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';

export type RedisClient = ReturnType<typeof createClient>;

/** The start cannot go on, for a reason said in one line (`server/index.ts` prints only that). */
export class StartRefused extends Error {}

export interface SharedRedis {
  /** The URL without its password, for messages. */
  readonly where: string;
  /** Commands. */
  readonly client: RedisClient;
  /** Pub/sub only. */
  readonly subscriber: RedisClient;
  /** This process, among the others on the same Redis (random, new at each start). */
  readonly nodeId: string;
  /** Whether both connections are up right now. */
  readonly up: boolean;
  /** Since when Redis has been unreachable (`Date.now()`), or null while it is up. */
  readonly downSince: number | null;
  /** Calls `fn(up)` each time Redis goes away or comes back; returns what stops it. */
  onStatus(fn: (up: boolean) => void): () => void;
  close(): Promise<void>;
}

export interface SharedRedisOptions {
  connectTimeoutMs: number;
  /** Where the one-line notices go (stderr by default). */
  log?: (line: string) => void;
}

/** `redis://user:secret@host:6379/0` → `redis://user:***@host:6379/0`. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** Waits longer after each failed try, up to 2 s, so a Redis restart is caught within seconds. */
const retryDelayMs = (retries: number): number => Math.min(100 * 2 ** retries, 2_000);

export async function connectShared(url: string, options: SharedRedisOptions): Promise<SharedRedis> {
  const where = redactRedisUrl(url);
  const log = options.log ?? ((line: string) => console.error(line));
  let started = false;
  let firstError: Error | null = null;
  const make = (): RedisClient =>
    createClient({
      url,
      socket: {
        connectTimeout: options.connectTimeoutMs,
        // Before the start succeeded, one failure is final: `connect()` rejects with it.
        reconnectStrategy: (retries: number, cause: Error) =>
          started ? retryDelayMs(retries) : (firstError ?? cause),
      },
    });
  const client = make();
  const subscriber = make();

  const listeners = new Set<(up: boolean) => void>();
  const connected = new Map<RedisClient, boolean>([
    [client, false],
    [subscriber, false],
  ]);
  let up = false;
  let downSince: number | null = null;
  let lastReason = '';
  let closing = false;
  const update = () => {
    if (closing) return;
    const now = [...connected.values()].every(Boolean);
    if (now === up) return;
    up = now;
    if (!started) return;
    if (up) {
      const gone = downSince === null ? 0 : Math.round((Date.now() - downSince) / 1000);
      downSince = null;
      log(`Redis at ${where} is back after ${gone} s: catching up.`);
    } else {
      downSince = Date.now();
      log(
        `Redis at ${where} is unreachable (${lastReason || 'connection lost'}): serving what this process holds, and retrying.`,
      );
    }
    for (const fn of listeners) fn(up);
  };
  for (const c of [client, subscriber]) {
    c.on('error', (err: Error) => {
      lastReason = shortReason(err);
      firstError ??= err;
      if (connected.get(c)) {
        connected.set(c, false);
        update();
      }
    });
    c.on('end', () => {
      connected.set(c, false);
      update();
    });
    c.on('ready', () => {
      connected.set(c, true);
      update();
    });
  }

  const attempt = async () => {
    await Promise.all([client.connect(), subscriber.connect()]);
    await client.ping();
  };
  const deadline = new Promise<never>((_, reject) => {
    const t = setTimeout(
      () => reject(new Error(`no answer within ${options.connectTimeoutMs} ms`)),
      options.connectTimeoutMs,
    );
    t.unref();
  });
  try {
    await Promise.race([attempt(), deadline]);
  } catch (err) {
    client.destroy();
    subscriber.destroy();
    throw new StartRefused(
      `WIRELAB_REDIS_URL=${where}: Redis does not answer (${shortReason(firstError ?? (err as Error))}). Start Redis there, or unset WIRELAB_REDIS_URL to run one process on the embedded store.`,
    );
  }
  started = true;
  up = true;

  return {
    where,
    client,
    subscriber,
    nodeId: randomBytes(6).toString('hex'),
    get up() {
      return up;
    },
    get downSince() {
      return downSince;
    },
    onStatus(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async close() {
      closing = true;
      listeners.clear();
      for (const c of [client, subscriber]) {
        c.removeAllListeners('error');
        c.on('error', () => {});
      }
      // A Redis that is gone would hold `quit()` until it is back: what is queued is dropped.
      await Promise.allSettled(
        [client, subscriber].map((c) => (up ? c.close() : Promise.resolve(c.destroy()))),
      );
    },
  };
}

/** One line of what went wrong: `ECONNREFUSED 127.0.0.1:6390`, `WRONGPASS …`. */
function shortReason(err: Error): string {
  const e = err as NodeJS.ErrnoException & { errors?: Error[] };
  const first = e.errors?.[0] as (NodeJS.ErrnoException & { address?: string; port?: number }) | undefined;
  const text = first
    ? `${first.code ?? first.message} ${first.address ?? ''}:${first.port ?? ''}`
    : e.message;
  return (e.code && !first ? `${e.code}` : text).split('\n')[0]?.slice(0, 160) ?? 'unknown error';
}
