/**
 * The scale bench's nginx: the project's `deploy/nginx.conf` when there is one (else the bench's
 * own `bench/nginx.conf`, same routing), rendered for this run — its upstream's servers become the
 * Wire Lab processes' ports, its `listen` a free loopback port, logs and temporary files go to a
 * directory of the run's own — and started as a plain process (Debian's `nginx-light`):
 * `nginx -p <dir> -c <file> -g 'daemon off; …'`. Nothing outside that directory is written.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, waitForPort } from '../tests/helpers/redis-server.ts';
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

export interface RenderOptions {
  listenPort: number;
  upstreamPorts: number[];
  /** The run's directory: temporary files go there. */
  dir: string;
  /** Connections a worker must be able to hold (client and upstream sides both count). */
  workerConnections: number;
}

const root = fileURLToPath(new URL('..', import.meta.url));

/** `deploy/nginx.conf` if the project ships one, else the bench's own. */
export function nginxSource(): string {
  return fs.existsSync(path.join(root, 'deploy/nginx.conf')) ? 'deploy/nginx.conf' : 'bench/nginx.conf';
}

/**
 * Turns a deployment's nginx.conf into this run's: the servers of its (first) upstream block are
 * replaced by one per Wire Lab process, keeping the first one's parameters (`max_fails=…`); every
 * `listen` becomes the run's port, with `reuseport` (a TLS server is dropped whole: the bench speaks
 * plain HTTP); `user`, `pid`, `daemon` and `error_log` give way to the command line's; access logs
 * are off (the bench measures proxying, not a disk); temporary files go to the run's directory;
 * `worker_connections` is raised when it cannot hold the class. Returns the text and what changed.
 */
export function renderNginxConf(text: string, o: RenderOptions): { text: string; changes: string[] } {
  const changes: string[] = [];
  const lines = text.split('\n');
  const out: string[] = [];
  let upstreamDepth = -1;
  let depth = 0;
  let upstreamDone = false;
  let serversWritten = false;
  let reuseport = false;
  for (let raw of lines) {
    const line = raw.replace(/#.*$/, '');
    const indent = /^\s*/.exec(raw)?.[0] ?? '';
    if (/^\s*(user|pid|daemon|error_log)\s[^;]*;/.test(line)) {
      changes.push(`dropped "${line.trim()}"`);
      continue;
    }
    if (/^\s*access_log\s[^;]*;/.test(line)) {
      if (!/access_log\s+off\s*;/.test(line)) changes.push(`"${line.trim()}" → access_log off`);
      out.push(`${indent}access_log off;`);
      continue;
    }
    const conns = /worker_connections\s+(\d+)\s*;/.exec(line);
    if (conns && Number(conns[1]) < o.workerConnections) {
      changes.push(`worker_connections ${conns[1]} → ${o.workerConnections}`);
      raw = raw.replace(conns[0], `worker_connections ${o.workerConnections};`);
    }
    const listen = /(^|[\s{;])listen\s[^;]*;/.exec(line);
    if (listen) {
      // reuseport: the kernel spreads connections over the workers, so no worker has to hold the
      // whole class (here each may open 20,000 files and nginx may not raise that). Once per
      // address: nginx refuses the option twice.
      const ours = `listen 127.0.0.1:${o.listenPort}${reuseport ? '' : ' reuseport'};`;
      reuseport = true;
      const theirs = listen[0].slice(listen[1]?.length ?? 0);
      if (theirs !== ours) changes.push(`"${theirs}" → "${ours}"`);
      raw = raw.replace(theirs, ours);
    }
    if (!upstreamDone && upstreamDepth < 0 && /^\s*upstream\s+\S+\s*\{/.test(line)) upstreamDepth = depth;
    if (upstreamDepth >= 0 && /^\s*server\s[^;]*;/.test(line)) {
      if (!serversWritten) {
        const params = /^\s*server\s+\S+\s*([^;]*);/.exec(line)?.[1]?.trim() ?? '';
        for (const port of o.upstreamPorts) {
          out.push(`${indent}server 127.0.0.1:${port}${params ? ` ${params}` : ''};`);
        }
        changes.push(`upstream servers → ${o.upstreamPorts.map((p) => `127.0.0.1:${p}`).join(', ')}`);
        serversWritten = true;
      }
      continue;
    }
    out.push(raw);
    if (/^\s*http\s*\{/.test(line)) {
      // Before anything else in http {}: where nginx keeps bodies it buffers, and no access log.
      for (const kind of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
        out.push(`${indent}    ${kind}_temp_path ${path.join(o.dir, `${kind}_temp`)};`);
      }
      out.push(`${indent}    access_log off;`);
    }
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
    if (upstreamDepth >= 0 && depth <= upstreamDepth) {
      upstreamDepth = -1;
      upstreamDone = true;
    }
  }
  if (!serversWritten)
    throw new Error('nginx.conf: no upstream block with server lines to point at the Wire Lab processes');
  return { text: dropSslServers(out.join('\n'), changes), changes };
}

/** Removes `server { … }` blocks that listen with `ssl` (after the listen rewrite they would clash). */
function dropSslServers(text: string, changes: string[]): string {
  // The rewrite above already turned every listen into plain HTTP; a block that also names
  // certificates would fail to start without them, so it goes.
  if (!/ssl_certificate\s/.test(text)) return text;
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\s*server\s*\{/.test(line)) {
      let depth = 0;
      let j = i;
      const block: string[] = [];
      for (; j < lines.length; j++) {
        const l = (lines[j] ?? '').replace(/#.*$/, '');
        block.push(lines[j] ?? '');
        depth += (l.match(/\{/g) ?? []).length - (l.match(/\}/g) ?? []).length;
        if (depth === 0) break;
      }
      if (block.some((l) => /^\s*ssl_certificate\s/.test(l))) {
        changes.push('dropped a server block with TLS certificates');
        i = j;
        continue;
      }
    }
    out.push(line);
  }
  return out.join('\n');
}

export async function startNginx(upstreamPorts: number[], workerConnections: number): Promise<NginxProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wirelab-bench-nginx-'));
  const port = await freeTcpPort();
  const source = nginxSource();
  const { text, changes } = renderNginxConf(fs.readFileSync(path.join(root, source), 'utf8'), {
    listenPort: port,
    upstreamPorts,
    dir,
    workerConnections,
  });
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, text);
  const errorLog = path.join(dir, 'error.log');
  // A relative `include mime.types;` resolves against the -c file's directory: give it Debian's.
  if (fs.existsSync('/etc/nginx/mime.types'))
    fs.copyFileSync('/etc/nginx/mime.types', path.join(dir, 'mime.types'));
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
