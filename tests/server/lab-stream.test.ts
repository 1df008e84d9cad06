/**
 * Comet (`stream`): one chunked response, one message per chunk, each flushed when it exists.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSession, startLab } from './lab-harness.ts';
import { raw, request, sleep } from './lab-wire.ts';

const s = await startLab({ tickIntervalMs: 3_600_000, maxStreamMessages: 20 });
const get = (path: string) => raw(s.port, request('GET', path));

test('the default stream is the classic loop: 9 JSON lines {"success":"ok","text":"message N"}', async () => {
  const r = await get(`/lab/${newSession()}/stream?interval=5`);
  assert.equal(r.status, 200);
  assert.equal(r.end, 'complete');
  assert.equal(r.headers['content-type'], 'application/x-ndjson; charset=utf-8');
  const lines = r.chunks.map((c) => c.data.toString());
  assert.equal(lines.length, 9);
  assert.deepEqual(
    lines,
    Array.from({ length: 9 }, (_, i) => `{"success":"ok","text":"message ${i + 1}"}\n`),
  );
});

test('each message is one chunk on the wire, and the stream ends with the last chunk 0\\r\\n\\r\\n', async () => {
  const r = await get(`/lab/${newSession()}/stream?count=3&interval=20`);
  assert.equal(r.headers['transfer-encoding'], 'chunked');
  assert.equal(r.headers['content-length'], undefined);
  const body = r.wire.subarray(r.wire.indexOf('\r\n\r\n') + 4).toString();
  const line = (n: number) => `{"success":"ok","text":"message ${n}"}\n`;
  const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
  assert.equal(body, chunk(line(1)) + chunk(line(2)) + chunk(line(3)) + '0\r\n\r\n');
});

test('chunks arrive spread over time, one per interval, not all at the end', async () => {
  const r = await get(`/lab/${newSession()}/stream?count=5&interval=80`);
  const times = r.chunks.map((c) => c.at - r.sentAt);
  // Five reads, not one: each chunk left when it was written. Only lower bounds on the spread: a
  // busy machine delays timers, it never brings them forward.
  assert.equal(times.length, 5);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! > times[i - 1]!, `chunk ${i} after ${i - 1}`);
  const span = times[4]! - times[0]!;
  assert.ok(
    span >= 3 * 80,
    `the five chunks span ${span} ms: four intervals of 80 ms, give or take a timer's jitter`,
  );
});

test('buffer=1 holds the stream and sends it in one write with Content-Length at the end', async () => {
  const r = await get(`/lab/${newSession()}/stream?count=4&interval=60&buffer=1`);
  assert.equal(r.headers['transfer-encoding'], undefined);
  assert.equal(Number(r.headers['content-length']), r.body.length);
  assert.equal(r.body.toString().split('\n').filter(Boolean).length, 4);
  // Nothing arrived before the end: the head and the whole body came together, ~3 intervals late.
  assert.ok(r.headAt - r.sentAt >= 170, `head after ${r.headAt - r.sentAt} ms`);
  assert.ok(r.reads.length <= 2, `${r.reads.length} reads`);
});

test('format=script sends 1 KiB of padding, then <script>parent.push(…)</script> chunks', async () => {
  const r = await get(`/lab/${newSession()}/stream?format=script&count=2&interval=10`);
  assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
  const [padding, ...scripts] = r.chunks.map((c) => c.data.toString());
  assert.ok(Buffer.byteLength(padding ?? '') >= 1024);
  assert.match(padding ?? '', /^<!--[\s\S]*-->\n$/);
  assert.deepEqual(scripts, [
    '<script>parent.push({"success":"ok","text":"message 1"})</script>\n',
    '<script>parent.push({"success":"ok","text":"message 2"})</script>\n',
  ]);
});

test('format=script escapes "<" so a message cannot close the script tag early', async () => {
  const id = newSession();
  const reading = get(`/lab/${id}/stream?source=feed&format=script&count=1`);
  await sleep(100);
  await raw(s.port, request('POST', `/lab/${id}/send`, {}, '</script><b>x</b>'));
  const script = (await reading).chunks[1]!.data.toString();
  assert.ok(!script.slice(8, -10).includes('<'), script);
  assert.match(script, /\\u003c\/script>\\u003cb>x\\u003c\/b>/);
});

test('source=feed streams the feed: JSON lines of {id,type,time,data}, replaying after since', async () => {
  const id = newSession();
  for (const text of ['a', 'b', 'c']) await raw(s.port, request('POST', `/lab/${id}/send`, {}, text));
  const r = await get(`/lab/${id}/stream?source=feed&since=1&count=2`);
  const messages = r.chunks.map((c) => JSON.parse(c.data.toString()));
  assert.deepEqual(
    messages.map((m) => [m.id, m.type, m.data]),
    [
      [2, 'chat', 'b'],
      [3, 'chat', 'c'],
    ],
  );
  assert.ok(messages.every((m) => typeof m.time === 'string'));
});

test('a stream past maxStreamMessages says which bound ended it in its last line, then ends properly', async () => {
  const r = await get(`/lab/${newSession()}/stream?count=50&interval=0`);
  assert.equal(r.end, 'complete');
  const lines = r.chunks.map((c) => c.data.toString());
  assert.equal(lines.length, 21);
  assert.deepEqual(JSON.parse(lines[20]!), { ended: 'bound maxStreamMessages (20) reached — stream ended' });
});
