/**
 * The sandbox's bounds: past each one the learner gets an answer that names it (a status and a
 * line of text, an SSE comment, a close code and reason), and the inspector is told.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import { type LabServer, newSession, startLab, VIA_APP } from './lab-harness.ts';
import { RawWebSocket } from '../abuse/raw-websocket.ts';
import { raw, request, sleep } from './lab-wire.ts';

const quiet = { tickIntervalMs: 3_600_000 };
const get = (s: LabServer, path: string, headers: Record<string, string> = {}) =>
  raw(s.port, request('GET', path, headers));

/** Opens a WebSocket; resolves how it closed. */
function wsClose(s: LabServer, path: string): Promise<{ code: number; reason: string }> {
  const ws = new WebSocket(`${s.url.replace('http', 'ws')}${path}`);
  ws.on('error', () => {});
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

/** Waits until the lab noted something matching `pattern` (harness only). */
async function noted(s: LabServer, pattern: RegExp): Promise<void> {
  if (!s.notes) return;
  for (let i = 0; i < 200 && !s.notes.some((n) => pattern.test(n)); i++) await sleep(10);
  assert.ok(
    s.notes.some((n) => pattern.test(n)),
    `no note matching ${pattern} in ${JSON.stringify(s.notes)}`,
  );
}

test('past maxConnectionsPerSession a request is a 429 naming the bound, a WebSocket closes 1013', async () => {
  const s = await startLab({ ...quiet, maxConnectionsPerSession: 2 });
  const id = newSession();
  const open = [1, 2].map(() => get(s, `/lab/${id}/poll?timeout=300`));
  await sleep(100);
  const third = await get(s, `/lab/${id}/time`);
  assert.equal(third.status, 429);
  assert.match(
    third.body.toString(),
    /^bound maxConnectionsPerSession \(2\) reached: this session has 2 connections open\./,
  );
  assert.deepEqual(await wsClose(s, `/lab/${id}/echo`), {
    code: 1013,
    reason: 'bound maxConnectionsPerSession (2) reached',
  });
  await noted(s, /maxConnectionsPerSession/);
  await Promise.all(open);
  assert.equal((await get(s, `/lab/${id}/time`)).status, 200, 'free again once the polls are answered');
});

test('past requestsPerSecond a request is a 429 with Retry-After naming the bound', async () => {
  const s = await startLab({ ...quiet, requestsPerSecond: 3 });
  const id = newSession();
  const statuses: number[] = [];
  let limited: Awaited<ReturnType<typeof get>> | undefined;
  for (let i = 0; i < 8; i++) {
    const r = await get(s, `/lab/${id}/time`);
    statuses.push(r.status);
    if (r.status === 429) limited = r;
  }
  assert.deepEqual(statuses.slice(0, 6), [200, 200, 200, 200, 200, 200], 'a burst of 2× the rate passes');
  assert.ok(limited, `statuses ${statuses}`);
  assert.match(limited.body.toString(), /^bound requestsPerSecond \(3\) reached/);
  assert.ok(Number(limited.headers['retry-after']) >= 1);
  assert.equal((await get(s, `/lab/${newSession()}/time`)).status, 200, 'another session is not limited');
});

test('a body over maxMessageBytes is a 413 naming the bound, whether Content-Length says so or not', async () => {
  const s = await startLab({ ...quiet, maxMessageBytes: 1024 });
  const id = newSession();
  const declared = await raw(s.port, request('POST', `/lab/${id}/send`, {}, 'x'.repeat(1025)));
  assert.equal(declared.status, 413);
  assert.match(declared.body.toString(), /^bound maxMessageBytes \(1024\) reached/);
  const chunk = 'y'.repeat(700);
  const chunkedBody = `${(700).toString(16)}\r\n${chunk}\r\n${(700).toString(16)}\r\n${chunk}\r\n0\r\n\r\n`;
  const chunked = await raw(
    s.port,
    request('POST', `/lab/${id}/send`, { 'Transfer-Encoding': 'chunked' }) + chunkedBody,
  );
  assert.equal(chunked.status, 413);
  const fits = await raw(s.port, request('POST', `/lab/${id}/send`, {}, 'z'.repeat(1024)));
  assert.equal(fits.status, 200);
  await noted(s, /maxMessageBytes/);
});

/** Proves a session: a long poll is real work (server/lab/sessions.ts). */
const prove = async (s: LabServer, id: string) =>
  assert.equal((await get(s, `/lab/${id}/poll?timeout=0`)).status, 204);

test('past maxSessions a newcomer takes the place of the longest idle session that never carried real work', async () => {
  const s = await startLab({ ...quiet, maxSessions: 2 });
  const [a, b] = [newSession(), newSession()];
  await prove(s, a);
  assert.equal((await get(s, `/lab/${b}/time`)).status, 200);
  const c = newSession();
  assert.equal((await get(s, `/lab/${c}/time`)).status, 200, 'b (one GET time) made room');
  const again = await get(s, `/lab/${b}/time`);
  assert.equal(again.status, 200, 'b comes back as a new session, taking the idle c’s place');
  assert.equal(JSON.parse(again.body.toString()).seq, 1);
  const kept = await get(s, `/lab/${a}/time`);
  assert.equal(JSON.parse(kept.body.toString()).seq, 1, 'the proven a was kept');
});

test('past maxSessions with every session proven a new session gets 503 naming the bound and when to retry', async () => {
  const s = await startLab({ ...quiet, maxSessions: 2, sessionIdleMs: 90_000 });
  const [a, b] = [newSession(), newSession()];
  await prove(s, a);
  await prove(s, b);
  const third = await get(s, `/lab/${newSession()}/time`);
  assert.equal(third.status, 503);
  assert.match(third.body.toString(), /^bound maxSessions \(2\) reached: .* Try again in \d+ s/);
  const retry = Number(third.headers['retry-after']);
  assert.ok(retry > 80 && retry <= 90, `Retry-After ${retry}: when a proven idle session may go`);
  assert.equal((await wsClose(s, `/lab/${newSession()}/echo`)).code, 1013);
  assert.equal((await get(s, `/lab/${a}/time`)).status, 200);
});

test('an unproven session is forgotten after unprovenIdleMs, a proven one after sessionIdleMs', {
  skip: VIA_APP,
}, async () => {
  const s = await startLab({ ...quiet, unprovenIdleMs: 100, sessionIdleMs: 600 });
  await get(s, `/lab/${newSession()}/time`);
  await prove(s, newSession());
  assert.equal(s.lab?.stats().sessions, 2);
  for (let i = 0; i < 100 && s.lab?.stats().sessions !== 1; i++) await sleep(20);
  assert.equal(s.lab?.stats().sessions, 1, 'the unproven one went first');
  for (let i = 0; i < 200 && s.lab?.stats().sessions !== 0; i++) await sleep(20);
  assert.equal(s.lab?.stats().sessions, 0, 'then the proven one');
});

test('idle sessions are forgotten after sessionIdleMs, making room for new ones', async () => {
  const s = await startLab({ ...quiet, maxSessions: 1, sessionIdleMs: 100 });
  await prove(s, newSession());
  assert.equal((await get(s, `/lab/${newSession()}/time`)).status, 503);
  await sleep(250);
  assert.equal((await get(s, `/lab/${newSession()}/time`)).status, 200);
  if (s.lab) assert.equal(s.lab.stats().sessions, 1);
});

test('past maxRooms a new room gets 503 naming the bound, unless a room nobody posted to or listened to can make room', async () => {
  const s = await startLab({ ...quiet, maxRooms: 1 });
  const id = newSession();
  assert.equal((await get(s, `/lab/${id}/news?room=first`)).status, 200);
  assert.equal((await get(s, `/lab/${id}/news?room=second`)).status, 200, 'the unproven first made room');
  const posted = await raw(s.port, request('POST', `/lab/${id}/send?room=second`, {}, 'hello'));
  assert.equal(posted.status, 200);
  const third = await get(s, `/lab/${id}/news?room=third`);
  assert.equal(third.status, 503);
  assert.match(third.body.toString(), /^bound maxRooms \(1\) reached/);
  assert.ok(Number(third.headers['retry-after']) > 0);
});

test('past maxStreamMs an SSE stream ends with a comment naming the bound; a WebSocket closes 1008', async () => {
  const s = await startLab({ ...quiet, maxStreamMs: 300 });
  const id = newSession();
  const r = await get(s, `/lab/${id}/sse`);
  assert.equal(r.end, 'complete');
  assert.equal(r.body.toString(), ': bound maxStreamMs (300) reached — stream ended\n\n');
  assert.ok(r.endAt - r.sentAt >= 290);
  assert.deepEqual(await wsClose(s, `/lab/${id}/ws`), {
    code: 1008,
    reason: 'bound maxStreamMs (300) reached',
  });
});

/**
 * Opens `stream?source=feed` and `ws` on raw sockets that read nothing, then posts big messages
 * to the session's feed until the lab has noted both readers behind; returns the two sockets.
 */
async function stallBoth(s: LabServer, id: string): Promise<{ stream: net.Socket; ws: RawWebSocket }> {
  const stream = net.connect(s.port, '127.0.0.1');
  stream.on('error', () => {});
  // Kept alive, as EventSource and fetch keep theirs: the server decides when it closes.
  stream.write(`GET /lab/${id}/stream?source=feed HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  const ws = await RawWebSocket.open(s.port, `/lab/${id}/ws`);
  assert.equal(ws.status, 101);
  stream.pause(); // read nothing: the kernel buffers fill, then Node's
  ws.socket.pause();
  await sleep(100);
  const big = 'x'.repeat(60_000);
  const behind = () => (s.notes ?? []).filter((n) => n.startsWith('bound maxBufferedBytes')).length;
  for (let i = 0; i < 400 && behind() < 2; i++) {
    const r = await fetch(`${s.url}/lab/${id}/send`, { method: 'POST', body: big });
    if (r.status !== 200) throw new Error(`send answered ${r.status}`);
    await r.arrayBuffer();
  }
  return { stream, ws };
}

/** Reads what `socket` has left until the server closes it. */
async function readToEnd(socket: net.Socket): Promise<string> {
  const bytes: Buffer[] = [];
  socket.on('data', (d: Buffer) => bytes.push(d));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.resume();
  await closed;
  return Buffer.concat(bytes).toString('utf8');
}

test('a reader that falls maxBufferedBytes behind gets no more messages, then the reason: SSE comment / last line, close 1008', {
  skip: VIA_APP,
}, async () => {
  const s = await startLab({
    ...quiet,
    maxBufferedBytes: 16 * 1024,
    requestsPerSecond: 100_000,
    slowReaderGraceMs: 60_000, // time enough to read it all
  });
  const id = newSession();
  const { stream, ws } = await stallBoth(s, id);
  await noted(s, /^bound maxBufferedBytes \(16384\) reached — reader fell \d+ bytes behind, stream ended$/);
  await noted(s, /^bound maxBufferedBytes \(16384\) reached — reader fell \d+ bytes behind, closed 1008$/);
  // The reader catches up: what it had not read, then the reason, then a proper end.
  const text = await readToEnd(stream);
  assert.match(
    text,
    /\{"ended":"bound maxBufferedBytes \(16384\) reached — reader fell \d+ bytes behind, stream ended"\}\n\r\n0\r\n\r\n$/,
  );
  ws.socket.resume();
  for (let i = 0; i < 1000 && !ws.closeFrame(); i++) await sleep(10);
  assert.equal(ws.closeFrame()?.code, 1008);
  assert.match(
    ws.closeFrame()?.reason ?? '',
    /^bound maxBufferedBytes \(16384\) reached — reader fell \d+ bytes behind$/,
  );
  ws.destroy();
  assert.ok(!s.notes?.some((n) => n.startsWith('bound slowReaderGraceMs')), 'neither was cut');
});

test('a reader still behind after slowReaderGraceMs is cut, and the inspector is told', {
  skip: VIA_APP,
}, async () => {
  const s = await startLab({
    ...quiet,
    maxBufferedBytes: 16 * 1024,
    requestsPerSecond: 100_000,
    slowReaderGraceMs: 300,
  });
  const id = newSession();
  const { stream, ws } = await stallBoth(s, id);
  const cut = /^bound slowReaderGraceMs \(300\) reached — the reader did not catch up, connection cut$/;
  for (let i = 0; i < 500 && (s.notes ?? []).filter((n) => cut.test(n)).length < 2; i++) await sleep(10);
  assert.equal((s.notes ?? []).filter((n) => cut.test(n)).length, 2, JSON.stringify(s.notes));
  // Both connections are closed by the server: what it still held for them is gone. (What the
  // kernel had taken may still arrive, so the bytes themselves say nothing here.)
  await readToEnd(stream);
  ws.socket.resume();
  await ws.ended();
});

test('every refusal is told to the inspector with the name of its bound', { skip: VIA_APP }, async () => {
  const s = await startLab({ ...quiet, maxSessions: 1, maxConnectionsPerSession: 1 });
  const id = newSession();
  const held = get(s, `/lab/${id}/poll?timeout=300`);
  await sleep(50);
  await get(s, `/lab/${id}/time`);
  await get(s, `/lab/${newSession()}/time`);
  await held;
  assert.ok(s.notes?.some((n) => n.startsWith('bound maxConnectionsPerSession (1) reached')));
  assert.ok(s.notes?.some((n) => n.startsWith('bound maxSessions (1) reached')));
});
