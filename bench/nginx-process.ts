/**
 * The scale bench's nginx: the shipped `deploy/nginx.conf`, rendered for this run as
 * `npm run start:many` renders it (its upstream's servers become the Wire Lab processes' ports,
 * its `listen` a free loopback port), with room for the bench's class, started as a plain process
 * (Debian's `nginx-light`) in a directory of the run's own:
 * `nginx -p <dir> -c <file> -g 'daemon off; …'`. Nothing outside that directory is written.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, waitForPort } from '../tests/helpers/redis-server.ts';
import { renderNginxConf } from '../server/many/nginx.ts';
import { childPids, groupUsage, type ProcessUsage } from './process-usage.ts';

export interface NginxProcess {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** Which file was rendered (repository-relative), and what the rendering changed in it. */
  readonly source: string;
  readonly changes: string[];
  /** Master and workers together. */
  usage(): ProcessUsage;
  /** What its error log said, by kind, with how often (filled at `stop`). */
  readonly errors: Record<string, number>;
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Raises `worker_connections` to what a class of the bench's size needs, when the file has less:
 * 3,000 learners hold 15,000 connections, each two descriptors in nginx, while the shipped 4096 a
 * worker is sized for a class of 500 a worker. Returns the text and what changed.
 */
export function raiseWorkerConnections(text: string, needed: number): { text: string; changes: string[] } {
  const changes: string[] = [];
  const out = text.replace(
    /^([ \t]*)worker_connections[ \t]+(\d+)[ \t]*;/m,
    (line, pad: string, n: string) => {
      if (Number(n) >= needed) return line;
      changes.push(`worker_connections ${n} → ${needed}`);
      return `${pad}worker_connections ${needed};`;
    },
  );
  return { text: out, changes };
}

export async function startNginx(upstreamPorts: number[], workerConnections: number): Promise<NginxProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wirelab-bench-nginx-'));
  const port = await freeTcpPort();
  const source = 'deploy/nginx.conf';
  // The shipped file as the launcher renders it (server/many/nginx.ts: its listen and upstream
  // servers), with `reuseport` on the listen so the kernel spreads connections over the workers
  // (here each may open 20,000 files and nginx may not raise that), and room for the class.
  const shipped = renderNginxConf(fs.readFileSync(path.join(root, source), 'utf8'), {
    listen: `127.0.0.1:${port} reuseport`,
    upstreams: upstreamPorts,
  });
  const { text, changes } = raiseWorkerConnections(shipped, workerConnections);
  changes.unshift(
    `listen 127.0.0.1:${port} reuseport`,
    `upstream servers → ${upstreamPorts.map((p) => `127.0.0.1:${p}`).join(', ')}`,
  );
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, text);
  const errorLog = path.join(dir, 'error.log');
  const child: ChildProcess = spawn(
    'nginx',
    [
      '-p',
      `${dir}/`,
      '-c',
      conf,
      '-g',
      `daemon off; pid ${path.join(dir, 'nginx.pid')}; error_log ${errorLog} warn;`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The bench stopped before `stop()` (a signal, an error): take this process and its files along.
  const orphaned = () => {
    child.kill('SIGTERM'); // the master stops its workers (SIGKILL would leave them running)
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', orphaned);
  const log = () =>
    `${stderr}${fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8').slice(-4000) : ''}`;
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) =>
      reject(new Error(`nginx did not start (${err.message}): is nginx (nginx-light) installed?`)),
    );
    void exited.then(() => reject(new Error(`nginx exited at start:\n${log()}`)));
  });
  await Promise.race([waitForPort(port), failed]);
  const master = child.pid ?? 0;
  let workers = childPids(master);
  const errors: Record<string, number> = {};
  return {
    errors,
    base: `http://127.0.0.1:${port}`,
    source,
    changes,
    usage() {
      if (workers.length === 0) workers = childPids(master);
      return groupUsage([master, ...workers]);
    },
    async stop() {
      process.off('exit', orphaned);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); // fast shutdown
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
      const said = fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8') : '';
      // `2026/12/06 14:26:14 [error] 17310#17310: *17776 recv() failed (104: …) while …, client: …`
      for (const line of said.split('\n')) {
        const m = /\[(\w+)\] \d+#\d+: (?:\*\d+ )?([^,]*)/.exec(line);
        if (!m || /setrlimit|worker_connections exceed/.test(line)) continue;
        const kind = `[${m[1]}] ${m[2]?.replace(/\d{3,}/g, 'N').slice(0, 140)}`;
        if (Object.keys(errors).length < 30 || kind in errors) errors[kind] = (errors[kind] ?? 0) + 1;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
