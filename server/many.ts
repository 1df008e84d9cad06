/**
 * `npm run start:many -- --processes N`: Wire Lab as N processes on one machine, behind nginx, on
 * one Redis (docs/scale.md, "Running many processes").
 *
 * Needs `WIRELAB_REDIS_URL` (the processes share classes' room feeds, bindings and bounds there)
 * and nginx (Debian: nginx-light). Builds the site when needed, as `npm start` does, starts N
 * `server/index.ts` processes on 127.0.0.1 at consecutive ports (PORT + 10 onwards), renders
 * deploy/nginx.conf for them into a temporary directory and runs nginx on HOST:PORT (the address
 * `npm start` would use). A process or nginx that dies is started again (1 s, 2 s, 4 s … 30 s
 * apart); SIGINT or SIGTERM stops them all.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Config } from './config.ts';
import { findNginx, NO_NGINX, renderNginxConf, SHIPPED_NGINX_CONF, spawnNginx } from './many/nginx.ts';
import { portIsFree } from './many/port.ts';
import { keepRunning, type Restarting, type Started } from './many/restarting.ts';
import { spawnWireLab } from './many/wirelab-process.ts';
import { buildSiteIfStale } from './site-build.ts';
import { connectShared } from './shared/redis.ts';

const USAGE = `Usage: npm run start:many -- [--processes N] [--first-port P] [--no-build]
  --processes N   Wire Lab processes to run (default: one per core, here ${os.availableParallelism()})
  --first-port P  the first process's port on 127.0.0.1 (default: PORT + 10); the others follow
  --no-build      serve the build in dist/ as it is (as npm run serve does), even if sources changed
Environment: WIRELAB_REDIS_URL (required), HOST and PORT (where nginx listens: localhost:4321),
and every WIRELAB_* setting, which each process reads as \`npm start\` does.`;

/** Prints one line on stderr and exits 1: what went wrong and what to do. */
function refuse(line: string): never {
  console.error(line);
  process.exit(1);
}

function readArgs(config: Config): { processes: number; firstPort: number; build: boolean } {
  let values: { processes?: string; 'first-port'?: string; 'no-build'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        processes: { type: 'string', short: 'n' },
        'first-port': { type: 'string' },
        'no-build': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    refuse(`${(err as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const processes = values.processes === undefined ? os.availableParallelism() : Number(values.processes);
  if (!Number.isInteger(processes) || processes < 1 || processes > 64) {
    refuse(`--processes must be a whole number from 1 to 64 (got ${values.processes}).`);
  }
  const firstPort = values['first-port'] === undefined ? config.port + 10 : Number(values['first-port']);
  if (!Number.isInteger(firstPort) || firstPort < 1 || firstPort + processes - 1 > 65535) {
    refuse(`--first-port must leave room for ${processes} ports below 65536 (got ${values['first-port']}).`);
  }
  return { processes, firstPort, build: !values['no-build'] };
}

/** nginx's `listen` for HOST:PORT: `localhost` is 127.0.0.1, `0.0.0.0` every IPv4 interface. */
function listenOn(host: string, port: number): string {
  if (host === 'localhost') return `127.0.0.1:${port}`;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Lines each process prints at start about where it listens: the launcher says where to go instead. */
const PROCESS_BANNER = /^(Wire Lab is running\.| {2}Local: | {2}Network: )/;

async function main(): Promise<void> {
  // A bad setting (WIRELAB_…=) is one line naming it, as `npm start` would stop on it.
  const config = await import('./config.ts').then(
    (m) => m.config,
    (err: Error) => refuse(err.message),
  );
  const { processes, firstPort, build } = readArgs(config);
  if (!config.redisUrl) {
    refuse(
      'start:many needs WIRELAB_REDIS_URL (e.g. redis://127.0.0.1:6379): the processes share room feeds and bounds through Redis. Without it, use npm start (one process).',
    );
  }
  const nginxBinary = findNginx() ?? refuse(NO_NGINX);
  // One line naming the URL when Redis does not answer, before N processes each say so.
  await connectShared(config.redisUrl, { connectTimeoutMs: config.redisConnectTimeoutMs }).then(
    (shared) => shared.close(),
    (err: Error) => refuse(err.message),
  );
  const ports = Array.from({ length: processes }, (_, i) => firstPort + i);
  for (const port of [config.port, ...ports]) {
    if (!(await portIsFree(port))) {
      refuse(
        `Port ${port} is in use: stop what listens there, or choose other ports (PORT=…, --first-port …).`,
      );
    }
  }
  if (build) buildSiteIfStale();

  // The processes listen on loopback only: nginx, on this machine, is their one client, and
  // X-Forwarded-For from it names the real one (plus any proxy the operator already trusts).
  const trust = ['127.0.0.1', config.trustProxy].filter((t) => t !== '').join(', ');
  /** Every child ever started: whatever happens to the launcher, none outlives it. */
  const spawned = new Set<Started>();
  /** nginx's temporary prefix directories (each is removed when its nginx exits, and at the end). */
  const nginxDirs = new Set<string>();
  const startProcess = (i: number): Started => {
    const name = `[${i + 1}]`;
    const p = spawnWireLab(ports[i] as number, {
      env: { WIRELAB_TRUST_PROXY: trust },
      output: (line, stream) => {
        if (stream === 'stderr') console.error(`${name} ${line}`);
        else if (!PROCESS_BANNER.test(line)) console.log(`${name} ${line}`);
      },
    });
    const started: Started = {
      pid: p.child.pid,
      ready: p.ready,
      exited: p.exited,
      stop: () => p.child.kill('SIGTERM'),
      kill: () => p.child.kill('SIGKILL'),
    };
    spawned.add(started);
    void p.exited.then(() => spawned.delete(started));
    return started;
  };
  const listen = listenOn(config.host, config.port);
  const conf = renderNginxConf(fs.readFileSync(SHIPPED_NGINX_CONF, 'utf8'), {
    listen,
    upstreams: ports,
    // Room for a body just over the largest bound, so the process's own 413 names the bound.
    maxBodyBytes: 2 * Math.max(config.maxMessageBytes, config.sandboxSourceBytes),
  });
  const startNginx = (): Started => {
    const n = spawnNginx(conf, config.port, nginxBinary);
    nginxDirs.add(n.dir);
    n.child.stderr?.on('data', (text: string) => process.stderr.write(`[nginx] ${text}`));
    const started: Started = {
      pid: n.child.pid,
      ready: n.ready,
      exited: n.exited,
      stop: () => n.child.kill('SIGQUIT'), // graceful: open streams end as the processes stop
      kill: () => n.child.kill('SIGKILL'),
    };
    spawned.add(started);
    void n.exited.then(() => spawned.delete(started));
    return started;
  };

  const kept: Restarting[] = [];
  const say = (line: string) => console.error(`start:many: ${line}`);
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // All at once: nginx stops taking connections and exits when the ones it relays have ended
    // (SIGQUIT); each process ends its streams and sockets as on its own SIGTERM
    // (shutdownGraceMs), and those endings pass through nginx to the browsers. SIGKILL after that.
    const grace = config.shutdownGraceMs + 3_000;
    await Promise.all(kept.map((k) => k.stop(grace)));
    process.exit(code);
  };
  process.on('SIGINT', () => (stopping ? process.exit(1) : void stopAll(0)));
  process.on('SIGTERM', () => (stopping ? process.exit(1) : void stopAll(0)));
  // However the launcher ends (a refusal, a signal during the start), it leaves no process behind.
  process.on('exit', () => {
    for (const k of kept) k.killNow();
    for (const s of spawned) s.kill();
    for (const dir of nginxDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  const firsts = ports.map((_, i) => startProcess(i));
  const started = await Promise.allSettled(firsts.map((s) => s.ready));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    for (const s of firsts) s.kill();
    refuse((failed.reason as Error).message);
  }
  const proxy = startNginx();
  try {
    await proxy.ready;
  } catch (err) {
    for (const s of firsts) s.kill();
    refuse((err as Error).message);
  }
  kept.push(keepRunning('nginx', proxy, startNginx, say));
  firsts.forEach((first, i) => {
    kept.push(keepRunning(`process [${i + 1}] (port ${ports[i]})`, first, () => startProcess(i), say));
  });

  const lines = [
    `Wire Lab is running: ${processes} processes (ports ${ports[0]}–${ports[ports.length - 1]}) behind nginx, on Redis.`,
    `  Processes: ${firsts.map((f, i) => `[${i + 1}] port ${ports[i]} pid ${f.pid}`).join(', ')}; nginx pid ${proxy.pid}`,
    `  Local:   http://localhost:${config.port}/`,
  ];
  if (config.host === '0.0.0.0' || config.host === '::') {
    for (const list of Object.values(os.networkInterfaces())) {
      for (const nic of list ?? []) {
        if (!nic.internal && nic.family === 'IPv4') {
          lines.push(`  Network: http://${nic.address}:${config.port}/   ← share with the class`);
        }
      }
    }
  } else {
    lines.push('  Network: not exposed. Use HOST=0.0.0.0 npm run start:many to open it to a classroom LAN.');
  }
  console.log(lines.join('\n'));
}

await main();
