/**
 * deploy/nginx.conf, as shipped, in front of two tiny servers that answer their own name: it keeps
 * a lab session (and a class) on one process, spreads sessions over both, lets streams through as
 * they are written, upgrades WebSockets, says who the client is, and moves the keys of a process
 * that died to the other (docs/scale.md, "Running many processes").
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { type NginxProxy, startNginxProxy } from '../helpers/nginx.ts';
import { nginxRing } from '../helpers/nginx-ring.ts';
import { newSessionId } from '../helpers/server.ts';
import { type NamedUpstream, startNamedUpstream } from './named-upstream.ts';

let a: NamedUpstream;
let b: NamedUpstream;
let proxy: NginxProxy;

before(async () => {
  a = await startNamedUpstream('A');
  b = await startNamedUpstream('B');
  proxy = await startNginxProxy([a.port, b.port]);
});
after(async () => {
  await proxy?.stop();
  await a?.close();
  await b?.close();
});

/** The name of the upstream that answered a GET of `path` through nginx. */
async function nameFor(path: string, init: RequestInit = {}): Promise<string> {
  const res = await fetch(`${proxy.url}${path}`, init);
  const body = (await res.json()) as { name: string };
  assert.equal(res.status, 200, `${path}: ${JSON.stringify(body)}`);
  return body.name;
}

/** The name of the upstream that took a WebSocket to `path` through nginx (it says so first). */
async function wsNameFor(path: string): Promise<string> {
  const ws = new WebSocket(`${proxy.url.replace('http', 'ws')}${path}`);
  const first = await new Promise<string>((resolve, reject) => {
    ws.once('message', (data) => resolve(String(data)));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
  });
  ws.close();
  assert.match(first, new RegExp(` ${path.replace(/[?]/g, '\\?')}$`));
  return first.split(' ')[0] as string;
}

const nameOfPort = (port: number): string => (port === a.port ? 'A' : 'B');

test("every request of one lab session (SSE, poll, WebSocket, inspector) reaches the same process, the one nginx's ring names", async () => {
  const ring = nginxRing([a.port, b.port]);
  for (let i = 0; i < 12; i++) {
    const s = newSessionId();
    const names = [
      await nameFor(`/lab/${s}/sse`),
      await nameFor(`/lab/${s}/poll?since=3`),
      await nameFor(`/lab/${s}/send`, { method: 'POST', body: '{"text":"hi"}' }),
      await nameFor(`/lab/${s}`),
      await wsNameFor(`/lab/${s}/ws`),
      await wsNameFor(`/inspect/${s}`),
    ];
    assert.deepEqual(names, Array(names.length).fill(nameOfPort(ring.portFor(s))), `session ${s}`);
  }
});

test('many sessions spread over both processes', async () => {
  const ring = nginxRing([a.port, b.port]);
  const counts: Record<string, number> = { A: 0, B: 0 };
  for (let i = 0; i < 60; i++) {
    const s = newSessionId();
    const name = await nameFor(`/lab/${s}/poll`);
    assert.equal(name, nameOfPort(ring.portFor(s)));
    counts[name] = (counts[name] ?? 0) + 1;
  }
  assert.ok((counts.A ?? 0) >= 10 && (counts.B ?? 0) >= 10, `60 sessions went ${JSON.stringify(counts)}`);
});

test("a class's HTTP requests and its channel /class/<code>/ws all reach one process, keyed class:<code>", async () => {
  const ring = nginxRing([a.port, b.port]);
  const seen = new Set<string>();
  for (const code of ['B8K4QZ', 'HJKMNP', 'QRSTUV', 'WXYZ23', '456789', 'ABCDEF', 'GHJKMN', 'PQRSTU']) {
    const names = [
      await nameFor(`/class/${code}`),
      await nameFor(`/class/${code}/join`, { method: 'POST', body: '{}' }),
      await nameFor(`/class/${code}/qr.svg?lang=en&origin=0`),
      await wsNameFor(`/class/${code}/ws`),
    ];
    const expected = nameOfPort(ring.portFor(`class:${code}`));
    assert.deepEqual(names, Array(names.length).fill(expected), `class ${code}`);
    seen.add(expected);
  }
  assert.equal(seen.size, 2, 'eight classes all landed on one process');
});

test('pages and other paths are keyed by their URI: one path always reaches the same process', async () => {
  const ring = nginxRing([a.port, b.port]);
  for (const path of ['/', '/en/', '/zh/lessons/', '/_astro/page.js', '/class', '/lab/short/x']) {
    const first = await nameFor(path);
    assert.equal(first, nameOfPort(ring.portFor(path)), path);
    assert.equal(await nameFor(`${path}?again=1`), first, `${path} with a query`);
  }
});

test('a streamed response reaches the client chunk by chunk while the process still holds it open', {
  timeout: 15_000,
}, async () => {
  const ring = nginxRing([a.port, b.port]);
  const id = newSessionId();
  const upstream = ring.portFor(`/hold/${id}`) === a.port ? a : b;
  const socket = net.connect(proxy.port, '127.0.0.1');
  let text = '';
  const waiters: Array<() => void> = [];
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => {
    text += d;
    for (const w of waiters.splice(0)) w();
  });
  const received = async (needle: string) => {
    while (!text.includes(needle)) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  socket.write(`GET /hold/${id} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  // Each chunk is written only after the one before reached the client: a buffering proxy would
  // hold the first one, and the test would fail on its timeout.
  for (const word of ['first', 'second', 'third']) {
    await upstream.writeHeld(id, `data: ${word}\n\n`);
    await received(`data: ${word}\n\n`);
  }
  assert.match(text, /^HTTP\/1\.1 200 /);
  assert.match(text, /\r\ntransfer-encoding: chunked\r\n/i);
  upstream.endHeld(id);
  await received('\r\n0\r\n\r\n');
  socket.destroy();
});

test('a request body reaches the process as the client sends it, before it is complete', {
  timeout: 15_000,
}, async () => {
  const ring = nginxRing([a.port, b.port]);
  const id = newSessionId();
  const upstream = ring.portFor(`/body/${id}`) === a.port ? a : b;
  const socket = net.connect(proxy.port, '127.0.0.1');
  let answer = '';
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => {
    answer += d;
  });
  const ended = new Promise((resolve) => socket.once('end', resolve));
  socket.write(
    `POST /body/${id} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\nConnection: close\r\n\r\nhello`,
  );
  // The second half is sent only once the process has the first: nginx buffering the body would
  // wait for all 10 bytes first, and the test would fail on its timeout.
  await upstream.bodySoFar(id, (t) => t === 'hello');
  socket.write('world');
  await ended;
  assert.match(answer, new RegExp(`${upstream.name} read 10 bytes`));
});

test('a client that stops reading holds the process back: nginx keeps no stream in buffers or files of its own', {
  timeout: 60_000,
}, async () => {
  const ring = nginxRing([a.port, b.port]);
  const id = newSessionId();
  const upstream = ring.portFor(`/flood/${id}`) === a.port ? a : b;
  const socket = net.connect(proxy.port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(`GET /flood/${id} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  socket.pause(); // reads nothing: what the process writes can only pile up between the two
  // Behind a buffering proxy the process would write on (into nginx's memory and temp files) and
  // never see its reader fall behind: the lab's maxBufferedBytes would never cut a slow reader.
  const { written, backedUp } = await upstream.flooded(id);
  socket.destroy();
  assert.ok(backedUp, `the process wrote ${written} bytes and never had to wait`);
  // Between them, the sockets' kernel buffers and nginx's one buffer hold a few MiB.
  assert.ok(written < 64 * 1024 * 1024, `${written} bytes left the process before it had to wait`);
});

test('a WebSocket upgrade works through nginx: 101, then messages both ways', async () => {
  const s = newSessionId();
  const ws = new WebSocket(`${proxy.url.replace('http', 'ws')}/lab/${s}/echo`);
  const messages: string[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (d) => {
    messages.push(String(d));
    for (const w of waiters.splice(0)) w();
  });
  let status = 0;
  ws.once('upgrade', (res) => {
    status = res.statusCode ?? 0;
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  assert.equal(status, 101);
  ws.send('ping me back');
  while (!messages.some((m) => m.endsWith('echo ping me back'))) {
    await new Promise<void>((resolve) => waiters.push(resolve));
  }
  const name = messages[0]?.split(' ')[0];
  assert.deepEqual(messages, [`${name} /lab/${s}/echo`, `${name} echo ping me back`]);
  ws.close();
});

test("the process hears who the client is (X-Forwarded-For, never the client's own Forwarded) and the Host with its port", async () => {
  const res = await fetch(`${proxy.url}/en/who`, {
    headers: {
      'x-forwarded-for': '203.0.113.9',
      forwarded: 'for=198.51.100.7',
      'x-forwarded-proto': 'https',
    },
  });
  const { headers } = (await res.json()) as { headers: Record<string, string> };
  assert.equal(headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(headers.forwarded, undefined);
  assert.equal(headers['x-forwarded-proto'], 'http');
  assert.equal(headers.host, `127.0.0.1:${proxy.port}`);
  assert.equal(headers.connection, 'close', 'each request on a connection of its own to the process');
});

test("when a process dies, its sessions move to the other; the other's stay where they are", async () => {
  const ring = nginxRing([a.port, b.port]);
  const sessions = Array.from({ length: 30 }, () => newSessionId());
  const onA = sessions.filter((s) => ring.portFor(s) === a.port);
  const onB = sessions.filter((s) => ring.portFor(s) === b.port);
  assert.ok(onA.length > 0 && onB.length > 0);
  for (const s of sessions) assert.equal(await nameFor(`/lab/${s}/poll`), nameOfPort(ring.portFor(s)));

  await a.close(); // runs last: the other tests are done with A
  for (const s of onA) assert.equal(await nameFor(`/lab/${s}/poll`), 'B', `session ${s} of the dead A`);
  for (const s of onB) assert.equal(await nameFor(`/lab/${s}/sse`), 'B', `session ${s} of B`);
  assert.equal(await wsNameFor(`/lab/${onA[0]}/ws`), 'B');
});
