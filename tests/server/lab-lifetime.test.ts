/**
 * How long a lab connection lives (docs/lab-api.md, "How long a connection lives"): in a class, a
 * stream or WebSocket lives as long as its page reads it; outside one it ends at
 * `maxStreamMessages` / `maxStreamMs`. The lab pings its WebSockets and cuts a peer that does not
 * answer. Against the real server, with sessions bound through the class API.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import { RawWebSocket } from '../abuse/raw-websocket.ts';
import { InspectorNotes } from '../abuse/inspector-notes.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { until } from './capture-harness.ts';
import { channel, createClass, join } from './class-harness.ts';

/** An SSE reader on a raw, kept-alive socket: what it read so far, and whether it was closed. */
function sseReader(port: number, path: string): { text: () => string; closed: () => boolean } {
  let text = '';
  let closed = false;
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.on('data', (d: Buffer) => {
    text += d.toString('utf8');
  });
  socket.on('close', () => {
    closed = true;
  });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  return { text: () => text, closed: () => closed };
}

/** A WebSocket client (it answers pings, as browsers do): its messages, and how it closed. */
function wsReader(port: number, path: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  const got: string[] = [];
  let closed: { code: number; reason: string } | null = null;
  ws.on('error', () => {});
  ws.on('message', (data) => got.push(String(data)));
  ws.on('close', (code, reason) => {
    closed = { code, reason: String(reason) };
  });
  return { ws, got, closed: () => closed };
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

test('in a class, SSE and WebSocket readers that keep reading outlive maxStreamMs and maxStreamMessages; outside one they end', async () => {
  const s = await startTestServer({ tickIntervalMs: 3_600_000, maxStreamMs: 1_500, maxStreamMessages: 5 });
  const created = await createClass(s.url);
  const teacher = await channel(s.url, created.code, { role: 'teacher', key: created.key });
  await teacher.next('welcome');
  const inClass = newSessionId();
  await join(s.url, created.code, 'Ada', inClass); // binds the session to the class room
  const alone = newSessionId();

  // The class's readers open first: they are at least as old as the others when those end.
  const classSse = sseReader(s.port, `/lab/${inClass}/sse`);
  const classWs = wsReader(s.port, `/lab/${inClass}/ws`);
  await until(() => classSse.text().includes('\r\n\r\n'), 'the class SSE head');
  await until(() => classWs.ws.readyState === WebSocket.OPEN, 'the class WebSocket');
  const aloneSse = sseReader(s.port, `/lab/${alone}/sse`);
  const aloneWs = wsReader(s.port, `/lab/${alone}/ws`);

  await until(
    () => aloneSse.text().includes(': bound maxStreamMs (1500) reached — stream ended\n\n'),
    'the lone SSE stream to end at maxStreamMs',
    15_000,
  );
  await until(() => aloneWs.closed() !== null, 'the lone WebSocket to close', 15_000);
  assert.deepEqual(aloneWs.closed(), { code: 1008, reason: 'bound maxStreamMs (1500) reached' });

  // Older than maxStreamMs, the class's readers are still open, and carry more than maxStreamMessages.
  assert.equal(classSse.closed(), false);
  assert.equal(classWs.ws.readyState, WebSocket.OPEN);
  for (let i = 1; i <= 8; i++) teacher.send({ type: 'push', text: `message ${i}` });
  await until(() => count(classSse.text(), 'event: push\n') === 8, 'eight pushes on the class SSE', 10_000);
  await until(() => classWs.got.filter((m) => m.includes('"push"')).length === 8, 'eight on the WebSocket');
  assert.ok(!classSse.text().includes(': bound'), 'no bound ended the class stream');
  assert.equal(classSse.closed(), false);
  assert.equal(classWs.closed(), null);
  classWs.ws.close();
  teacher.ws.close();
});

test('a WebSocket peer that answers no ping is cut after wsPingMs, and the inspector says so; one that answers lives on', async () => {
  const s = await startTestServer({ tickIntervalMs: 3_600_000, wsPingMs: 200 });
  const id = newSessionId();
  const inspector = await InspectorNotes.open(s.port, id);
  const deaf = await RawWebSocket.open(s.port, `/lab/${id}/echo`); // reads, never answers a ping
  assert.equal(deaf.status, 101);
  const alive = wsReader(s.port, `/lab/${id}/echo`);
  let pings = 0;
  alive.ws.on('ping', () => {
    pings += 1;
  });

  assert.deepEqual(await deaf.ended(10_000), { closeFrame: false });
  assert.ok(
    deaf.frames().some((f) => f.opcode === 0x9),
    'it was pinged (RFC 6455 opcode 9)',
  );
  await until(
    () =>
      inspector
        .notes()
        .some((n) => n.text === 'bound wsPingMs (200) reached — no pong to the last ping, connection cut'),
    'the wsPingMs note',
  );
  await until(() => pings >= 5, 'five pings to the peer that answers', 10_000);
  assert.equal(alive.closed(), null);
  alive.ws.send('still here');
  await until(() => alive.got.includes('still here'), 'the echo');
  alive.ws.close();
  inspector.close();
});
