/**
 * Inflate bombs on `ws?deflate=1` (RFC 7692): a small compressed frame that inflates far past the
 * lab's message bound. The server must close 1009 without holding more than the bound, keep
 * serving everyone else, and the captured bomb must dissect within the inspector's own bounds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constants, deflateRawSync } from 'node:zlib';
import { ConnectionDissector } from '../../src/wire/index.ts';
import { DEFAULT_LIMITS } from '../../src/wire/limits.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { InspectorClient } from '../server/capture-harness.ts';
import { frame, RawWebSocket } from './raw-websocket.ts';
import { assertStillEchoes, assertStillServes } from './still-serves.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const s = await startTestServer({ tickIntervalMs: 3_600_000 }); // maxMessageBytes: 64 KiB, the default

/** 64 MiB of zeros as one permessage-deflate message: ~64 KiB on the wire (RFC 7692 §7.2.1: no final 00 00 ff ff). */
const BOMB_INFLATED = 64 * MiB;
const compressed = deflateRawSync(Buffer.alloc(BOMB_INFLATED), { finishFlush: constants.Z_SYNC_FLUSH });
const BOMB = compressed.subarray(0, compressed.length - 4);

const OFFER = { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' };

/** Opens `ws?deflate=1` by hand in a fresh session and checks the extension was agreed. */
async function openCompressed(session = newSessionId()): Promise<RawWebSocket> {
  const ws = await RawWebSocket.open(s.port, `/lab/${session}/ws?deflate=1`, OFFER);
  assert.equal(ws.status, 101, ws.handshake);
  assert.match(ws.handshake, /\r\nsec-websocket-extensions: permessage-deflate/i);
  return ws;
}

test('inflate bombs from clients are closed 1009 naming maxMessageBytes, and the server never holds their inflated size', async () => {
  assert.ok(BOMB.length < 64 * KiB, `the bomb fits in one frame under maxPayload (${BOMB.length} bytes)`);
  const sockets = await Promise.all(Array.from({ length: 4 }, () => openCompressed()));
  const memory = () => {
    const m = process.memoryUsage();
    return m.external + m.arrayBuffers + m.heapUsed;
  };
  const before = memory();
  let peak = before;
  // The server runs in this process: sample its memory while the bombs inflate.
  const sampler = setInterval(() => {
    peak = Math.max(peak, memory());
  }, 1);
  try {
    for (const ws of sockets) ws.send(frame({ opcode: 0x1, rsv: 0b100, payload: BOMB }));
    for (const ws of sockets) {
      const ending = await ws.ended(30_000);
      assert.ok(ending.closeFrame, 'the server sent a close frame');
      assert.equal(ending.code, 1009);
      assert.match(ending.reason, /^bound maxMessageBytes \(65536\) exceeded/);
    }
  } finally {
    clearInterval(sampler);
  }
  // Unbounded, each bomb would be 64 MiB in one Buffer (256 MiB for the four); bounded, each
  // holds at most maxMessageBytes plus zlib's 16 KiB output chunk and its window.
  const grew = peak - before;
  assert.ok(
    grew < 32 * MiB,
    `the server grew ${Math.round(grew / MiB)} MiB while inflating 4 × 64 MiB bombs`,
  );
  await assertStillServes(s.port);
  await assertStillEchoes(s.port);
});

test('a bomb the capture recorded dissects within the inspector bounds: 1009 at maxInflateOutput', async () => {
  const session = newSessionId();
  const watcher = await InspectorClient.open(s.port, session);
  const ws = await openCompressed(session);
  // Two bombs back to back: the second crosses the socket before the server's close takes effect.
  ws.send(Buffer.concat([0, 1].map(() => frame({ opcode: 0x1, rsv: 0b100, payload: BOMB }))));
  await ws.ended(30_000);
  await watcher.waitFor(
    (records) => records.some((r) => r.kind === 'close'),
    'the capture saw the connection close',
    30_000,
  );
  const conn = watcher.records.find((r) => r.kind === 'open')!.conn;
  const d = new ConnectionDissector();
  for (const r of watcher.records) {
    if (r.kind === 'data' && r.conn === conn) d.push(r.dir!, Buffer.from(r.b64 ?? '', 'base64'), r.t);
  }
  const messages = d.items.filter((i) => i.kind === 'ws-message' && i.dir === 'in');
  assert.equal(messages.length, 1, 'the client direction stops at the first bomb');
  assert.equal(messages[0]?.error?.code, 1009);
  assert.equal(
    messages[0]?.error?.message,
    `inflated message larger than ${DEFAULT_LIMITS.maxInflateOutput} bytes`,
  );
  assert.ok((messages[0]?.value?.length ?? 0) <= DEFAULT_LIMITS.maxValueBytes);
  watcher.close();
});
