/**
 * A learner's WebSocket handler (`onWebSocket({ open, message, close })`) on the lab's WebSocket
 * server: echo, a broadcast through the session's feed, a close the handler asks for, and what a
 * mistake in it gets on the wire (close 1011 with the reason). Binary messages: mine-bytes.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { until } from './capture-harness.ts';
import { deployOk, waitForConsole } from './mine-harness.ts';

const s = await startTestServer({ requestsPerSecond: 1_000, tickIntervalMs: 3_600_000 });

/** Opens `mine<path>` and records what comes back. */
async function open(session: string, path = '/') {
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/lab/${session}/mine${path}`);
  const got: string[] = [];
  const closed = { code: 0, reason: '', done: false };
  ws.on('message', (d) => got.push(String(d)));
  ws.on('close', (code, reason) => Object.assign(closed, { code, reason: String(reason), done: true }));
  ws.on('error', () => {});
  await until(() => ws.readyState === WebSocket.OPEN || closed.done, 'the handshake', 15_000);
  return { ws, got, closed };
}

test('a WebSocket handler echoes, and greets with what the handshake asked', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onWebSocket({
  open(ws, req) { ws.send('hello ' + req.path + ' ' + req.query.name); },
  message(ws, data) { ws.send('echo: ' + data); },
});`,
  );
  const c = await open(session, '/chat?name=ada');
  c.ws.send('one');
  c.ws.send('two');
  await until(() => c.got.length === 3, 'three messages', 15_000);
  assert.deepEqual(c.got, ['hello /chat ada', 'echo: one', 'echo: two']);
  c.ws.close();
});

test('a room broadcast through the session’s feed reaches every connection', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onWebSocket({
  open(ws) { feed.subscribe((m) => { if (m.type === 'chat') ws.send(m.data.from + ': ' + m.data.text); }); },
  message(ws, data) { feed.append({ from: ws.id, text: data }); },
});`,
  );
  const a = await open(session);
  const b = await open(session);
  a.ws.send('hi all');
  await until(() => a.got.length === 1 && b.got.length === 1, 'both heard it', 15_000);
  assert.match(b.got[0]!, /^\d+: hi all$/);
  assert.equal(a.got[0], b.got[0]);
  a.ws.close();
  b.ws.close();
});

test('the handler closes with the code and reason it chose, and its close handler runs on the client’s close', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onWebSocket({
  message(ws, data) { if (data === 'bye') ws.close(4000, 'see you'); },
  close(ws, code, reason) { console.log('closed', code, reason); },
});`,
  );
  const c = await open(session);
  c.ws.send('bye');
  await until(() => c.closed.done, 'the close', 15_000);
  assert.deepEqual([c.closed.code, c.closed.reason], [4000, 'see you']);
  const d = await open(session);
  d.ws.close(4001, 'leaving');
  await waitForConsole(s.port, session, /^closed 4001 leaving$/);
});

test('a throw in a WebSocket handler closes it 1011 with the reason, and the console has the line', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onWebSocket({
  message(ws, data) {
    JSON.parse(data).missing.field;
  },
});`,
  );
  const c = await open(session);
  c.ws.send('{}');
  await until(() => c.closed.done, 'the close', 15_000);
  assert.equal(c.closed.code, 1011);
  assert.match(c.closed.reason, /^Your handler threw TypeError/);
  await waitForConsole(s.port, session, /^Your handler threw TypeError: .* \(line 3/);
});

test('without onWebSocket, a handshake is accepted and closed 1011 saying what to call', async () => {
  const session = newSessionId();
  await deployOk(s.port, session, `onRequest((req, res) => res.end());`);
  const c = await open(session);
  await until(() => c.closed.done, 'the close', 15_000);
  assert.equal(c.closed.code, 1011);
  assert.match(c.closed.reason, /^Your handler threw Error/);
  await waitForConsole(s.port, session, /registered no WebSocket handler: call onWebSocket/);
});
