/**
 * One learner asking for too much: connections, requests, sessions; a stream nobody reads; an
 * inspector on a huge capture, and one that stops reading. Past each bound the answer names it
 * (docs/lab-api.md "Bounds", docs/inspector-protocol.md "Bounds"), memory stays bounded, and
 * everyone else is still served.
 */
import assert from 'node:assert/strict';
import type net from 'node:net';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { WebSocket } from 'ws';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { InspectorClient, RawClient, until } from '../server/capture-harness.ts';
import { InspectorNotes } from './inspector-notes.ts';
import { raw, request, sleep } from '../server/lab-wire.ts';
import { RawWebSocket } from './raw-websocket.ts';
import { assertStillEchoes, assertStillServes } from './still-serves.ts';

const KiB = 1024;
const MiB = 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap and off-heap bytes of this process (the server runs in it), after a full collection. */
function memoryNow(): number {
  gc();
  gc(); // Buffers' backing stores are released by the second pass
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/**
 * Bytes the process holds beyond `before`, once what was in flight has landed. Coarse (the
 * garbage collector decides when memory goes): tests compare it with what an unbounded server
 * would hold, many times more.
 */
async function memoryGrowthSince(before: number): Promise<number> {
  await sleep(300);
  return memoryNow() - before;
}

/** Opens a WebSocket with the ws library; resolves how it closed. */
/** How a WebSocket to `path` closes within `ms`; null when it is still open then (it is cut). */
function wsCloseWithin(
  port: number,
  path: string,
  ms: number,
): Promise<{ code: number; reason: string } | null> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  ws.on('error', () => {});
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve(null);
    }, ms);
    ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: String(reason) });
    });
  });
}

function wsClose(port: number, path: string): Promise<{ code: number; reason: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  ws.on('error', () => {});
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
}

test('past maxConnectionsPerSession a learner gets 429 naming the bound (WebSocket: 1013); others are served', async () => {
  const s = await startTestServer({ tickIntervalMs: 3_600_000, maxConnectionsPerSession: 3 });
  const id = newSessionId();
  const held = [1, 2, 3].map(() => raw(s.port, request('GET', `/lab/${id}/poll?timeout=1500`)));
  await sleep(300);
  const refused = await raw(s.port, request('GET', `/lab/${id}/time`));
  assert.equal(refused.status, 429);
  assert.equal(refused.headers['retry-after'], '1');
  assert.match(refused.body.toString(), /^bound maxConnectionsPerSession \(3\) reached/);
  assert.deepEqual(await wsClose(s.port, `/lab/${id}/echo`), {
    code: 1013,
    reason: 'bound maxConnectionsPerSession (3) reached',
  });
  await assertStillServes(s.port, 'while one session holds all its connections');
  await Promise.all(held);
});

test('past requestsPerSecond a learner gets 429 with Retry-After naming the bound; others are served', async () => {
  // Pipelined requests are all open at once: lift maxConnectionsPerSession so only the rate speaks.
  // One token a second (burst 2): a busy machine's pauses between steps cannot refill the bucket
  // before the WebSocket check below.
  const s = await startTestServer({
    tickIntervalMs: 3_600_000,
    requestsPerSecond: 1,
    maxConnectionsPerSession: 100,
  });
  const id = newSessionId();
  const client = await RawClient.connect(s.port);
  // 60 pipelined requests on one socket, as fast as the bytes go.
  const started = Date.now();
  client.send(`GET /lab/${id}/time HTTP/1.1\r\nHost: x\r\n\r\n`.repeat(60));
  await client.waitFor('HTTP/1.1 ', 60, 15_000);
  const refills = Math.ceil((Date.now() - started) / 1000);
  const text = client.received.toString('latin1');
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
  const ok = statuses.filter((x) => x === 200).length;
  assert.ok(
    ok >= 2 && ok <= 2 + refills,
    `the burst (2 × 1) passes, and a token a second: ${ok} answered 200`,
  );
  assert.equal(statuses.filter((x) => x === 429).length, 60 - ok);
  assert.match(text, /Retry-After: \d+\r\n/);
  assert.match(
    text,
    /bound requestsPerSecond \(1\) reached: this session sends requests faster than 1 a second/,
  );
  client.socket.destroy();
  // The handshake meets the bound too. A token may refill between the bucket being emptied and the
  // handshake (a busy machine pauses anywhere): then the socket is admitted, and the bucket is
  // emptied again and the handshake tried again.
  let closed: { code: number; reason: string } | null = null;
  for (let attempt = 0; attempt < 5 && closed === null; attempt++) {
    const drain = await RawClient.connect(s.port);
    drain.send(`GET /lab/${id}/time HTTP/1.1\r\nHost: x\r\n\r\n`.repeat(4));
    await drain.waitFor('HTTP/1.1 ', 4, 15_000);
    drain.socket.destroy();
    closed = await wsCloseWithin(s.port, `/lab/${id}/echo`, 3_000);
  }
  assert.deepEqual(closed, { code: 1013, reason: 'bound requestsPerSecond (1) reached' });
  await assertStillServes(s.port, 'while one session is rate limited');
});

test('past maxSessions, all proven, a new session gets 503 naming the bound and when to retry (WebSocket: 1013); existing ones are served', async () => {
  const s = await startTestServer({ tickIntervalMs: 3_600_000, maxSessions: 5 });
  const existing = Array.from({ length: 5 }, () => newSessionId());
  // A long poll is real work: these sessions are kept, not made room from (server/lab/sessions.ts).
  for (const id of existing)
    assert.equal((await raw(s.port, request('GET', `/lab/${id}/poll?timeout=0`))).status, 204);
  for (let i = 0; i < 20; i++) {
    const refused = await raw(s.port, request('GET', `/lab/${newSessionId()}/time`));
    assert.equal(refused.status, 503);
    const retry = Number(refused.headers['retry-after']);
    assert.match(
      refused.body.toString(),
      new RegExp(`^bound maxSessions \\(5\\) reached: .* Try again in ${Math.ceil(retry / 60)} min`),
    );
  }
  const ws = await wsClose(s.port, `/lab/${newSessionId()}/echo`);
  assert.deepEqual(ws, { code: 1013, reason: 'bound maxSessions (5) reached' });
  for (const id of existing) {
    const again = await raw(s.port, request('GET', `/lab/${id}/time`));
    assert.equal(again.status, 200, 'the sessions that exist keep working');
    assert.equal(JSON.parse(again.body.toString()).seq, 1);
  }
});

// ---- streams nobody reads

// Messages of 200 KiB against the default maxBufferedBytes (1 MiB): a reader that reads keeps up
// easily; one that never reads fills the kernel's buffers (a few MiB), then the server's.
const pushed = await startTestServer({
  tickIntervalMs: 3_600_000,
  maxBufferedBytes: 1 * MiB,
  maxMessageBytes: 256 * KiB,
  feedKeepBytes: 1 * KiB,
  maxStreamMessages: 100_000,
  requestsPerSecond: 10_000,
  slowReaderGraceMs: 500,
});

/** Opens `path` on a raw socket and waits for the answer's head. */
async function openStream(port: number, path: string, websocket: boolean): Promise<net.Socket> {
  if (websocket) {
    const ws = await RawWebSocket.open(port, path);
    assert.equal(ws.status, 101);
    return ws.socket;
  }
  const c = await RawClient.connect(port);
  c.send(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  await c.waitFor('\r\n\r\n');
  return c.socket;
}

for (const [endpoint, websocket] of [
  ['stream?source=feed', false],
  ['sse', false],
  ['ws', true],
] as const) {
  // Defence: push-response.ts / push-socket.ts watch res.writableLength / ws.bufferedAmount, stop
  // sending to a reader more than maxBufferedBytes behind, and cut it if it has not caught up
  // within slowReaderGraceMs. Without it every message would queue in the server for as long as
  // the reader holds the socket open.
  test(`a ${endpoint.split('?')[0]} reader that never reads gets nothing past maxBufferedBytes and is cut after slowReaderGraceMs, one that reads is not; memory stays bounded`, async () => {
    const id = newSessionId();
    const inspector = await InspectorNotes.open(pushed.port, id);
    const stalled = await openStream(pushed.port, `/lab/${id}/${endpoint}`, websocket); // conn 1
    stalled.pause(); // never read again
    const reading = await openStream(pushed.port, `/lab/${id}/${endpoint}`, websocket); // conn 2
    let readBytes = 0;
    reading.on('data', (d: Buffer) => {
      readBytes += d.length;
    });
    const before = memoryNow();
    const message = 'm'.repeat(200 * KiB);
    const cutNote = () => inspector.notes().find((r) => /maxBufferedBytes/.test(r.text ?? ''));
    let posted = 0;
    // Up to 64 MiB of messages: far past what the kernel buffers for a socket both ways.
    while (!cutNote() && posted < 64 * MiB) {
      const r = await raw(
        pushed.port,
        request('POST', `/lab/${id}/send`, { 'Content-Type': 'text/plain' }, message),
      );
      assert.equal(r.status, 200);
      posted += message.length;
      if (posted % (2 * MiB) < message.length) await sleep(20); // let the inspector catch up
    }
    await until(() => cutNote() !== undefined, 'the maxBufferedBytes note', 10_000);
    const note = cutNote()!;
    assert.match(
      note.text!,
      /^bound maxBufferedBytes \(1048576\) reached — reader fell \d+ bytes behind, (stream ended|closed 1008)$/,
    );
    assert.equal(note.conn, 1, 'the reader that stopped reading is the one cut');
    assert.ok(posted < 32 * MiB, `cut after ${posted >> 20} MiB were pushed at it`);
    await until(() => readBytes >= posted, 'the reading reader to get every message', 10_000);
    assert.equal(inspector.notes().filter((r) => r.conn === 2).length, 0, 'the reading reader was never cut');
    await until(() => inspector.records.some((r) => r.kind === 'close' && r.conn === 1), 'conn 1 to close');
    assert.ok(
      inspector
        .notes()
        .some((r) => r.conn === 1 && /^bound slowReaderGraceMs \(500\) reached/.test(r.text ?? '')),
      'cut because it did not catch up',
    );
    // Everything in flight has landed: what the server still holds is the session's capture
    // (captureBytesPerSession, 2 MiB) and its feed, not the megabytes pushed at the stalled reader.
    // The cut came right at the bound: behind by at most the bound plus the message that crossed it.
    const behind = Number(/fell (\d+) bytes/.exec(note.text!)![1]);
    assert.ok(behind > MiB && behind < MiB + 2 * message.length, `fell ${behind} bytes behind`);
    const grew = await memoryGrowthSince(before);
    assert.ok(grew < 24 * MiB, `the server's memory grew ${grew >> 20} MiB for a reader that reads nothing`);
    // What reached the stalled socket ends without a proper end (no last chunk, no close frame).
    const got: Buffer[] = [];
    stalled.on('data', (d: Buffer) => got.push(d));
    stalled.resume();
    await until(() => stalled.destroyed || stalled.readableEnded, 'the cut connection to end', 15_000);
    const tail = Buffer.concat(got).subarray(-64).toString('latin1');
    if (!websocket) assert.ok(!tail.endsWith('0\r\n\r\n'), 'no last chunk: the connection was cut');
    reading.destroy();
    inspector.close();
    await assertStillServes(pushed.port);
  });
}

// ---- the inspector on a huge capture, and an inspector that stops reading

// Defence: the capture ring's byte budget per session; an inspector's replay is what the ring
// kept, announced by a `dropped` message.
test('on a session with far more traffic than captureBytesPerSession, replay is bounded and says what was dropped', async () => {
  const s = await startTestServer({
    tickIntervalMs: 3_600_000,
    captureBytesPerSession: 64 * KiB,
    maxMessageBytes: 64 * KiB,
    requestsPerSecond: 10_000,
  });
  const id = newSessionId();
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/lab/${id}/echo`);
  await new Promise((resolve) => ws.once('open', resolve));
  const chunk = Buffer.alloc(60 * KiB, 0x41);
  for (let i = 0; i < 40; i++) {
    const back = new Promise((resolve) => ws.once('message', resolve));
    ws.send(chunk);
    await back;
  } // ~4.7 MiB of frames each way: over 70 times the session's budget
  ws.close();
  const inspector = await InspectorClient.open(s.port, id);
  await until(() => inspector.live, 'the replay to end', 10_000);
  const kinds = inspector.messages.map((m) => m.type);
  assert.deepEqual(kinds.slice(0, 2), ['hello', 'dropped'], 'a dropped message before any record');
  const dropped = inspector.messages[1]!;
  assert.ok((dropped.bytes as number) > 4 * MiB, `dropped ${dropped.bytes} bytes`);
  const replayed = inspector.records
    .filter((r) => r.kind === 'data')
    .reduce((n, r) => n + Buffer.from(r.b64 ?? '', 'base64').length, 0);
  assert.ok(replayed <= 64 * KiB, `replayed ${replayed} bytes of data, within the 64 KiB ring`);
  assert.ok((inspector.hello?.firstSeq as number) > 1);
  inspector.close();
  await assertStillServes(s.port);
});

// Defence: channel.ts stops queueing past inspectorMaxBufferedBytes and closes a reader stuck
// there for inspectorStallMs (then cuts it a second later). Without it the channel would queue
// the whole capture, base64 in JSON, in the server's memory.
test('an inspector that never reads is held to inspectorMaxBufferedBytes and closed after inspectorStallMs', async () => {
  const s = await startTestServer({
    tickIntervalMs: 3_600_000,
    captureBytesPerSession: 64 * MiB,
    captureBytesTotal: 128 * MiB,
    maxMessageBytes: 256 * KiB,
    inspectorMaxBufferedBytes: 64 * KiB,
    inspectorStallMs: 1_000,
    requestsPerSecond: 10_000,
    maxStreamMessages: 100_000,
  });
  const id = newSessionId();
  const stuck = await RawWebSocket.open(s.port, `/inspect/${id}`);
  assert.equal(stuck.status, 101);
  stuck.socket.pause();
  const watcher = await InspectorNotes.open(s.port, id); // a second inspector, that reads
  const before = memoryNow();
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/lab/${id}/echo`);
  await new Promise((resolve) => ws.once('open', resolve));
  const chunk = Buffer.alloc(250 * KiB, 0x42);
  for (let i = 0; i < 64; i++) {
    const back = new Promise((resolve) => ws.once('message', resolve));
    ws.send(chunk);
    await back;
  } // ~31 MiB captured: ~42 MiB of base64 JSON for each inspector
  ws.close();
  await sleep(3_000); // stall (1 s), close frame, then the cut a second later
  const grew = await memoryGrowthSince(before);
  stuck.socket.resume();
  const ending = await stuck.ended(15_000);
  const received = stuck.frames().reduce((n, f) => n + f.payload.length, 0);
  assert.ok(received < 16 * MiB, `the stuck inspector was sent ${received >> 20} MiB before it was cut`);
  if (ending.closeFrame) assert.equal(ending.code, 1008);
  assert.ok(grew < 64 * MiB, `memory grew ${grew >> 20} MiB (the capture itself holds ~33 MiB)`);
  // The reading inspector got everything, live.
  await until(() => watcher.records.some((r) => r.kind === 'close'), 'the echo connection’s close', 20_000);
  assert.ok(
    (watcher.dataBytes.get('1 out') ?? 0) >= 64 * chunk.length,
    'the reader that keeps up got every byte',
  );
  assert.equal(watcher.closed, false, 'the reader that keeps up is never closed');
  watcher.close();
  await assertStillServes(s.port);
  await assertStillEchoes(s.port);
});
