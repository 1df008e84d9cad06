/**
 * A real `redis-server` (Debian package `redis-server`) started by a test as a plain process on a
 * free loopback port, with its append-only file in a temporary directory: a restart keeps what
 * Redis kept, as a deployment's Redis does (docs/scale.md). No systemd, nothing left behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeTcpPort, waitForPort } from './ports.ts';

export { freeTcpPort, waitForPort } from './ports.ts';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops it the hard way (SIGKILL: what was acknowledged is in the append-only file). */
  kill(): Promise<void>;
  /** Starts it again on the same port and file, and waits until it answers. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wirelab-redis-'));
  const port = await freeTcpPort();
  let child: ChildProcess | null = null;
  let log = '';

  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (b: Buffer) => {
      log = (log + b.toString()).slice(-4000);
    });
    child.stderr?.on('data', (b: Buffer) => {
      log = (log + b.toString()).slice(-4000);
    });
    const failed = new Promise<never>((_, reject) =>
      child?.once('error', (err) =>
        reject(
          new Error(`redis-server did not start (${err.message}): is the redis-server package installed?`),
        ),
      ),
    );
    try {
      await Promise.race([waitForPort(port), failed]);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${log}`);
    }
  };
  const kill = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await gone;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    async stop() {
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
