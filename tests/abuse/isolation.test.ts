/**
 * Sessions are capabilities: knowing an id is the only way to a session's feed and bytes. Ids are
 * 128 random bits made by the browser; the server refuses ids that are not ids; a guessed, cut or
 * re-cased id reaches nothing of anyone's; and two sessions running at once never see a byte of
 * each other's, compared byte for byte.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SESSION_ID_PATTERN as SERVER_PATTERN } from '../../server/session-path.ts';
import { base64url, newSessionId as browserSessionId } from '../../src/playground/session.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { InspectorClient, RawClient, until } from '../server/capture-harness.ts';
import { raw, request, sleep } from '../server/lab-wire.ts';
import { closePayload, frame, RawWebSocket } from './raw-websocket.ts';
import { assertStillServes } from './still-serves.ts';

const s = await startTestServer({ tickIntervalMs: 3_600_000, requestsPerSecond: 1_000 });

/** The 16 bytes a base64url id stands for. */
const bytesOf = (id: string) => Buffer.from(id, 'base64url');

// ---- the ids the browser makes (src/playground/session.ts)

// Defence: the id is 16 bytes straight from crypto.getRandomValues (a CSPRNG), all of them kept.
test('a browser session id is 16 bytes from crypto.getRandomValues, base64url, 22 characters', (t) => {
  const given: Uint8Array[] = [];
  const real = crypto.getRandomValues.bind(crypto);
  t.mock.method(crypto, 'getRandomValues', (array: Uint8Array<ArrayBuffer>) => {
    real(array);
    given.push(array.slice());
    return array;
  });
  const id = browserSessionId();
  assert.equal(given.length, 1, 'one call to the CSPRNG');
  assert.equal(given[0]!.length, 16, 'for 16 bytes: 128 bits');
  assert.match(id, /^[A-Za-z0-9_-]{22}$/);
  assert.ok(SERVER_PATTERN.test(id), 'an id the server accepts');
  assert.deepEqual(new Uint8Array(bytesOf(id)), given[0], 'every random byte is in the id, nothing else');
  assert.equal(base64url(new Uint8Array([0xfb, 0xff, 0xfe])), '-__-', 'the URL-safe alphabet, no padding');
});

test('20,000 browser session ids are distinct and each of their 128 bits is a fair coin', () => {
  const n = 20_000;
  const ids = Array.from({ length: n }, () => browserSessionId());
  assert.equal(new Set(ids).size, n, 'no repeats');
  const ones = new Array<number>(128).fill(0);
  for (const id of ids) {
    const bytes = bytesOf(id);
    assert.equal(bytes.length, 16);
    for (let bit = 0; bit < 128; bit++) if (bytes[bit >> 3]! & (0x80 >> (bit & 7))) ones[bit]! += 1;
  }
  // A fair bit is set in 50 % ± 0.35 % (one standard deviation) of 20,000 ids: 45–55 % is
  // 14 deviations wide, so a real generator never fails this, while a counter, a timestamp or a
  // constant byte fails it at once.
  for (let bit = 0; bit < 128; bit++) {
    const share = ones[bit]! / n;
    assert.ok(share > 0.45 && share < 0.55, `bit ${bit} is set in ${(share * 100).toFixed(1)} % of ids`);
  }
});

// ---- what the server accepts as an id

// Defence: session-path.ts, the same pattern for /lab/ and /inspect/ (8–64 of A–Z a–z 0–9 _ -).
test('the server refuses session ids that are too short, too long or not made of id characters', async () => {
  const bad = [
    'a',
    'abcdefg', // 7
    'x'.repeat(65),
    'abc.defgh',
    'abcd%41efgh',
    'abc+defgh',
    'abc=defgh',
    'abcd~efgh',
    'abcd%C3%A9fgh',
    '%2e%2e%2e%2e%2e%2e%2e%2e',
    '........',
  ];
  for (const id of bad) {
    const lab = await raw(s.port, request('GET', `/lab/${id}/time`));
    assert.equal(lab.status, 400, `/lab/${id}/time`);
    assert.match(lab.body.toString(), /must be 8 to 64 characters/);
    const ws = await RawWebSocket.open(s.port, `/lab/${id}/echo`);
    assert.equal(ws.status, 400, `WS /lab/${id}/echo`);
    const inspect = await RawWebSocket.open(s.port, `/inspect/${id}`);
    assert.equal(inspect.status, 400, `/inspect/${id}`);
  }
  for (const target of [
    '/inspect/',
    '/inspect/*',
    '/inspect/%2A',
    '/inspect/a/b/c/d/e/f/g/h',
    `/inspect/${newSessionId()}?after=-1`,
  ]) {
    const inspect = await RawWebSocket.open(s.port, target);
    assert.equal(inspect.status, 400, target);
  }
  assert.equal(
    (await raw(s.port, request('GET', `/lab/${'k'.repeat(8)}/time`))).status,
    200,
    'the shortest id',
  );
  await assertStillServes(s.port);
});

// ---- a session's bytes are reached through its id only

/** Gives session `id` some traffic with a marker in it: a chat message, its SSE, an echo. */
async function traffic(id: string, marker: string): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  const send = await RawClient.connect(s.port);
  send.send(
    `POST /lab/${id}/send HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${marker.length}\r\n\r\n${marker}`,
  );
  await send.waitFor('{"id":');
  send.send(`GET /lab/${id}/news HTTP/1.1\r\nHost: x\r\n\r\n`);
  await send.waitFor(marker);
  send.send(`GET /lab/${id}/time HTTP/1.1\r\nHost: x\r\n\r\n`);
  await send.waitFor('"seq":');
  clients.push(send);
  const sse = await RawClient.connect(s.port);
  sse.send(`GET /lab/${id}/sse?count=1 HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 0\r\n\r\n`);
  await sse.waitFor('0\r\n\r\n');
  clients.push(sse);
  const ws = await RawClient.connect(s.port);
  ws.send(
    `GET /lab/${id}/echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${Buffer.from(marker.slice(0, 16).padEnd(16, '.')).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await ws.waitFor('\r\n\r\n');
  ws.send(frame({ opcode: 0x1, payload: `echo ${marker}` }));
  await ws.waitFor(`echo ${marker}`);
  ws.send(frame({ opcode: 0x8, payload: closePayload(1000) }));
  await ws.waitClosed();
  clients.push(ws);
  return clients;
}

// Defence: ids are exact keys (no prefix, case or pattern matching) for the lab and the capture.
test('a guessed, cut, extended or re-cased id reaches nothing of the real session', async () => {
  const victim = browserSessionId();
  const secret = `victim-secret-${browserSessionId()}`;
  for (const c of await traffic(victim, secret)) c.socket.destroy();
  const guesses = [
    browserSessionId(),
    victim.slice(0, 16),
    victim.slice(0, 8),
    `${victim}A`,
    victim.toUpperCase() === victim ? victim.toLowerCase() : victim.toUpperCase(),
    victim.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
    `-${victim.slice(1)}`,
  ];
  for (const guess of guesses) {
    const inspector = await InspectorClient.open(s.port, guess);
    await until(() => inspector.live, 'the replay to end');
    assert.equal(inspector.hello?.lastSeq, 0, `${guess}: an empty capture`);
    assert.equal(inspector.records.length, 0);
    inspector.close();
    const news = await raw(s.port, request('GET', `/lab/${guess}/news?since=0`));
    assert.equal(news.status, 200);
    assert.doesNotMatch(news.body.toString(), new RegExp(secret), `${guess}: nothing of the victim's feed`);
    assert.deepEqual(JSON.parse(news.body.toString()).messages, []);
    // The guess's own capture now holds that news request, and nothing of the victim's.
    const resume = await InspectorClient.open(s.port, guess, '?after=0');
    await until(() => resume.live, 'the replay to end');
    const bytes = resume.records.map((r) => Buffer.from(r.b64 ?? '', 'base64').toString('latin1')).join('');
    assert.match(bytes, new RegExp(`GET /lab/${guess}/news`));
    assert.ok(
      !bytes.includes(secret) && !bytes.includes(`/lab/${victim}/`),
      `${guess}: nothing of the victim`,
    );
    resume.close();
  }
  // The one who knows the id sees it all.
  const owner = await InspectorClient.open(s.port, victim);
  await until(() => owner.live, 'the replay to end');
  const seen = owner.records
    .filter((r) => r.kind === 'data')
    .map((r) => Buffer.from(r.b64 ?? '', 'base64').toString('latin1'))
    .join('');
  assert.ok(seen.includes(secret));
  owner.close();
  await assertStillServes(s.port);
});

/** Every connection of a session's capture as `[in, out]` bytes, sorted (order-free comparison). */
function capturedPairs(inspector: InspectorClient): string[][] {
  const conns = [...new Set(inspector.records.map((r) => r.conn))];
  return conns
    .map((c) => [inspector.bytes(c, 'in').toString('hex'), inspector.bytes(c, 'out').toString('hex')])
    .sort();
}

/** What the clients themselves sent and received, as `[in, out]` per connection, sorted. */
function clientPairs(clients: Array<{ sent: Buffer; received: Buffer }>): string[][] {
  return clients.map((c) => [c.sent.toString('hex'), c.received.toString('hex')]).sort();
}

// Defence: the capture gives each byte to the session of the HTTP message it belongs to
// (http-boundaries.ts), even when one keep-alive socket carries both sessions in turn.
test('two sessions running at once, one keep-alive socket shared between them: each capture is exactly its own bytes', async () => {
  const a = browserSessionId();
  const b = browserSessionId();
  const markA = `only-in-A-${browserSessionId()}`;
  const markB = `only-in-B-${browserSessionId()}`;
  const inspectA = await InspectorClient.open(s.port, a);
  const inspectB = await InspectorClient.open(s.port, b);

  // One socket used by both, in turn: A, B, A, B.
  const shared = await RawClient.connect(s.port);
  const parts = {
    a: { sent: [] as Buffer[], received: [] as Buffer[] },
    b: { sent: [] as Buffer[], received: [] as Buffer[] },
  };
  const turn = async (who: 'a' | 'b', path: string): Promise<void> => {
    const before = shared.received.length;
    const text = Buffer.from(`GET /lab/${who === 'a' ? a : b}/${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    shared.send(text);
    await until(
      () => /\r\n\r\n\{.*\}$/s.test(shared.received.subarray(before).toString('latin1')),
      `${who} ${path}`,
    );
    parts[who].sent.push(text);
    parts[who].received.push(shared.received.subarray(before));
  };

  const [clientsA, clientsB] = await Promise.all([
    traffic(a, markA),
    traffic(b, markB),
    (async () => {
      for (const [who, path] of [
        ['a', 'time'],
        ['b', 'time'],
        ['a', 'news'],
        ['b', 'news'],
        ['a', 'time'],
      ] as const) {
        await turn(who, path);
      }
    })(),
  ]);
  shared.socket.destroy();
  for (const c of [...clientsA, ...clientsB]) c.socket.destroy();
  await sleep(300);

  const expected = (clients: RawClient[], who: 'a' | 'b') =>
    clientPairs([
      ...clients,
      { sent: Buffer.concat(parts[who].sent), received: Buffer.concat(parts[who].received) },
    ]);
  await until(
    () => capturedPairs(inspectA).length === 4 && capturedPairs(inspectB).length === 4,
    'four connections each',
  );
  await until(
    () => JSON.stringify(capturedPairs(inspectA)) === JSON.stringify(expected(clientsA, 'a')),
    'A’s capture to be complete',
  ).catch(() => {});
  assert.deepEqual(
    capturedPairs(inspectA),
    expected(clientsA, 'a'),
    'A’s capture is byte for byte what A sent and got',
  );
  assert.deepEqual(
    capturedPairs(inspectB),
    expected(clientsB, 'b'),
    'B’s capture is byte for byte what B sent and got',
  );
  const all = (i: InspectorClient) =>
    capturedPairs(i)
      .flat()
      .map((h) => Buffer.from(h, 'hex').toString('latin1'))
      .join('');
  assert.ok(!all(inspectA).includes(markB) && !all(inspectA).includes(b), 'nothing of B in A');
  assert.ok(!all(inspectB).includes(markA) && !all(inspectB).includes(a), 'nothing of A in B');
  const moved = inspectA.records.filter((r) => r.kind === 'moved').length;
  assert.ok(moved >= 2, 'the shared socket left A for B and came back');
  inspectA.close();
  inspectB.close();
  await assertStillServes(s.port);
});
