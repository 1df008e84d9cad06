/**
 * Floods of tiny WebSocket frames: messages, fragments of one message, pings to a reader that
 * never reads. The server stays responsive to others while it happens, and each flood is ended by
 * the bound that names it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { raw, request, sleep } from '../server/lab-wire.ts';
import { frame, RawWebSocket } from './raw-websocket.ts';
import { assertStillEchoes, assertStillServes } from './still-serves.ts';

const s = await startTestServer({
  tickIntervalMs: 3_600_000,
  maxMessageFragments: 100,
  maxStreamMessages: 500,
  requestsPerSecond: 1_000,
});

/** Echo socket in a fresh session. */
async function openEcho(): Promise<RawWebSocket> {
  const ws = await RawWebSocket.open(s.port, `/lab/${newSessionId()}/echo`);
  assert.equal(ws.status, 101, ws.handshake);
  return ws;
}

/** Another learner, who asks the time while the floods go on. */
const observer = newSessionId();

/** How long another learner waits for `GET time` right now, on a new connection, in ms. */
async function timeLatencyMs(): Promise<number> {
  const t0 = performance.now();
  const r = await raw(s.port, request('GET', `/lab/${observer}/time`), { timeoutMs: 15_000 });
  assert.equal(r.status, 200);
  return performance.now() - t0;
}

// Defence: maxStreamMessages counts what the server sends on an echo socket: close 1008.
test('thousands of tiny messages in one burst are echoed up to maxStreamMessages, then closed 1008', async () => {
  const ws = await openEcho();
  const burst = Buffer.concat(
    Array.from({ length: 5_000 }, (_, i) => frame({ opcode: 0x1, payload: String(i % 10) })),
  );
  ws.send(burst);
  const ending = await ws.ended(15_000);
  assert.deepEqual(ending, { closeFrame: true, code: 1008, reason: 'bound maxStreamMessages (500) reached' });
  const echoed = ws.frames().filter((f) => f.opcode === 0x1);
  assert.equal(echoed.length, 500, 'exactly the bound, no more');
  await assertStillEchoes(s.port);
});

// Defence: the lab's ws maxFragments = maxMessageFragments (100 here): close 1008 naming it.
test('a message in a flood of one-byte fragments is closed 1008 at maxMessageFragments', async () => {
  const ws = await openEcho();
  const pieces = [frame({ opcode: 0x1, fin: false, payload: 'a' })];
  for (let i = 0; i < 5_000; i++) pieces.push(frame({ opcode: 0x0, fin: false, payload: 'b' }));
  ws.send(Buffer.concat(pieces));
  const ending = await ws.ended(15_000);
  assert.deepEqual(ending, {
    closeFrame: true,
    code: 1008,
    reason: 'bound maxMessageFragments (100) exceeded',
  });
  assert.equal(ws.frames().filter((f) => f.opcode !== 0x8).length, 0, 'nothing was echoed');
  await assertStillEchoes(s.port);
});

// Defence: ws's maxPendingAutoPongs: a peer that pings and never reads its pongs is cut, so the
// pongs cannot pile up in the server's memory (each ping makes the server write a pong).
test('a ping flood from a client that never reads is cut, and others are served meanwhile', async () => {
  const ws = await openEcho();
  ws.socket.pause(); // never read: the pongs can only queue up
  const ping = frame({ opcode: 0x9, payload: Buffer.alloc(125, 0x70) });
  const batch = Buffer.concat(Array.from({ length: 1_000 }, () => ping)); // ~131 KB
  let sent = 0;
  // Up to 64 MB of pings: far past the kernel's buffers both ways, so the pongs must queue in
  // the server unless it cuts the connection.
  while (!ws.closed && sent < 512) {
    if (!ws.socket.write(batch)) {
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        ws.socket.once('drain', done);
        ws.socket.once('close', done);
        setTimeout(done, 200);
      });
    }
    sent += 1;
    if (sent % 64 === 0) await new Promise((r) => setImmediate(r));
  }
  ws.socket.resume();
  const ending = await ws.ended(20_000);
  assert.deepEqual(ending.closeFrame, false, 'cut, not closed politely: it would not read a close frame');
  assert.ok(sent < 512, `cut after ${sent * 1_000} pings, before the flood ended`);
  assert.ok((await timeLatencyMs()) < 5_000);
  await assertStillServes(s.port);
});

// Defence: ws answers pings on the socket's own turn; nothing per ping grows (no message counted,
// nothing buffered while the flooder reads). The server keeps answering others promptly.
test('a sustained flood of tiny frames from several clients leaves the server responsive', async () => {
  const flooders = await Promise.all([1, 2, 3, 4].map(() => openEcho()));
  const ping = frame({ opcode: 0x9, payload: 'p' });
  const batch = Buffer.concat(Array.from({ length: 500 }, () => ping));
  let stop = false;
  let frames = 0;
  const flooding = (async () => {
    while (!stop) {
      for (const f of flooders) {
        if (!f.closed) f.send(batch);
        frames += 500;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const started = performance.now();
  const latencies: number[] = [];
  try {
    while (performance.now() - started < 2_000) {
      latencies.push(await timeLatencyMs());
      await sleep(20);
    }
  } finally {
    stop = true;
    await flooding;
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = Math.round(frames / seconds);
  assert.ok(rate > 2_000, `the flood ran at ${rate} frames/s`);
  const worst = Math.max(...latencies);
  assert.ok(worst < 5_000, `a fresh client waited up to ${Math.round(worst)} ms during the flood`);
  for (const f of flooders) f.destroy();
  await assertStillServes(s.port);
  await assertStillEchoes(s.port);
});
