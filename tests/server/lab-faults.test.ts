/**
 * Faults on demand: `drop=N`, `delay=MS`, `status=CODE`, `buffer=1`, on the wire.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { newSession, startLab } from './lab-harness.ts';
import { raw, request, SseParser, sleep } from './lab-wire.ts';

const s = await startLab({ tickIntervalMs: 3_600_000 });
const get = (path: string) => raw(s.port, request('GET', path));

test('drop=N cuts a stream after N messages, without the last chunk', async () => {
  const r = await get(`/lab/${newSession()}/stream?count=9&interval=10&drop=3`);
  assert.equal(r.end, 'cut');
  assert.equal(r.chunks.length, 3);
  assert.ok(!r.wire.toString().endsWith('0\r\n\r\n'));
});

test('drop=N cuts an SSE stream after N events; the reader resumes after the last whole one', async () => {
  const id = newSession();
  for (let i = 1; i <= 5; i++) await raw(s.port, request('POST', `/lab/${id}/send`, {}, `m${i}`));
  const parser = new SseParser();
  const first = await get(`/lab/${id}/sse?lastEventId=0&drop=2`);
  assert.equal(first.end, 'cut');
  assert.deepEqual(
    parser.push(first.body.toString()).map((e) => e.data),
    ['m1', 'm2'],
  );
  const again = await raw(
    s.port,
    request('GET', `/lab/${id}/sse?count=3`, { 'Last-Event-ID': parser.lastEventId }),
  );
  assert.deepEqual(
    parser.push(again.body.toString()).map((e) => e.data),
    ['m3', 'm4', 'm5'],
  );
});

test('drop=0 cuts the connection before any answer', async () => {
  await assert.rejects(get(`/lab/${newSession()}/time?drop=0`), /closed before a response head/);
});

test('drop=1 on a one-shot answer sends it, then cuts the kept-alive connection', async () => {
  const socket = net.connect(s.port, '127.0.0.1');
  const id = newSession();
  const keepAlive = (path: string) =>
    request('GET', path).replace('Connection: close', 'Connection: keep-alive');
  let wire = '';
  socket.on('data', (d: Buffer) => {
    wire += d.toString();
  });
  socket.write(keepAlive(`/lab/${id}/time?drop=1`));
  await new Promise((resolve) => socket.once('close', resolve));
  assert.match(wire, /^HTTP\/1\.1 200 OK[\s\S]*\r\n\r\n\{"time":"[^"]+","seq":1\}$/);
});

test('delay=MS holds the first byte for that long', async () => {
  const r = await get(`/lab/${newSession()}/time?delay=250`);
  assert.equal(r.status, 200);
  const waited = r.headAt - r.sentAt;
  assert.ok(waited >= 240 && waited < 1000, `first byte after ${waited} ms`);
});

test('status=500 answers 500 with a line saying it was asked for, and runs nothing', async () => {
  const id = newSession();
  const r = await raw(s.port, request('POST', `/lab/${id}/send?status=500`, {}, 'not appended'));
  assert.equal(r.status, 500);
  assert.equal(r.headers['access-control-allow-origin'], '*');
  assert.match(r.body.toString(), /fault: status=500 asked for in the query/);
  assert.deepEqual(JSON.parse((await get(`/lab/${id}/news`)).body.toString()).messages, []);
  assert.equal((await get(`/lab/${id}/time?status=200`)).status, 200, 'status=200 is no fault');
});

test('buffer=1 on SSE sends the whole stream at its end with Content-Length: nothing before', async () => {
  const id = newSession();
  const reading = get(`/lab/${id}/sse?count=3&buffer=1`);
  for (let i = 1; i <= 3; i++) {
    await sleep(80);
    await raw(s.port, request('POST', `/lab/${id}/send`, {}, `m${i}`));
  }
  const r = await reading;
  assert.equal(r.headers['transfer-encoding'], undefined);
  assert.equal(Number(r.headers['content-length']), r.body.length);
  assert.ok(r.headAt - r.sentAt >= 230, `head after ${r.headAt - r.sentAt} ms`);
  assert.deepEqual(
    new SseParser().push(r.body.toString()).map((e) => e.data),
    ['m1', 'm2', 'm3'],
  );
});
