/**
 * Besides bytes, the capture records how each connection opens and ends —
 * FIN from either side, resets, timeouts — and the lab's notes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  get,
  InspectorClient,
  PLAIN_BODY,
  RawClient,
  sessionId,
  startHarness,
  type WireRecord,
} from './capture-harness.ts';

const h = await startHarness();

/** Returns the kinds (with their direction or how) of the non-data records, in order. */
function events(records: WireRecord[]): string[] {
  return records
    .filter((r) => r.kind !== 'data')
    .map((r) => (r.kind === 'close' ? `close:${r.how}:${r.by}` : r.dir ? `${r.kind}:${r.dir}` : r.kind));
}

async function closeRecord(inspector: InspectorClient): Promise<WireRecord> {
  await inspector.waitFor((rs) => rs.some((r) => r.kind === 'close'), 'a close record');
  return inspector.records.find((r) => r.kind === 'close')!;
}

test('a client FIN answered by the server: end in, end out, closed by FIN from the client', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.send(get(`/lab/${s}/plain`));
  await client.waitFor(PLAIN_BODY);
  client.socket.end();
  await closeRecord(inspector);
  assert.deepEqual(events(inspector.records), ['open', 'end:in', 'end:out', 'close:fin:client']);
});

test('a response with Connection: close: the server sends FIN first', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.send(get(`/lab/${s}/close`));
  await client.waitFor('bye');
  await client.waitClosed();
  await closeRecord(inspector);
  const ev = events(inspector.records);
  assert.equal(ev[1], 'end:out');
  assert.equal(ev.at(-1), 'close:fin:server');
});

test('a client reset is recorded as a reset by the client', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.send(get(`/lab/${s}/plain`));
  await client.waitFor(PLAIN_BODY);
  client.socket.resetAndDestroy();
  const close = await closeRecord(inspector);
  assert.equal(close.how, 'reset');
  assert.equal(close.by, 'client');
  assert.equal(close.error, 'ECONNRESET');
});

test('a server that destroys the socket mid-response: its FIN goes out then, first, and the client’s FIN is seen after', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.send(get(`/lab/${s}/destroy`));
  await client.waitClosed();
  const close = await closeRecord(inspector);
  assert.deepEqual([close.how, close.by, close.cause, close.unseen], ['fin', 'server', 'destroy', false]);
  assert.deepEqual(events(inspector.records), ['open', 'end:out', 'end:in', 'close:fin:server']);
  assert.match(inspector.bytes(1, 'out').toString(), /partial/);
});

test('without the wait for the client’s answer (finWaitMs 0), a server’s destroy leaves that answer unseen', async () => {
  const now = await startHarness({ finWaitMs: 0 });
  const s = sessionId();
  const inspector = await InspectorClient.open(now.port, s);
  const client = await RawClient.connect(now.port);
  client.send(get(`/lab/${s}/destroy`));
  await client.waitClosed();
  const close = await closeRecord(inspector);
  assert.deepEqual([close.how, close.by, close.cause, close.unseen], ['fin', 'server', 'destroy', true]);
  assert.deepEqual(events(inspector.records), ['open', 'end:out', 'close:fin:server']);
});

test('a server that closes with the client’s bytes unread resets (RST), and those bytes are captured', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  // A body nobody reads: Node stops reading once its buffers hold 64 KiB each (socket, request),
  // so most of it is still in the kernel's receive buffer when the handler destroys the socket.
  const body = Buffer.alloc(512 * 1024, 'x');
  client.send(`GET /lab/${s}/unread HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`);
  client.send(body);
  await client.waitClosed();
  const close = await closeRecord(inspector);
  assert.deepEqual([close.how, close.by, close.cause, close.unseen], ['reset', 'server', 'unread', false]);
  assert.ok(!events(inspector.records).includes('end:out'), 'an RST, no FIN');
  const captured = inspector.bytes(1, 'in').length;
  assert.ok((close.unread ?? 0) > 0, `unread bytes counted: ${close.unread}`);
  assert.ok(captured > 128 * 1024, `more than Node buffered was captured: ${captured}`);
});

test('a server reset (resetAndDestroy) is recorded as a reset by the server', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.send(get(`/lab/${s}/reset`));
  await client.waitClosed();
  const close = await closeRecord(inspector);
  assert.deepEqual([close.how, close.by, close.cause], ['reset', 'server', 'reset']);
  assert.ok(!events(inspector.records).includes('end:out'), 'a reset sends no FIN');
});

test('notes from the lab appear in the session the socket serves, in order with its bytes', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.send(get(`/lab/${s}/note`));
  await client.waitFor('noted');
  await inspector.waitFor((rs) => rs.some((r) => r.kind === 'note'), 'the note');
  const kinds = inspector.records.map((r) => (r.kind === 'data' ? r.dir : r.kind));
  assert.deepEqual(kinds.slice(0, 3), ['open', 'in', 'note'], 'after the request, before the response');
  assert.match(inspector.records.find((r) => r.kind === 'note')!.text!, /bound test/);
  client.socket.destroy();
});

test('an idle keep-alive connection closed by its timeout: a timeout record, then the server’s FIN', async () => {
  const quick = await startHarness({ keepAliveTimeoutMs: 100 });
  const s = sessionId();
  const inspector = await InspectorClient.open(quick.port, s);
  const client = await RawClient.connect(quick.port);
  client.send(get(`/lab/${s}/plain`));
  await client.waitFor(PLAIN_BODY);
  await client.waitClosed();
  const close = await closeRecord(inspector);
  assert.deepEqual(events(inspector.records), ['open', 'timeout', 'end:out', 'end:in', 'close:fin:server']);
  assert.equal(close.cause, 'timeout');
});
