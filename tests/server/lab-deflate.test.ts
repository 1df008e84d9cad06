/**
 * `ws?deflate=1` and `ws?deflate=notakeover`: permessage-deflate (RFC 7692) negotiated with a
 * real ws client, compressed frames on the wire (RSV1 set, the payload raw DEFLATE), the
 * extension declined without the option, and the caps on compressed sockets.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { constants, inflateRawSync } from 'node:zlib';
import WebSocket from 'ws';
import { RawWebSocket, type ServerFrame } from '../abuse/raw-websocket.ts';
import { newSession, startLab, VIA_APP } from './lab-harness.ts';
import { raw, request } from './lab-wire.ts';

const s = await startLab({ tickIntervalMs: 3_600_000 });

/** Opens a ws client (it offers permessage-deflate by default); resolves it and the answer's extensions header. */
async function openClient(
  url: string,
  perMessageDeflate = true,
): Promise<{ ws: WebSocket; extensions: string | undefined }> {
  const ws = new WebSocket(url.replace('http', 'ws'), { perMessageDeflate });
  let extensions: string | undefined;
  ws.on('upgrade', (res) => {
    extensions = res.headers['sec-websocket-extensions'];
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, extensions };
}

/** Sends `text` and resolves the next message the client receives. */
function roundTrip(ws: WebSocket, text: string): Promise<string> {
  const next = new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
  ws.send(text);
  return next;
}

/** Closes the client and waits until it is closed. */
async function closeClient(ws: WebSocket): Promise<void> {
  const closed = new Promise((r) => ws.once('close', r));
  ws.close(1000);
  await closed;
}

/** Waits until the raw socket has received `n` data frames; returns them. */
async function dataFrames(w: RawWebSocket, n: number): Promise<ServerFrame[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const frames = w.frames().filter((f) => f.opcode === 0x1 || f.opcode === 0x2);
    if (frames.length >= n) return frames;
    if (Date.now() > deadline) throw new Error(`only ${frames.length} of ${n} frames arrived`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** RFC 7692 §7.2.2: a message's payload + 00 00 ff ff is raw DEFLATE; returns it inflated (one message, no window). */
const inflate = (payload: Buffer): string =>
  inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), {
    finishFlush: constants.Z_SYNC_FLUSH, // the data ends on a block boundary, not a final block
  }).toString('utf8');

const DEFLATE_OFFER = { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' };

test('ws?deflate=1 negotiates permessage-deflate with context takeover, and a ws client reads its messages', async () => {
  const id = newSession();
  const { ws, extensions } = await openClient(`${s.url}/lab/${id}/ws?deflate=1`);
  assert.equal(extensions, 'permessage-deflate');
  const text = 'repeat after me '.repeat(100);
  const m = JSON.parse(await roundTrip(ws, text));
  assert.deepEqual([m.type, m.data], ['chat', text]);
  await closeClient(ws);
});

test('ws?deflate=notakeover negotiates no context takeover in both directions', async () => {
  const id = newSession();
  const { ws, extensions } = await openClient(`${s.url}/lab/${id}/ws?deflate=notakeover`);
  assert.equal(extensions, 'permessage-deflate; server_no_context_takeover; client_no_context_takeover');
  const text = 'again and again '.repeat(100);
  for (let i = 0; i < 2; i++) assert.equal(JSON.parse(await roundTrip(ws, text)).data, text);
  await closeClient(ws);
});

test('without deflate= the lab declines the permessage-deflate a ws client offers', async () => {
  const id = newSession();
  const { ws, extensions } = await openClient(`${s.url}/lab/${id}/ws`);
  assert.equal(extensions, undefined);
  assert.equal(ws.extensions, '');
  await closeClient(ws);
});

test('compressed frames carry RSV1 and raw DEFLATE; with takeover a repeated message refers back, without it each stands alone', async () => {
  // A text deflate cannot shrink on its own (random hex) shrinks to a few bytes the second time,
  // but only when the window carries over (RFC 7692 §7.1.1).
  const text = randomBytes(150).toString('hex');
  const sizes: Record<string, number[]> = {};
  for (const ask of ['1', 'notakeover']) {
    const id = newSession();
    const w = await RawWebSocket.open(s.port, `/lab/${id}/ws?deflate=${ask}`, DEFLATE_OFFER);
    assert.equal(w.status, 101, w.handshake);
    assert.match(w.handshake, /\r\nsec-websocket-extensions: permessage-deflate/i);
    for (let i = 0; i < 2; i++) await raw(s.port, request('POST', `/lab/${id}/send`, {}, text));
    const frames = await dataFrames(w, 2);
    assert.ok(
      frames.every((f) => f.rsv1),
      'RSV1 is set on every compressed data frame',
    );
    assert.equal(JSON.parse(inflate(frames[0]!.payload)).data, text, 'the payload is raw DEFLATE');
    sizes[ask] = frames.map((f) => f.payload.length);
    if (ask === 'notakeover')
      assert.equal(JSON.parse(inflate(frames[1]!.payload)).data, text, 'each message inflates alone');
    w.destroy();
  }
  const [first1, second1] = sizes['1']!;
  const [firstN, secondN] = sizes.notakeover!;
  assert.ok(second1! < first1! / 4, `takeover: ${first1} then ${second1} bytes`);
  assert.ok(secondN! > (firstN! * 3) / 4, `no takeover: ${firstN} then ${secondN} bytes`);
});

test('without deflate= the server frames have RSV1 clear even when the client offers the extension', async () => {
  const id = newSession();
  const w = await RawWebSocket.open(s.port, `/lab/${id}/ws`, DEFLATE_OFFER);
  assert.equal(w.status, 101);
  assert.doesNotMatch(w.handshake, /sec-websocket-extensions/i);
  await raw(s.port, request('POST', `/lab/${id}/send`, {}, 'plain'));
  const [f] = await dataFrames(w, 1);
  assert.equal(f!.rsv1, false);
  assert.equal(JSON.parse(f!.payload.toString()).data, 'plain');
  w.destroy();
});

test('deflate= with a client that offers no extension opens uncompressed', async () => {
  const id = newSession();
  const { ws, extensions } = await openClient(`${s.url}/lab/${id}/ws?deflate=1`, false);
  assert.equal(extensions, undefined);
  assert.equal(JSON.parse(await roundTrip(ws, 'hi')).data, 'hi');
  await closeClient(ws);
  if (!VIA_APP) assert.ok(s.notes!.some((n) => /client offered no permessage-deflate/.test(n)));
});

test('deflate= takes 1 or notakeover: anything else is a 400 naming the parameter', async () => {
  const w = await RawWebSocket.open(s.port, `/lab/${newSession()}/ws?deflate=yes`, DEFLATE_OFFER);
  assert.equal(w.status, 400);
  await w.ended();
  assert.match(w.body, /deflate="yes".*"1", "notakeover"/);
});

test('past maxDeflateSocketsPerSession and maxDeflateSockets the extension is declined, the socket still works, and a slot frees on close', async () => {
  const capped = await startLab({
    tickIntervalMs: 3_600_000,
    maxDeflateSockets: 2,
    maxDeflateSocketsPerSession: 1,
  });
  const a = newSession();
  const b = newSession();
  const first = await openClient(`${capped.url}/lab/${a}/ws?deflate=1`);
  assert.equal(first.extensions, 'permessage-deflate');
  // The session's own share.
  const second = await openClient(`${capped.url}/lab/${a}/ws?deflate=1`);
  assert.equal(second.extensions, undefined, 'a second compressed socket in the session is declined');
  assert.equal(JSON.parse(await roundTrip(second.ws, 'still here')).data, 'still here');
  // The server-wide cap.
  const other = await openClient(`${capped.url}/lab/${b}/ws?deflate=1`);
  assert.equal(other.extensions, 'permessage-deflate');
  const third = await openClient(`${capped.url}/lab/${newSession()}/ws?deflate=1`);
  assert.equal(third.extensions, undefined, 'past maxDeflateSockets the extension is declined');
  if (!VIA_APP) {
    assert.ok(capped.notes!.some((n) => n.startsWith('bound maxDeflateSocketsPerSession (1) reached')));
    assert.ok(capped.notes!.some((n) => n.startsWith('bound maxDeflateSockets (2) reached')));
  }
  for (const c of [second, third]) await closeClient(c.ws);
  // Once a compressed socket has closed on the server's side too, its slot is free again.
  await closeClient(first.ws);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const again = await openClient(`${capped.url}/lab/${a}/ws?deflate=1`);
    await closeClient(again.ws);
    if (again.extensions === 'permessage-deflate') break;
    assert.ok(Date.now() < deadline, 'the slot was never freed');
    await new Promise((r) => setTimeout(r, 50));
  }
  await closeClient(other.ws);
});
