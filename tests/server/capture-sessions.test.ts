/**
 * Each session sees its own bytes and nothing else: not another session's,
 * not the site's, not the inspector channel's — even on a shared keep-alive
 * socket.
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
  until,
} from './capture-harness.ts';

const h = await startHarness();

/** The full response the harness's `plain` endpoint gives, as received. */
function responses(received: Buffer): string[] {
  return received.toString('latin1').split(/(?=HTTP\/1\.1 )/);
}

test('a keep-alive socket moving from session A to B leaks nothing of A into B, nor of B into A', async () => {
  const a = sessionId();
  const b = sessionId();
  const ia = await InspectorClient.open(h.port, a);
  const ib = await InspectorClient.open(h.port, b);
  const client = await RawClient.connect(h.port);
  const reqA1 = get(`/lab/${a}/plain`);
  const reqB = `POST /lab/${b}/length HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nbbb`;
  const reqA2 = get(`/lab/${a}/plain?again=1`);
  client.send(reqA1);
  await client.waitFor(PLAIN_BODY);
  client.send(reqB);
  await client.waitFor('received 3 bytes');
  client.send(reqA2);
  await client.waitFor(PLAIN_BODY, 2);
  const [resA1, resB, resA2] = responses(client.received);

  await ia.waitBytes(1, 'out', resA1!.length + resA2!.length);
  await ib.waitBytes(1, 'out', resB!.length);
  assert.equal(ia.bytes(1, 'in').toString('latin1'), reqA1 + reqA2);
  assert.equal(ia.bytes(1, 'out').toString('latin1'), resA1! + resA2!);
  assert.equal(ib.bytes(1, 'in').toString('latin1'), reqB);
  assert.equal(ib.bytes(1, 'out').toString('latin1'), resB);
  for (const r of ia.records)
    assert.ok(
      !Buffer.from(r.b64 ?? '', 'base64')
        .toString()
        .includes(b),
      'no B in A',
    );
  for (const r of ib.records)
    assert.ok(
      !Buffer.from(r.b64 ?? '', 'base64')
        .toString()
        .includes(a),
      'no A in B',
    );

  // A is told its connection went elsewhere (each way), B that it joined a used connection
  const moved = ia.records.filter((r) => r.kind === 'moved').map((r) => r.dir);
  assert.deepEqual(moved.sort(), ['in', 'out']);
  assert.equal(ib.records.find((r) => r.kind === 'open')?.reused, true);
  assert.equal(ia.records.filter((r) => r.kind === 'open').length, 1, 'A sees one connection');
  client.socket.destroy();
  ia.close();
  ib.close();
});

test('site pages and the inspector channel are never recorded', async () => {
  const a = sessionId();
  const before = h.capture.stats().sessions;
  const ia = await InspectorClient.open(h.port, a);
  const client = await RawClient.connect(h.port);
  const lab = get(`/lab/${a}/plain`);
  client.send(`${get('/index.html')}${lab}${get('/index.html')}`);
  await client.waitFor('</title>', 2);
  await client.waitFor(PLAIN_BODY);
  const [, labResponse] = responses(client.received);
  await ia.waitBytes(1, 'out', labResponse!.length);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(ia.bytes(1, 'in').toString('latin1'), lab);
  assert.equal(ia.bytes(1, 'out').toString('latin1'), labResponse);
  const everything = ia.records.map((r) => Buffer.from(r.b64 ?? '', 'base64').toString('latin1')).join('');
  assert.ok(!everything.includes('index.html') && !everything.includes('<title>'), 'no site bytes');
  assert.ok(!everything.includes('/inspect/') && !everything.includes('"type"'), 'no inspector bytes');
  // the only session the capture knows of is A's: the site and the inspector made none
  assert.equal(h.capture.stats().sessions, before + 1);
  const snapshot = h.capture.snapshot(a);
  assert.ok(snapshot?.records.every((r) => r.kind !== 'data' || !r.bytes!.includes('index.html')));
  client.socket.destroy();
  ia.close();
});

test('two sessions streaming at once never see each other’s bytes', async () => {
  const a = sessionId();
  const b = sessionId();
  const ia = await InspectorClient.open(h.port, a);
  const ib = await InspectorClient.open(h.port, b);
  const ca = await RawClient.connect(h.port);
  const cb = await RawClient.connect(h.port);
  ca.send(get(`/lab/${a}/sse`));
  cb.send(get(`/lab/${b}/chunked`));
  ca.send(''); // interleave: both streams run on the same timers
  await Promise.all([ca.waitFor('0\r\n\r\n'), cb.waitFor('0\r\n\r\n')]);
  await ia.waitBytes(1, 'out', ca.received.length);
  await ib.waitBytes(1, 'out', cb.received.length);
  assert.deepEqual(ia.bytes(1, 'in'), ca.sent);
  assert.deepEqual(ia.bytes(1, 'out'), ca.received);
  assert.deepEqual(ib.bytes(1, 'in'), cb.sent);
  assert.deepEqual(ib.bytes(1, 'out'), cb.received);
  assert.ok(ia.records.every((r) => r.conn === 1) && ib.records.every((r) => r.conn === 1));
  ca.socket.destroy();
  cb.socket.destroy();
  ia.close();
  ib.close();
});

test('pipelined requests for two sessions on one socket: each gets its request and its response only', async () => {
  const a = sessionId();
  const b = sessionId();
  const ia = await InspectorClient.open(h.port, a);
  const ib = await InspectorClient.open(h.port, b);
  const client = await RawClient.connect(h.port);
  const reqA = get(`/lab/${a}/chunked`);
  const reqB = get(`/lab/${b}/plain`);
  client.send(reqA + reqB);
  await client.waitFor(PLAIN_BODY);
  const [resA, resB] = responses(client.received);
  await ia.waitBytes(1, 'out', resA!.length);
  await ib.waitBytes(1, 'out', resB!.length);
  assert.equal(ia.bytes(1, 'in').toString('latin1'), reqA);
  assert.equal(ia.bytes(1, 'out').toString('latin1'), resA);
  assert.equal(ib.bytes(1, 'in').toString('latin1'), reqB);
  assert.equal(ib.bytes(1, 'out').toString('latin1'), resB);
  client.socket.destroy();
  await until(() => ib.records.some((r) => r.kind === 'close'), 'B sees the close');
  ia.close();
  ib.close();
});
