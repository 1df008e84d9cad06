/**
 * Slow clients: a request head dripped a byte at a time (slowloris) and a body that stalls.
 * Node checks its timeouts only every `connectionsCheckingInterval` (30 s by default, so a stalled
 * head could live ~90 s); the server lowers it. The tests use small overrides to stay fast and
 * check separately that the defaults keep a stalled head under 30 s.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWireLabServer } from '../../server/app.ts';
import { config } from '../../server/config.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { RawClient, until } from '../server/capture-harness.ts';
import { raw, request, sleep } from '../server/lab-wire.ts';
import { assertStillServes } from './still-serves.ts';

const s = await startTestServer({
  tickIntervalMs: 3_600_000,
  headersTimeoutMs: 1_000,
  requestTimeoutMs: 2_000,
  connectionsCheckingIntervalMs: 100,
});

/** Writes `text` a byte at a time, every `everyMs`, until the socket closes or the text runs out. */
async function drip(client: RawClient, text: string, everyMs: number): Promise<void> {
  for (const ch of text) {
    if (client.closed || client.socket.destroyed) return;
    client.send(ch);
    await sleep(everyMs);
  }
}

// Defence: headersTimeout + a low connectionsCheckingInterval, and the clientError handler's 408.
test('a request head dripped a byte at a time (slowloris) is answered 408 and closed at headersTimeoutMs', async () => {
  const client = await RawClient.connect(s.port);
  const started = performance.now();
  const head = `GET /lab/${newSessionId()}/time HTTP/1.1\r\nHost: x\r\n${'X-Slow: '.padEnd(400, 'z')}`;
  void drip(client, head, 50); // ~20 s of bytes if nobody stopped it
  await until(() => client.closed, 'the server to close the dripping connection', 15_000);
  const tookMs = performance.now() - started;
  const answer = client.received.toString('latin1');
  assert.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/, answer);
  assert.match(answer, /The request did not arrive in time\./);
  assert.ok(tookMs >= 900, `closed after ${tookMs} ms: not before headersTimeoutMs (1000)`);
  assert.ok(tookMs < 10_000, `closed after ${tookMs} ms: within headersTimeoutMs plus a check, with margin`);
  await assertStillServes(s.port);
});

// Defence: requestTimeout (the whole request, body included) + the same checking interval.
test('a request whose body stalls is answered 408 and closed at requestTimeoutMs', async () => {
  const client = await RawClient.connect(s.port);
  const started = performance.now();
  client.send(
    `POST /lab/${newSessionId()}/send HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nonly a little`,
  );
  await until(() => client.closed, 'the server to close the stalled body', 15_000);
  const tookMs = performance.now() - started;
  assert.match(client.received.toString('latin1'), /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.ok(tookMs >= 1_900, `closed after ${tookMs} ms: not before requestTimeoutMs (2000)`);
  assert.ok(tookMs < 12_000, `closed after ${tookMs} ms`);
  await assertStillServes(s.port);
});

test('many slow heads at once are all cut, and the server answers others meanwhile', async () => {
  const clients = await Promise.all(Array.from({ length: 50 }, () => RawClient.connect(s.port)));
  for (const c of clients)
    void drip(c, `GET /lab/${newSessionId()}/time HTTP/1.1\r\nHost: x\r\n${'X: '.padEnd(300, 'y')}`, 100);
  await assertStillServes(s.port, 'while 50 slowloris heads are dripping');
  await until(() => clients.every((c) => c.closed), 'every dripping connection to be cut', 15_000);
  assert.ok(clients.every((c) => c.received.toString('latin1').startsWith('HTTP/1.1 408')));
  await assertStillServes(s.port);
});

test('a long poll is not a slow request: requestTimeout covers receiving the request only', async () => {
  const answer = await raw(s.port, request('GET', `/lab/${newSessionId()}/poll?timeout=2500`), {
    timeoutMs: 15_000,
  });
  assert.equal(answer.status, 204, 'held past requestTimeoutMs (2000) and answered as documented');
});

// The defaults, read from config and from the server built with them: ≤ 30 s for a stalled head.
test('by default a stalled head is answered within 30 s: the config and the server agree', async () => {
  assert.ok(
    config.headersTimeoutMs + config.connectionsCheckingIntervalMs <= 30_000,
    `headersTimeoutMs ${config.headersTimeoutMs} + check every ${config.connectionsCheckingIntervalMs} ms`,
  );
  assert.ok(config.requestTimeoutMs + config.connectionsCheckingIntervalMs <= 60_000);
  const d = await createWireLabServer({ host: '127.0.0.1', port: 0, config: { dataDir: ':memory:' } });
  try {
    assert.equal(d.server.headersTimeout, config.headersTimeoutMs);
    assert.equal(d.server.requestTimeout, config.requestTimeoutMs);
    assert.equal(d.server.keepAliveTimeout, config.keepAliveTimeoutMs);
    assert.equal(d.server.maxHeadersCount, config.maxHeadersCount);
    // Not in @types/node, but Node keeps the option on the server as it does the others.
    const checking = (d.server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval;
    assert.equal(checking, config.connectionsCheckingIntervalMs);
  } finally {
    await d.close();
  }
});
