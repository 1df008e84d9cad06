/**
 * nginx in front of several Wire Lab processes: the shipped `deploy/nginx.conf`, rendered for the
 * ports of a run, and nginx started on it as a plain process (no root, no service) in a temporary
 * prefix directory of its own. Used by `npm run start:many` (server/many.ts) and by the tests, so
 * both run the routing rules exactly as shipped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForPort } from './port.ts';

/** The shipped configuration. */
export const SHIPPED_NGINX_CONF = fileURLToPath(new URL('../../deploy/nginx.conf', import.meta.url));

export interface NginxPlan {
  /** What nginx listens on: `127.0.0.1:4321`, `0.0.0.0:4321`, `[::]:4321`. */
  readonly listen: string;
  /** Ports of the Wire Lab processes on 127.0.0.1, one `server` line each. */
  readonly upstreams: readonly number[];
  /** `client_max_body_size` in bytes; the shipped value when not given. */
  readonly maxBodyBytes?: number;
}

const LISTEN = /^([ \t]*)listen[ \t]+[^;\n]+;/gm;
const UPSTREAM_SERVER = /^([ \t]*)server[ \t]+127\.0\.0\.1:\d+([^;\n]*);[ \t]*\n/gm;
const BODY = /^([ \t]*)client_max_body_size[ \t]+[^;\n]+;/gm;

/**
 * `template` (the text of deploy/nginx.conf) with its one `listen` line, its block of
 * `server 127.0.0.1:<port> …;` lines (one per upstream, with the first line's parameters) and,
 * when asked, `client_max_body_size` replaced. Throws when the template no longer has exactly those
 * lines, so a changed file fails loudly instead of routing to ports nobody chose.
 */
export function renderNginxConf(template: string, plan: NginxPlan): string {
  if (plan.upstreams.length === 0) throw new Error('nginx needs at least one upstream port');
  const listens = [...template.matchAll(LISTEN)];
  const servers = [...template.matchAll(UPSTREAM_SERVER)];
  const bodies = [...template.matchAll(BODY)];
  if (listens.length !== 1 || servers.length === 0 || bodies.length !== 1) {
    throw new Error(
      `nginx.conf: expected one "listen", one "client_max_body_size" and a block of "server 127.0.0.1:<port>" lines (found ${listens.length}, ${bodies.length}, ${servers.length})`,
    );
  }
  const first = servers[0] as RegExpMatchArray;
  const last = servers[servers.length - 1] as RegExpMatchArray;
  const start = first.index ?? 0;
  const end = (last.index ?? 0) + last[0].length;
  if (template.slice(start, end) !== servers.map((m) => m[0]).join('')) {
    throw new Error('nginx.conf: the "server 127.0.0.1:<port>" lines must follow each other');
  }
  const [, indent = '', params = ''] = first;
  const lines = plan.upstreams.map((port) => `${indent}server 127.0.0.1:${port}${params};\n`).join('');
  let out = template.slice(0, start) + lines + template.slice(end);
  out = out.replace(LISTEN, (_m, pad: string) => `${pad}listen ${plan.listen};`);
  if (plan.maxBodyBytes !== undefined) {
    const size = `${Math.ceil(plan.maxBodyBytes / 1024)}k`;
    out = out.replace(BODY, (_m, pad: string) => `${pad}client_max_body_size ${size};`);
  }
  return out;
}

/** The nginx binary: on PATH, or Debian's /usr/sbin/nginx (not on a normal user's PATH); null if none. */
export function findNginx(): string | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const dir of [...dirs, '/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin']) {
    const file = path.join(dir, 'nginx');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {}
  }
  return null;
}

/** The one line to print when there is no nginx. */
export const NO_NGINX =
  'nginx was not found (on PATH or in /usr/sbin): install it (Debian/Ubuntu: sudo apt-get install nginx-light) and try again.';

export interface RunningNginx {
  readonly child: ChildProcess;
  /** The temporary prefix directory (the rendered nginx.conf, its pid file and temp folders). */
  readonly dir: string;
  /** Resolves once it accepts connections; rejects with its own words if it exits first. */
  readonly ready: Promise<void>;
  /** Resolves when nginx exits, with how. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What nginx printed on stderr lately. */
  log(): string;
  /** Stops nginx (SIGTERM, SIGKILL after 5 s), waits for it and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Writes `conf` into a fresh temporary prefix and starts nginx on it. `ready` resolves once it
 * accepts connections on `port` (the port of its `listen` line). Its directory goes when it exits.
 */
export function spawnNginx(conf: string, port: number, binary = findNginx()): RunningNginx {
  if (binary === null) throw new Error(NO_NGINX);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wirelab-nginx-'));
  // When nginx starts as root its workers run as `nobody`: they must be able to enter the prefix.
  fs.chmodSync(dir, 0o755);
  const file = path.join(dir, 'nginx.conf');
  fs.writeFileSync(file, conf);
  // -e stderr: builds whose compiled-in error log is a file under /var/log would try to open it
  // before reading the configuration. -g: in the foreground (this process owns it), its pid file
  // in the prefix (the default, /run/nginx.pid, is root's), warnings to its stderr.
  const global = 'daemon off; pid nginx.pid; error_log stderr warn;';
  const child = spawn(binary, ['-e', 'stderr', '-p', `${dir}/`, '-c', file, '-g', global], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    log = (log + text).slice(-8_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: -1, signal: null }));
  });
  void exited.then(() => fs.rmSync(dir, { recursive: true, force: true }));
  const early = exited.then(({ code, signal }) => {
    throw new Error(`nginx exited at start (${signal ?? `code ${code}`}): ${log.trim() || 'no message'}`);
  });
  early.catch(() => {});
  const alive = () => child.exitCode === null && child.signalCode === null;
  const ready = Promise.race([waitForPort(port, 10_000, alive), early]);
  ready.catch(() => {}); // the caller awaits it
  const stop = async () => {
    if (alive()) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(force);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { child, dir, ready, exited, log: () => log, stop };
}

/** `spawnNginx`, resolved once it listens (stopped again if it does not). */
export async function startNginx(conf: string, port: number, binary = findNginx()): Promise<RunningNginx> {
  const nginx = spawnNginx(conf, port, binary);
  try {
    await nginx.ready;
  } catch (err) {
    await nginx.stop();
    throw err;
  }
  return nginx;
}
