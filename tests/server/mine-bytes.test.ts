/**
 * Bytes through a learner's handler, over real sockets: a body that is not UTF-8 reaches it
 * whole as `req.bodyBytes`, `res.write`/`res.end` send bytes as they are, and WebSocket messages
 * go both ways as binary frames (a Uint8Array in the sandbox).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { until } from './capture-harness.ts';
import { deployOk, getMine } from './mine-harness.ts';

const s = await startTestServer({ requestsPerSecond: 1_000, tickIntervalMs: 3_600_000 });

/** Every byte value once: most of it is not UTF-8 (0x80–0xFF alone never is). */
const EVERY_BYTE = Uint8Array.from({ length: 256 }, (_, i) => i);

test('a body that is not UTF-8, POSTed by fetch as a Uint8Array, reaches the handler byte for byte as req.bodyBytes', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('X-Is-Uint8Array', String(req.bodyBytes instanceof Uint8Array));
      res.setHeader('X-Text-Length', String(req.body.length));
      res.end(req.bodyBytes);
    });`,
  );
  const answer = await fetch(`http://127.0.0.1:${s.port}/lab/${session}/mine/upload`, {
    method: 'POST',
    body: EVERY_BYTE,
  });
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get('x-is-uint8array'), 'true');
  assert.equal(answer.headers.get('content-length'), '256');
  assert.deepEqual(new Uint8Array(await answer.arrayBuffer()), EVERY_BYTE);
  // req.body stays the UTF-8 reading of the same bytes: the 128 bytes from 0x80 each became U+FFFD.
  assert.equal(answer.headers.get('x-text-length'), '256');
});

test('a request without a body gets an empty req.bodyBytes, and a text body is the same bytes in both', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
      res.end(req.bodyBytes.length + ' ' + JSON.stringify(Array.from(req.bodyBytes)) + ' ' + req.body);
    });`,
  );
  const empty = await getMine(s.port, session, '/');
  assert.equal(empty.body.toString(), '0 [] ');
  const text = await fetch(`http://127.0.0.1:${s.port}/lab/${session}/mine/`, { method: 'POST', body: 'hé' });
  assert.equal(await text.text(), '3 [104,195,169] hé');
});

test('res.write and res.end take bytes: a view sends exactly its own bytes, chunk by chunk', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
      const all = new Uint8Array([0, 1, 2, 0xff, 0xfe, 0x80, 7, 8]);
      res.setHeader('Content-Type', 'application/octet-stream');
      res.write(all.subarray(3, 6)); // ff fe 80, not its neighbours
      res.flush();
      res.write('text and ');
      res.write(new DataView(all.buffer, 6, 2));
      res.flush();
      res.end(all.buffer.slice(0, 3)); // an ArrayBuffer as well
    });`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 200);
  assert.equal(answer.chunked, true);
  assert.deepEqual(
    answer.chunks.map((c) => [...c.data]),
    [
      [0xff, 0xfe, 0x80],
      [...Buffer.from('text and '), 7, 8],
      [0, 1, 2],
    ],
  );
});

test('bytes written are copied at write(): changing the array afterwards changes nothing on the wire', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
      const b = new Uint8Array([1, 2, 3]);
      res.write(b);
      b[0] = 9;
      res.end(b);
    });`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.deepEqual([...answer.body], [1, 2, 3, 9, 2, 3]);
});

test('a binary WebSocket message reaches the handler as a Uint8Array, and ws.send(bytes) answers with a binary frame', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onWebSocket({
      message(ws, data) {
        if (typeof data === 'string') ws.send('text: ' + data);
        else ws.send(data.map((b) => b ^ 0xff)); // every bit flipped
      },
    });`,
  );
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/lab/${session}/mine/`);
  const got: Array<{ data: Buffer; binary: boolean }> = [];
  let closed = 0;
  ws.on('message', (data, binary) => got.push({ data: data as Buffer, binary }));
  ws.on('close', (code) => {
    closed = code;
  });
  ws.on('error', () => {});
  await until(() => ws.readyState === WebSocket.OPEN, 'the handshake', 15_000);
  ws.send(Buffer.from(EVERY_BYTE));
  ws.send('still text');
  await until(() => got.length === 2 || closed !== 0, 'two answers', 15_000);
  assert.equal(closed, 0, 'not closed (binary used to close 1003)');
  assert.equal(got[0]?.binary, true);
  assert.deepEqual(
    [...(got[0]?.data ?? [])],
    [...EVERY_BYTE].map((b) => b ^ 0xff),
  );
  assert.deepEqual([got[1]?.binary, String(got[1]?.data)], [false, 'text: still text']);
  ws.close();
});
