/**
 * The scale bench's Redis: a real `redis-server` (Debian package `redis-server`) as a plain process
 * on a free loopback port, configured as a deployment would run it — an append-only file written
 * once a second (`appendfsync everysec`, Redis's recommended setting), not the tests' `always`,
 * which waits for the disk before every answer. It answers the bench's questions about itself:
 * calls per command (`INFO commandstats`) and memory (`INFO memory`, `DBSIZE`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@redis/client';
import { freeTcpPort, waitForPort } from '../tests/helpers/redis-server.ts';

export interface RedisStats {
  /** Calls so far per command, lower case (`xadd`, `publish`, `evalsha`…), and `all` (Wire Lab's). */
  calls: Record<string, number>;
  /** `used_memory`: what Redis's allocator holds for data, bytes. */
  usedMemory: number;
  keys: number;
}

/** Wire Lab's keys of one kind (`wl:room:*:feed`): how many, their memory, what they hold. */
export interface RedisKeyGroup {
  pattern: string;
  type: string;
  count: number;
  /** `MEMORY USAGE … SAMPLES 0` added up: the keys' whole memory, bytes. */
  bytes: number;
  /** Entries added up: stream entries (XLEN), hash fields, set or list members. */
  entries: number;
}

export interface RedisProcess {
  readonly pid: number;
  readonly url: string;
  stats(): Promise<RedisStats>;
  /** Wire Lab's keys by kind (SCAN, then MEMORY USAGE for each: call it once, at the end). */
  keys(): Promise<RedisKeyGroup[]>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wirelab-bench-redis-'));
  const port = await freeTcpPort();
  let log = '';
  const child: ChildProcess = spawn(
    'redis-server',
    [
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''],
      ...['--appendonly', 'yes', '--appendfsync', 'everysec'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (b: Buffer) => {
    log = (log + b.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The bench stopped before `stop()` (a signal, an error): take this process and its files along.
  const orphaned = () => {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', orphaned);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) =>
      reject(
        new Error(`redis-server did not start (${err.message}): is the redis-server package installed?`),
      ),
    );
    void exited.then(() => reject(new Error(`redis-server exited at start:\n${log}`)));
  });
  await Promise.race([waitForPort(port), failed]);
  const url = `redis://127.0.0.1:${port}`;
  const client = createClient({ url });
  client.on('error', () => {}); // at stop; a failed INFO rejects on its own
  await client.connect();

  return {
    pid: child.pid ?? 0,
    url,
    async stats() {
      const [commandstats, memory, keys] = await Promise.all([
        client.info('commandstats'),
        client.info('memory'),
        client.dbSize(),
      ]);
      const calls: Record<string, number> = { all: 0 };
      // cmdstat_xadd:calls=12,usec=…   (subcommands: cmdstat_client|setname)
      for (const m of String(commandstats).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        const n = Number(m[2]);
        const cmd = m[1] ?? '?';
        calls[cmd] = n;
        if (!OWN.has(cmd)) calls.all = (calls.all ?? 0) + n;
      }
      const usedMemory = Number(/^used_memory:(\d+)/m.exec(String(memory))?.[1] ?? Number.NaN);
      return { calls, usedMemory, keys: Number(keys) };
    },
    async keys() {
      const groups = new Map<string, RedisKeyGroup>();
      let cursor = '0';
      do {
        const [next, found] = (await client.sendCommand([
          'SCAN',
          cursor,
          'MATCH',
          'wl:*',
          'COUNT',
          '1000',
        ])) as [string, string[]];
        cursor = String(next);
        for (const key of found) {
          const type = String(await client.sendCommand(['TYPE', key]));
          const bytes = Number(await client.sendCommand(['MEMORY', 'USAGE', key, 'SAMPLES', '0']));
          const size = SIZE[type];
          const entries = size ? Number(await client.sendCommand([size, key])) : 1;
          const pattern = keyPattern(key);
          const g = groups.get(pattern) ?? { pattern, type, count: 0, bytes: 0, entries: 0 };
          g.count += 1;
          g.bytes += bytes;
          g.entries += entries;
          groups.set(pattern, g);
        }
      } while (cursor !== '0');
      return [...groups.values()].sort((a, b) => b.bytes - a.bytes);
    },
    async stop() {
      process.off('exit', orphaned);
      await client.close().catch(() => client.destroy());
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The bench's own questions, not Wire Lab's traffic. */
const OWN = new Set([
  'info',
  'dbsize',
  'scan',
  'type',
  'memory|usage',
  'xlen',
  'hlen',
  'scard',
  'zcard',
  'llen',
]);

/** The command that counts a key's entries, by type. */
const SIZE: Record<string, string> = {
  stream: 'XLEN',
  hash: 'HLEN',
  set: 'SCARD',
  zset: 'ZCARD',
  list: 'LLEN',
};

/** `wl:room:ABC123:feed` → `wl:room:*:feed`, `wl:node:3f2a` → `wl:node:*`, `wl:binds` as it is. */
export function keyPattern(key: string): string {
  const parts = key.split(':');
  if (parts.length <= 2) return key;
  return `${parts[0]}:${parts[1]}:*${parts.length > 3 ? `:${parts.at(-1)}` : ''}`;
}
