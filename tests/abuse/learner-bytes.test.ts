/**
 * Bytes through a learner's handler stay inside the same bounds as text: a binary body past
 * `maxMessageBytes` is refused before the handler runs, bytes written or sent past
 * `sandboxResponseBytes` end the response or the WebSocket, a binary frame past `maxMessageBytes`
 * is closed 1009 by the lab, and a handler that replaces ArrayBuffer and Uint8Array methods breaks
 * only its own code: what reaches the wire is exactly the bytes it wrote.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { until } from '../server/capture-harness.ts';
import { deployOk, getMine, waitForConsole } from '../server/mine-harness.ts';
import { assertStillServes } from './still-serves.ts';

const KiB = 1024;
const s = await startTestServer({
  requestsPerSecond: 1_000,
  sandboxWorkers: 1,
  maxMessageBytes: 8 * KiB,
  sandboxResponseBytes: 64 * KiB,
  sandboxBytesPerSecond: 1024 * KiB,
});

/** Opens the session's handler socket and records what comes back. */
async function open(session: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/lab/${session}/mine/`);
  const state = { closed: 0, reason: '', got: [] as Buffer[] };
  ws.on('message', (d) => state.got.push(d as Buffer));
  ws.on('close', (code, reason) => Object.assign(state, { closed: code, reason: String(reason) }));
  ws.on('error', () => {});
  await until(() => ws.readyState === WebSocket.OPEN || state.closed !== 0, 'the handshake', 15_000);
  return { ws, state };
}

test('a binary body past maxMessageBytes is refused with 413 before the handler runs', async () => {
  const session = newSessionId();
  await deployOk(s.port, session, `onRequest((req, res) => { console.log('ran'); res.end('ran'); });`);
  const answer = await fetch(`http://127.0.0.1:${s.port}/lab/${session}/mine/`, {
    method: 'POST',
    body: new Uint8Array(8 * KiB + 1).fill(0xff),
  });
  assert.equal(answer.status, 413);
  assert.match(await answer.text(), /^bound maxMessageBytes \(8192\) reached/);
  // One byte less is taken, whole.
  const fits = await fetch(`http://127.0.0.1:${s.port}/lab/${session}/mine/`, {
    method: 'POST',
    body: new Uint8Array(8 * KiB).fill(0xff),
  });
  assert.equal(await fits.text(), 'ran');
  await assertStillServes(s.port);
});

test('bytes written past sandboxResponseBytes answer 500 naming it, and nothing of them is sent', async () => {
  const session = newSessionId();
  await deployOk(s.port, session, `onRequest((req, res) => res.end(new Uint8Array(65 * 1024)));`);
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 500);
  assert.match(answer.body.toString(), /^bound sandboxResponseBytes \(65536\) reached/);
  assert.ok(answer.body.length < 1_000, 'only the reason');
});

test('binary frames past sandboxResponseBytes close the WebSocket 1011 naming the bound', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onWebSocket({ open(ws) { for (let i = 0; i < 5; i++) ws.send(new Uint8Array(16 * 1024)); } });`,
  );
  const c = await open(session);
  await until(() => c.state.closed !== 0, 'the close', 15_000);
  assert.equal(c.state.closed, 1011);
  assert.match(c.state.reason, /^bound sandboxResponseBytes \(65536\) reached/);
  assert.equal(c.state.got.length, 4, 'the four frames that fit');
  await waitForConsole(s.port, session, /^bound sandboxResponseBytes \(65536\) reached/);
});

test('a binary frame past maxMessageBytes is closed 1009 before it reaches the handler', async () => {
  const session = newSessionId();
  await deployOk(s.port, session, `onWebSocket({ message(ws, data) { console.log('got', data.length); } });`);
  const c = await open(session);
  c.ws.send(new Uint8Array(8 * KiB + 1));
  await until(() => c.state.closed !== 0, 'the close', 15_000);
  assert.equal(c.state.closed, 1009); // RFC 6455 §7.4.1: message too big
  await assertStillServes(s.port);
});

test('a handler that replaces ArrayBuffer.prototype.slice and Uint8Array still sends exactly its bytes', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `const original = new Uint8Array([1, 2, 3, 4, 5, 6]);
ArrayBuffer.prototype.slice = function () { return new ArrayBuffer(1000000); };
ArrayBuffer.isView = () => false;
onRequest((req, res) => {
  res.write(original.subarray(1, 3));
  res.end(req.bodyBytes);
});
globalThis.Uint8Array = function () { throw new Error('no'); };`,
  );
  const answer = await fetch(`http://127.0.0.1:${s.port}/lab/${session}/mine/`, {
    method: 'POST',
    body: new Uint8Array([0xfe, 0xff]),
  });
  assert.equal(answer.status, 200);
  assert.deepEqual([...new Uint8Array(await answer.arrayBuffer())], [2, 3, 0xfe, 0xff]);
});
