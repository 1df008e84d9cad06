/**
 * `npm run dev`: Astro's dev server with the lab mounted (server/dev.ts), over real sockets.
 * The sandboxed runner is an opaque origin, so everything it asks for is a cross-site request
 * with `Origin: null`: the lab must answer it, and the runner's own modules must load, while the
 * rest of the dev server stays behind Astro's guard against cross-site reads.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, test } from 'node:test';
import { dev } from 'astro';
import { raw, request } from './lab-wire.ts';

const SESSION = 'devServerTest_0123456789';
/** What Chromium sends for a module script or a fetch from the sandboxed runner frame. */
const fromRunner = (dest: 'script' | 'empty') => ({
  Origin: 'null',
  'Sec-Fetch-Site': 'cross-site',
  'Sec-Fetch-Mode': 'cors',
  'Sec-Fetch-Dest': dest,
});

let server: Awaited<ReturnType<typeof dev>>;
let port: number;
/**
 * Where the dev server listens: the tests connect there, and wait long for an answer (Vite
 * compiles a module at its first request, slowly on a machine busy with the other test files).
 */
let at: { host: string; timeoutMs: number };

before(async () => {
  // Read when the dev server mounts the classroom: classes in memory, nothing written into the repository.
  process.env.WIRELAB_DATA_DIR = ':memory:';
  // As a teacher's shell would have it after the README's `HOST=0.0.0.0 npm start`: the dev
  // server must not follow it (astro.config.mjs). No host is given here, so the config decides.
  process.env.HOST = '0.0.0.0';
  delete process.env.WIRELAB_DEV_HOST;
  server = await dev({
    root: new URL('../../', import.meta.url).pathname,
    logLevel: 'error',
    server: { port: 0 },
  });
  port = server.address.port;
  at = { host: server.address.address, timeoutMs: 60_000 };
});

after(async () => {
  await server?.stop();
});

test('dev: the lab answers the runner’s cross-site requests, with CORS', async () => {
  const res = await raw(port, request('GET', `/lab/${SESSION}/time`, fromRunner('empty')), at);
  assert.equal(res.status, 200);
  assert.equal(res.headers['access-control-allow-origin'], '*');
  assert.match(res.body.toString(), /"time":/);
});

test('dev: the runner page’s own modules load from an opaque origin', async () => {
  const page = await raw(port, request('GET', '/runner/'), at);
  const script = /src="(\/src\/pages\/runner\.astro\?[^"]+)"/.exec(page.body.toString())?.[1];
  assert.ok(script, 'the runner page names its module');
  for (const path of [script.replaceAll('&amp;', '&'), '/@vite/client']) {
    const res = await raw(port, request('GET', path, fromRunner('script')), at);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers['access-control-allow-origin'], '*', path);
  }
});

test('dev: other files stay behind the dev server’s guard against cross-site reads', async () => {
  for (const path of [
    '/src/components/SiteHeader.astro',
    '/astro.config.mjs',
    '/src/playground/../../package.json',
    '/src/playground/%2e%2e/%2e%2e/package.json',
    '/@fs/etc/hostname',
    '/@id//astro.config.mjs',
    '/src/playground/runner.ts?raw',
    '/src/playground/runner.ts?import&raw',
    '/node_modules/vite/package.json?raw',
    '/src/pages/runner.astro?raw',
  ]) {
    const res = await raw(port, request('GET', path, fromRunner('script')), at);
    assert.notEqual(res.status, 200, path);
    assert.equal(res.headers['access-control-allow-origin'], undefined, path);
  }
  // Not a module script, even from the runner's origin: refused too.
  const res = await raw(port, request('GET', '/@vite/client', fromRunner('empty')), at);
  assert.equal(res.status, 403);
});

/** Whether a TCP connection to `host`:`port` is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('dev: with HOST=0.0.0.0 in the environment the dev server still listens on loopback only', async () => {
  assert.match(at.host, /^(127\.\d+\.\d+\.\d+|::1)$/, `listening on ${at.host}`);
  assert.equal(await accepts(at.host, port), true);
  // The machine's own LAN addresses are where a classroom would reach it: nothing answers there.
  const lan = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal)
    .map((a) => a!.address);
  for (const address of lan) assert.equal(await accepts(address, port), false, `answered on ${address}`);
});
