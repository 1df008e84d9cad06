/**
 * What the inspector reports is byte for byte what crossed the socket: compared
 * with what a raw TCP client sent and received.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CHUNKS,
  delay,
  get,
  InspectorClient,
  LARGE_TEXT,
  PLAIN_BODY,
  RawClient,
  SSE_EVENTS,
  sessionId,
  startHarness,
  TEXTS,
} from './capture-harness.ts';

const h = await startHarness();

/** Asserts the inspector has exactly the client's bytes, both ways, on conn 1. */
async function assertSameBytes(inspector: InspectorClient, client: RawClient): Promise<void> {
  await inspector.waitBytes(1, 'out', client.received.length);
  assert.deepEqual(inspector.bytes(1, 'in'), client.sent, 'client → server bytes');
  assert.deepEqual(inspector.bytes(1, 'out'), client.received, 'server → client bytes');
}

test('a plain response is captured byte for byte, both ways', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.send(get(`/lab/${s}/plain`));
  await client.waitFor(PLAIN_BODY);
  await assertSameBytes(inspector, client);
  const open = inspector.records.find((r) => r.kind === 'open');
  assert.equal(open?.client?.port, client.socket.localPort, 'open names the client port');
  assert.equal(open?.server?.port, h.port, 'open names the server port');
  assert.equal(open?.reused, false);
  client.socket.destroy();
  inspector.close();
});

test('two requests on one keep-alive socket are one connection, captured exactly', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.send(get(`/lab/${s}/plain`));
  await client.waitFor(PLAIN_BODY);
  client.send(`POST /lab/${s}/length HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde`);
  await client.waitFor('received 5 bytes');
  await assertSameBytes(inspector, client);
  assert.equal(inspector.records.filter((r) => r.kind === 'open').length, 1);
  client.socket.destroy();
  inspector.close();
});

test('pipelined requests sent in one write are captured exactly, responses in order', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.send(
    get(`/lab/${s}/plain`) +
      `POST /lab/${s}/length HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n` +
      `HEAD /lab/${s}/plain HTTP/1.1\r\nHost: x\r\n\r\n` +
      get(`/lab/${s}/no-content`) +
      get(`/lab/${s}/plain`),
  );
  await client.waitFor('HTTP/1.1', 5);
  await client.waitFor(PLAIN_BODY, 2);
  await assertSameBytes(inspector, client);
  const text = inspector.bytes(1, 'out').toString('latin1');
  assert.match(text, /received 3 bytes[\s\S]*HTTP\/1.1 200[\s\S]*HTTP\/1.1 204[\s\S]*hello, wire$/);
  client.socket.destroy();
  inspector.close();
});

test('a chunked stream is captured with its chunk framing, in order', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.send(get(`/lab/${s}/chunked`));
  await client.waitFor('0\r\n\r\n');
  await assertSameBytes(inspector, client);
  const out = inspector.bytes(1, 'out').toString('latin1');
  for (const c of CHUNKS)
    assert.ok(out.includes(`${c.length.toString(16)}\r\n${c}\r\n`), `chunk ${JSON.stringify(c)}`);
  // each write is its own record, with its own time
  const outRecords = inspector.records.filter((r) => r.kind === 'data' && r.dir === 'out');
  assert.ok(outRecords.length >= CHUNKS.length + 1, 'one record per write at least');
  client.socket.destroy();
  inspector.close();
});

test('strings written in any encoding, alone or in one writev, are captured as the bytes sent', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.send(get(`/lab/${s}/texts`));
  await client.waitFor('0\r\n\r\n');
  await assertSameBytes(inspector, client);
  const received = client.received;
  for (const [text, encoding] of TEXTS) {
    const bytes = Buffer.from(text, encoding);
    assert.ok(
      received.includes(bytes),
      `${encoding} ${JSON.stringify(text)} went out as ${bytes.toString('hex')}`,
    );
  }
  assert.ok(received.includes(Buffer.from(LARGE_TEXT)), 'the large text, whole, in UTF-8');
  assert.ok(received.includes(Buffer.from('终')), 'the last write');
  client.socket.destroy();
  inspector.close();
});

for (const v of [2, 3] as const) {
  test(`version ${v} (v=${v}): binary records frames carry the same bytes, both ways, for every kind of write`, async () => {
    for (const [path, head, end] of [
      ['chunked', '', '0\r\n\r\n'],
      ['sse', 'Accept: text/event-stream\r\n', '0\r\n\r\n'],
      ['texts', '', '0\r\n\r\n'],
      ['plain', '', PLAIN_BODY],
    ] as const) {
      const s = sessionId();
      const inspector = await InspectorClient.open(h.port, s, `?v=${v}`);
      assert.equal(inspector.hello?.v, v, 'the hello says the version asked for');
      const client = await RawClient.connect(h.port);
      client.send(get(`/lab/${s}/${path}`, head));
      await client.waitFor(end);
      await assertSameBytes(inspector, client);
      assert.ok(inspector.binaryFrames > 0, `${path}: records came in binary frames`);
      const data = inspector.records.filter((r) => r.kind === 'data').length;
      // Version 3 writes every data record as an array, version 2 none.
      assert.equal(inspector.compactRecords, v === 3 ? data : 0, `${path}: data records as arrays`);
      assert.ok(data > 0, `${path}: some data records`);
      client.socket.destroy();
      inspector.close();
    }
  });
}

test('a Server-Sent Events stream is captured byte for byte', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.send(get(`/lab/${s}/sse`, 'Accept: text/event-stream\r\n'));
  await client.waitFor('0\r\n\r\n');
  await assertSameBytes(inspector, client);
  assert.ok(inspector.bytes(1, 'out').toString().includes(SSE_EVENTS[2]!));
  client.socket.destroy();
  inspector.close();
});

test('a WebSocket session: the handshake, masked client frames and server frames, byte for byte', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.send(
    get(
      `/lab/${s}/echo`,
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n',
    ),
  );
  await client.waitFor('\r\n\r\n');
  client.send(maskedFrame(0x1, Buffer.from('hello, echo')));
  client.send(maskedFrame(0x2, Buffer.from([0, 1, 2, 0xff, 0xfe])));
  await client.waitFor('hello, echo');
  await delay(20);
  client.send(maskedFrame(0x8, Buffer.from([0x03, 0xe8]))); // close 1000
  await client.waitClosed();
  await assertSameBytes(inspector, client);
  const out = inspector.bytes(1, 'out');
  assert.match(out.toString('latin1'), /^HTTP\/1.1 101 Switching Protocols\r\n/);
  await inspector.waitFor((rs) => rs.some((r) => r.kind === 'close'), 'the close record');
  inspector.close();
});

test("a request's bytes come before the response bytes it caused, in seq and in time", async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.send(get(`/lab/${s}/plain`));
  await client.waitFor(PLAIN_BODY);
  client.send(get(`/lab/${s}/chunked`));
  await client.waitFor('0\r\n\r\n');
  await inspector.waitBytes(1, 'out', client.received.length);
  const data = inspector.records.filter((r) => r.kind === 'data');
  const firstOut = data.findIndex((r) => r.dir === 'out');
  assert.equal(data[0]?.dir, 'in');
  assert.ok(firstOut > 0);
  // the second request's bytes are recorded before its response's first byte
  const secondIn = data.findIndex((r, i) => i > firstOut && r.dir === 'in');
  const lastOutBefore = data.slice(0, secondIn).filter((r) => r.dir === 'out');
  const afterSecond = data.slice(secondIn + 1);
  assert.ok(lastOutBefore.length > 0 && afterSecond.every((r) => r.dir === 'out'));
  for (let i = 1; i < inspector.records.length; i++) {
    const [a, b] = [inspector.records[i - 1]!, inspector.records[i]!];
    assert.equal(b.seq, a.seq + 1, 'seqs have no holes');
    if (a.kind === 'data' && b.kind === 'data') assert.ok(b.t >= a.t, 'data times never go back');
  }
  client.socket.destroy();
  inspector.close();
});

test('a request written one byte at a time is still attributed whole, with each read kept', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const client = await RawClient.connect(h.port);
  client.socket.setNoDelay(true);
  for (const byte of get(`/lab/${s}/plain`)) {
    client.send(byte);
    await delay(1);
  }
  await client.waitFor(PLAIN_BODY);
  await assertSameBytes(inspector, client);
  const reads = inspector.records.filter((r) => r.kind === 'data' && r.dir === 'in');
  assert.ok(reads.length > 5, `the reads stay separate records (${reads.length})`);
  client.socket.destroy();
  inspector.close();
});

/** Returns a client→server WebSocket frame (RFC 6455 §5.2), masked as clients must. */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}
