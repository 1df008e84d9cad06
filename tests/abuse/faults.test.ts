/**
 * Faults from the outside: clients that vanish mid-stream (a FIN, or a reset), and storms of
 * `drop=` reconnects. The server stays up, the capture says how each connection ended, the lab
 * forgets the connection (its count goes back down), and everyone else is served.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { InspectorClient, RawClient, until } from '../server/capture-harness.ts';
import { raw, request, sleep } from '../server/lab-wire.ts';
import { frame } from './raw-websocket.ts';
import { assertStillEchoes, assertStillServes } from './still-serves.ts';

const s = await startTestServer({
  tickIntervalMs: 20,
  maxConnectionsPerSession: 3,
  requestsPerSecond: 1_000,
});

const upgrade = (id: string, path: string) =>
  `GET /lab/${id}/${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

const streams: Array<[string, (id: string) => string, string]> = [
  ['an SSE stream', (id) => `GET /lab/${id}/sse HTTP/1.1\r\nHost: x\r\n\r\n`, 'data:'],
  ['a comet stream', (id) => `GET /lab/${id}/stream?source=feed HTTP/1.1\r\nHost: x\r\n\r\n`, '"tick"'],
  ['a WebSocket feed', (id) => upgrade(id, 'ws'), '"tick"'],
];

for (const [name, open, live] of streams) {
  for (const how of ['reset', 'fin'] as const) {
    // Defence: every stream listens for its response/socket closing (push-response.ts,
    // push-socket.ts) and unsubscribes; the lab uncounts the connection on close; the tap records
    // the ending. Without them the feed would write to a dead socket (an unhandled error), and the
    // session would run out of connections after three vanished clients.
    test(`a client that vanishes from ${name} with a ${how === 'reset' ? 'reset' : 'FIN'}: the capture says so, the lab lets go`, async () => {
      const id = newSessionId();
      const inspector = await InspectorClient.open(s.port, id);
      // Five times, in a session allowed three connections: each one vanished must be let go.
      for (let i = 1; i <= 5; i++) {
        const client = await RawClient.connect(s.port);
        client.send(open(id));
        await client.waitFor(live, 2, 10_000); // live ticks are flowing
        if (how === 'reset') client.socket.resetAndDestroy();
        else client.socket.end();
        await inspector.waitFor(
          (rs) => rs.some((r) => r.kind === 'close' && r.conn === i),
          `conn ${i} to close in the capture`,
          10_000,
        );
        const close = inspector.records.find((r) => r.kind === 'close' && r.conn === i)!;
        assert.equal(close.by, 'client', `conn ${i} was ended by the client`);
        assert.equal(close.how, how === 'reset' ? 'reset' : 'fin', `conn ${i}: ${JSON.stringify(close)}`);
        if (how === 'fin')
          assert.ok(inspector.records.some((r) => r.kind === 'end' && r.dir === 'in' && r.conn === i));
      }
      // Nothing more is written for a connection after its close.
      await sleep(200);
      for (let i = 1; i <= 5; i++) {
        const closeSeq = inspector.records.find((r) => r.kind === 'close' && r.conn === i)!.seq;
        assert.ok(
          !inspector.records.some((r) => r.conn === i && r.seq > closeSeq),
          `conn ${i} is silent after close`,
        );
      }
      const time = await raw(s.port, request('GET', `/lab/${id}/time`));
      assert.equal(time.status, 200, 'the session has its connections back');
      inspector.close();
      await assertStillServes(s.port);
    });
  }
}

test('a client that vanishes in the middle of sending a WebSocket frame or a request body is let go', async () => {
  const id = newSessionId();
  for (let i = 0; i < 5; i++) {
    const ws = await RawClient.connect(s.port);
    ws.send(upgrade(id, 'echo'));
    await ws.waitFor('\r\n\r\n');
    ws.send(frame({ opcode: 0x2, payload: Buffer.alloc(1000) }).subarray(0, 500)); // half a frame
    await sleep(20);
    ws.socket.resetAndDestroy();
    const post = await RawClient.connect(s.port);
    post.send(`POST /lab/${id}/send HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nhalf of it`);
    await sleep(20);
    post.socket.resetAndDestroy();
  }
  await sleep(200);
  const time = await raw(s.port, request('GET', `/lab/${id}/time`));
  assert.equal(time.status, 200, 'ten vanished clients did not keep the session’s three connections');
  await assertStillServes(s.port);
  await assertStillEchoes(s.port);
});

// Defence: drop= cuts with socket.destroy() / ws.terminate() once the message reached the socket,
// and each cut releases its connection; a storm of them is just many short connections.
test('a storm of drop= reconnects from many clients: the server stays up and answers others promptly', async () => {
  const feedSession = newSessionId();
  await raw(s.port, request('POST', `/lab/${feedSession}/send`, { 'Content-Type': 'text/plain' }, 'first'));
  const targets = [
    (id: string) => request('GET', `/lab/${id}/time?drop=1`),
    (id: string) => request('GET', `/lab/${id}/time?drop=0`),
    (id: string) => request('GET', `/lab/${id}/sse?drop=1`, { 'Last-Event-ID': '0' }),
    (id: string) => request('GET', `/lab/${id}/stream?source=feed&since=0&drop=1`),
    (id: string) => upgrade(id, 'ws?since=0&drop=1'),
    (id: string) => upgrade(id, 'echo?drop=0'),
  ];
  let cuts = 0;
  let stop = false;
  const storm = async (k: number): Promise<void> => {
    const id = newSessionId();
    for (let i = 0; !stop; i++) {
      const client = await RawClient.connect(s.port);
      client.send(targets[(k + i) % targets.length]!(id));
      await until(() => client.closed, 'the drop', 10_000);
      cuts += 1;
    }
  };
  const clients = Array.from({ length: 24 }, (_, k) => storm(k));
  const started = performance.now();
  const latencies: number[] = [];
  try {
    while (performance.now() - started < 2_500) {
      const t0 = performance.now();
      await assertStillServes(s.port, 'during the storm');
      latencies.push(performance.now() - t0);
      await sleep(50);
    }
  } finally {
    stop = true;
    await Promise.all(clients);
  }
  assert.ok(cuts > 200, `${cuts} connections were cut by drop=`);
  assert.ok(
    Math.max(...latencies) < 5_000,
    `a fresh client waited up to ${Math.round(Math.max(...latencies))} ms`,
  );
  await assertStillServes(s.port);
  await assertStillEchoes(s.port);
});

// Defence: an 'error' listener on every socket, before and after an upgrade (Node drops its own
// at the upgrade): a reset while the server answers would otherwise be an uncaught error that
// ends the process for everyone.
test('handshakes reset while the server answers them (lab, inspector, nowhere) never take the server down', async () => {
  const targets = [
    `/lab/${newSessionId()}/echo`,
    `/lab/${newSessionId()}/echo?delay=50`,
    `/lab/${newSessionId()}/echo?status=503`,
    '/lab/bad/echo',
    `/inspect/${newSessionId()}`,
    '/inspect/bad',
    '/nowhere',
    '/class/nowhere',
  ];
  for (let round = 0; round < 25; round++) {
    await Promise.all(
      targets.map(async (path) => {
        const client = await RawClient.connect(s.port);
        client.send(upgrade('x', 'y').replace('/lab/x/y', path));
        if (round % 2 === 0) await sleep(1);
        client.socket.resetAndDestroy();
      }),
    );
  }
  await sleep(200);
  await assertStillServes(s.port);
  await assertStillEchoes(s.port);
});
