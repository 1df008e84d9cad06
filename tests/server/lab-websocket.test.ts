/**
 * The WebSocket endpoints: `ws` (the feed) and `echo`, their close codes, and how handshakes
 * are refused.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import { newSession, startLab } from './lab-harness.ts';
import { config as defaultConfig } from '../../server/config.ts';
import { raw, refusedHandshake, request, sleep } from './lab-wire.ts';

const s = await startLab({ tickIntervalMs: 3_600_000, maxMessageBytes: 1024, maxMessageFragments: 4 });
const wsUrl = (path: string) => `${s.url.replace('http', 'ws')}${path}`;

interface Received {
  data: Buffer;
  binary: boolean;
}

/** Opens a WebSocket and records what it receives and how it closes. */
function open(path: string) {
  const ws = new WebSocket(wsUrl(path));
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data, binary) => {
    received.push({ data: data as Buffer, binary });
    for (const w of waiters.splice(0)) w();
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  /** Resolves when `n` messages have arrived. */
  const messages = async (n: number): Promise<Received[]> => {
    while (received.length < n) await new Promise<void>((r) => waiters.push(r));
    return received.slice(0, n);
  };
  return { ws, received, opened, closed, messages };
}

test('ws sends each feed message as one JSON text frame, and appends the text the client sends', async () => {
  const id = newSession();
  const c = open(`/lab/${id}/ws`);
  await c.opened;
  c.ws.send('hello over ws');
  const [frame] = await c.messages(1);
  assert.equal(frame?.binary, false);
  const m = JSON.parse(frame!.data.toString());
  assert.deepEqual([m.id, m.type, m.data], [1, 'chat', 'hello over ws']);
  // The same message is in the feed every other endpoint reads.
  const news = JSON.parse((await raw(s.port, request('GET', `/lab/${id}/news`))).body.toString());
  assert.equal(news.messages[0].data, 'hello over ws');
  c.ws.close(1000);
  assert.equal((await c.closed).code, 1000);
});

test('ws with since= replays the messages after that id first', async () => {
  const id = newSession();
  for (const t of ['a', 'b', 'c']) await raw(s.port, request('POST', `/lab/${id}/send`, {}, t));
  const c = open(`/lab/${id}/ws?since=1`);
  const got = await c.messages(2);
  assert.deepEqual(
    got.map((r) => JSON.parse(r.data.toString()).data),
    ['b', 'c'],
  );
  c.ws.close();
});

test('ws?echo=1 sends text back as text and binary back as binary', async () => {
  const c = open(`/lab/${newSession()}/ws?echo=1`);
  await c.opened;
  c.ws.send('ping text');
  c.ws.send(Buffer.from([0, 1, 2, 255]));
  const [text, bin] = await c.messages(2);
  assert.deepEqual([text?.binary, text?.data.toString()], [false, 'ping text']);
  assert.deepEqual([bin?.binary, [...bin!.data]], [true, [0, 1, 2, 255]]);
  c.ws.close();
});

test('ws without echo closes 1003 on a binary message, with a reason', async () => {
  const c = open(`/lab/${newSession()}/ws`);
  await c.opened;
  c.ws.send(Buffer.from([1, 2, 3]));
  const closed = await c.closed;
  assert.equal(closed.code, 1003);
  assert.match(closed.reason, /echo=1/);
});

test('echo sends every text and binary message back unchanged', async () => {
  const c = open(`/lab/${newSession()}/echo`);
  await c.opened;
  c.ws.send('héllo');
  c.ws.send(new Uint8Array([9, 8, 7]));
  c.ws.send('{"not":"a close"}');
  const [a, b, d] = await c.messages(3);
  assert.deepEqual([a?.binary, a?.data.toString()], [false, 'héllo']);
  assert.deepEqual([b?.binary, [...b!.data]], [true, [9, 8, 7]]);
  assert.equal(d?.data.toString(), '{"not":"a close"}');
  c.ws.close();
});

test('echo answers {"close":4000,"reason":"bye"} by closing with code 4000 and reason bye', async () => {
  const c = open(`/lab/${newSession()}/echo`);
  await c.opened;
  c.ws.send(JSON.stringify({ close: 4000, reason: 'bye' }));
  assert.deepEqual(await c.closed, { code: 4000, reason: 'bye' });
});

test('echo refuses a close code that cannot be sent, in a text message, and stays open', async () => {
  const c = open(`/lab/${newSession()}/echo`);
  await c.opened;
  c.ws.send(JSON.stringify({ close: 1005 }));
  c.ws.send(JSON.stringify({ close: 4001, reason: 'x'.repeat(124) }));
  const [bad, long] = await c.messages(2);
  assert.match(JSON.parse(bad!.data.toString()).error, /1005 cannot be sent/);
  assert.match(JSON.parse(long!.data.toString()).error, /123 bytes/);
  c.ws.send(JSON.stringify({ close: 1000 }));
  assert.equal((await c.closed).code, 1000);
});

test('a message over maxMessageBytes closes 1009 with a reason naming the bound', async () => {
  const c = open(`/lab/${newSession()}/echo`);
  await c.opened;
  c.ws.send('x'.repeat(1025));
  assert.deepEqual(await c.closed, { code: 1009, reason: 'bound maxMessageBytes (1024) exceeded' });
});

test('a message in more than maxMessageFragments fragments closes 1008 naming the bound', async () => {
  const c = open(`/lab/${newSession()}/echo`);
  await c.opened;
  for (let i = 0; i < 5; i++) c.ws.send('ab', { fin: false });
  c.ws.send('end', { fin: true });
  assert.deepEqual(await c.closed, { code: 1008, reason: 'bound maxMessageFragments (4) exceeded' });
});

test('drop=N on a WebSocket cuts the connection after N messages, without a close frame (1006)', async () => {
  const c = open(`/lab/${newSession()}/echo?drop=2`);
  await c.opened;
  for (const t of ['1', '2', '3']) c.ws.send(t);
  const closed = await c.closed;
  assert.equal(closed.code, 1006);
  assert.deepEqual(
    c.received.map((r) => r.data.toString()),
    ['1', '2'],
  );
});

test('a handshake with a bad query, an HTTP endpoint, buffer=1 or status= is refused with that HTTP status', async () => {
  const id = newSession();
  const bad = await refusedHandshake(wsUrl(`/lab/${id}/ws?since=abc`));
  assert.equal(bad.status, 400);
  assert.match(bad.body, /since="abc"/);
  const http = await refusedHandshake(wsUrl(`/lab/${id}/time`));
  assert.equal(http.status, 404);
  assert.match(http.body, /not a WebSocket endpoint/);
  const buffered = await refusedHandshake(wsUrl(`/lab/${id}/echo?buffer=1`));
  assert.equal(buffered.status, 400);
  const faulted = await refusedHandshake(wsUrl(`/lab/${id}/echo?status=503`));
  assert.equal(faulted.status, 503);
  assert.match(faulted.body, /fault: status=503/);
  const badSession = await refusedHandshake(wsUrl('/lab/nope/echo'));
  assert.equal(badSession.status, 400);
});

test('a raw client sending an unmasked frame gets close 1002, and the server keeps serving', async () => {
  const id = newSession();
  const socket = net.connect(s.port, '127.0.0.1');
  const bytes: Buffer[] = [];
  socket.on('data', (d: Buffer) => bytes.push(d));
  socket.write(
    request('GET', `/lab/${id}/echo`, {
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    }).replace('Connection: close\r\n', ''),
  );
  await sleep(100);
  socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69])); // FIN + text, length 2, NO mask bit: RFC 6455 §5.1 forbids it
  await new Promise((r) => socket.once('close', r));
  const wire = Buffer.concat(bytes);
  assert.match(wire.toString('latin1'), /^HTTP\/1\.1 101 Switching Protocols/);
  const frame = wire.subarray(wire.indexOf('\r\n\r\n') + 4);
  assert.equal(frame[0], 0x88); // close frame
  assert.equal(frame.readUInt16BE(2), 1002);
  assert.equal((await raw(s.port, request('GET', `/lab/${id}/time`))).status, 200);
});

test('a ws that sends faster than requestsPerSecond is closed 1008 naming the bound; what it added stays bounded', async () => {
  const c = open(`/lab/${newSession()}/ws`);
  await c.opened;
  // The bucket holds 2 × requestsPerSecond tokens (the handshake took one): far more sent in one
  // go cannot all join the feed.
  // Sent in one go, four buckets' worth: even on a slow machine, where the bucket refills while
  // the server works through the flood, most of it cannot join.
  const burst = 2 * defaultConfig.requestsPerSecond;
  const sent = 4 * burst;
  for (let i = 0; i < sent; i++) c.ws.send(`flood ${i}`);
  const { code, reason } = await c.closed;
  assert.equal(code, 1008);
  assert.match(reason, /^bound requestsPerSecond \(\d+\) reached: send at most \d+ messages a second$/);
  // This socket reads its own feed: every message that joined it came back before the close.
  const joined = c.received.filter((r) => JSON.parse(r.data.toString()).type === 'chat').length;
  assert.ok(joined > 0 && joined < 2 * burst, `${joined} of ${sent} flood messages joined the feed`);
});
