/**
 * Server-Sent Events (`sse`): field syntax, named events, multi-line data, retry, heartbeat,
 * and resuming after Last-Event-ID with nothing lost or repeated.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSession, startLab, VIA_APP } from './lab-harness.ts';
import { raw, request, SseParser, sleep } from './lab-wire.ts';

const s = await startLab({ tickIntervalMs: 3_600_000, maxStreamMessages: 10, feedKeep: 20 });
const send = (id: string, text: string, type = 'text/plain') =>
  raw(s.port, request('POST', `/lab/${id}/send`, { 'Content-Type': type }, text));
const sse = (path: string, headers: Record<string, string> = {}) =>
  raw(s.port, request('GET', path, headers));
const body = (r: { body: Buffer }) => r.body.toString();

test('the stream is text/event-stream, unbuffered, and each event has id:, event: and data: lines', async () => {
  const id = newSession();
  await send(id, 'hello');
  const r = await sse(`/lab/${id}/sse?lastEventId=0&count=1`);
  assert.equal(r.headers['content-type'], 'text/event-stream; charset=utf-8');
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.equal(body(r), 'id: 1\nevent: chat\ndata: hello\n\n');
});

test('a message with newlines becomes several data: lines, which EventSource joins with \\n', async () => {
  const id = newSession();
  await send(id, 'line one\nline two\r\nline three');
  const r = await sse(`/lab/${id}/sse?lastEventId=0&count=1`);
  assert.equal(body(r), 'id: 1\nevent: chat\ndata: line one\ndata: line two\ndata: line three\n\n');
  assert.deepEqual(new SseParser().push(body(r)), [
    { id: '1', event: 'chat', data: 'line one\nline two\nline three' },
  ]);
});

test('ticks are named tick with the quote as JSON data', { skip: VIA_APP }, async () => {
  s.lab?.rooms.append('tickroom', 'tick', { symbol: 'WIRE', price: 100.5 });
  const tick = await sse(`/lab/${newSession()}/sse?room=tickroom&lastEventId=0&count=1`);
  assert.equal(body(tick), 'id: 1\nevent: tick\ndata: {"symbol":"WIRE","price":100.5}\n\n');
});

test('a chat message sent as JSON is sent as JSON data', async () => {
  const id = newSession();
  await send(id, '{"n":1}', 'application/json');
  assert.equal(
    body(await sse(`/lab/${id}/sse?lastEventId=0&count=1`)),
    'id: 1\nevent: chat\ndata: {"n":1}\n\n',
  );
});

test('retry=MS is sent first as a retry: field', async () => {
  const id = newSession();
  await send(id, 'x');
  const r = await sse(`/lab/${id}/sse?retry=2500&lastEventId=0&count=1`);
  assert.equal(body(r), 'retry: 2500\n\nid: 1\nevent: chat\ndata: x\n\n');
});

test('without Last-Event-ID the stream starts with new events only, and sends the head at once', async () => {
  const id = newSession();
  await send(id, 'old');
  const reading = sse(`/lab/${id}/sse?count=1`);
  await sleep(100);
  await send(id, 'new');
  const r = await reading;
  assert.ok(r.headAt - r.sentAt < 80, 'the head came before the first event');
  assert.equal(body(r), 'id: 2\nevent: chat\ndata: new\n\n');
});

test('resumes right after the Last-Event-ID header, nothing lost or repeated', async () => {
  const id = newSession();
  for (let i = 1; i <= 5; i++) await send(id, `m${i}`);
  const r = await sse(`/lab/${id}/sse?count=3`, { 'Last-Event-ID': '2' });
  assert.deepEqual(
    new SseParser().push(body(r)).map((e) => [e.id, e.data]),
    [
      ['3', 'm3'],
      ['4', 'm4'],
      ['5', 'm5'],
    ],
  );
});

test('resumes after lastEventId= in the query, and the header wins when both are given', async () => {
  const id = newSession();
  for (let i = 1; i <= 4; i++) await send(id, `m${i}`);
  const byQuery = await sse(`/lab/${id}/sse?lastEventId=3&count=1`);
  assert.equal(new SseParser().push(body(byQuery))[0]?.id, '4');
  const both = await sse(`/lab/${id}/sse?lastEventId=1&count=1`, { 'Last-Event-ID': '2' });
  assert.equal(new SseParser().push(body(both))[0]?.id, '3');
});

test('a :heartbeat comment line keeps a quiet stream alive', async () => {
  const beating = await startLab({ tickIntervalMs: 3_600_000, sseHeartbeatMs: 100 });
  const started = performance.now();
  // Read a quiet stream for ~350 ms, then hang up.
  const r = await raw(beating.port, request('GET', `/lab/${newSession()}/sse`), {
    onChunk: () => performance.now() - started > 350,
  });
  assert.match(body(r), /^(:heartbeat\n\n){2,5}$/);
});

test('past maxStreamMessages the stream says which bound in a comment, then ends properly', async () => {
  const id = newSession();
  for (let i = 1; i <= 12; i++) await send(id, `m${i}`);
  const r = await sse(`/lab/${id}/sse?lastEventId=0`);
  assert.equal(r.end, 'complete');
  const parser = new SseParser();
  assert.equal(parser.push(body(r)).length, 10);
  assert.match(body(r), /\n\n: bound maxStreamMessages \(10\) reached — stream ended\n\n$/);
  // EventSource reconnects with the last id it saw, and gets the rest.
  const rest = await sse(`/lab/${id}/sse?count=2`, { 'Last-Event-ID': parser.lastEventId });
  assert.deepEqual(
    new SseParser().push(body(rest)).map((e) => e.data),
    ['m11', 'm12'],
  );
});

test('resuming after events the feed no longer keeps says so in a comment (bound feedKeep)', async () => {
  const id = newSession();
  for (let i = 1; i <= 25; i++) await send(id, `m${i}`);
  const r = await sse(`/lab/${id}/sse?count=1`, { 'Last-Event-ID': '2' });
  assert.equal(
    body(r),
    ': bound feedKeep (20): 3 events after id 2 are no longer kept\n\nid: 6\nevent: chat\ndata: m6\n\n',
  );
});

test('status=204 answers No Content, which tells EventSource to stop reconnecting', async () => {
  const r = await sse(`/lab/${newSession()}/sse?status=204`);
  assert.equal(r.status, 204);
  assert.equal(r.headers['access-control-allow-origin'], '*');
});
