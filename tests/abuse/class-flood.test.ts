/**
 * One address floods the server-wide tables (sessions, rooms, connections), then a class runs
 * beside it: the flood holds no more than its share, what it made up is the first to make room,
 * and the class's teacher and learners are never refused (docs/lab-api.md "Fair shares").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { channel, createClass, join, StreamReader } from '../server/class-harness.ts';
import { madeUp, pipelined, statusCounts } from './pipelined.ts';
import { assertStillServes } from './still-serves.ts';

test('after 2,100 made-up sessions and 520 made-up rooms from one address, a class starts and 30 learners through one address each hear a push over SSE', async () => {
  const s = await startTestServer({ tickIntervalMs: 3_600_000 });
  // The flood of the issue: past maxSessions (2000) and maxRooms (500), from 127.0.0.1.
  const paths = Array.from({ length: 2_100 }, (_, i) =>
    i < 520 ? `/lab/${madeUp('s')}/news?room=${madeUp('r')}` : `/lab/${madeUp('s')}/news`,
  );
  const answers = await pipelined(s.port, paths, { sockets: 10 });
  // Each made-up id took the place of an older one of its own address: nothing was refused,
  // and nothing the flood holds can lock anyone else out.
  assert.deepEqual(statusCounts(answers), { 200: 2_100 });

  const created = await createClass(s.url);
  const teacher = await channel(s.url, created.code, { role: 'teacher', key: created.key });
  await teacher.next('welcome');
  const readers: StreamReader[] = [];
  for (let i = 1; i <= 30; i++) {
    const session = newSessionId();
    await join(s.url, created.code, `Learner ${i}`, session);
    // The learner's unchanged `new EventSource('sse')`: the bound session reads the class room.
    const reader = new StreamReader(s.port, `/lab/${session}/sse`);
    readers.push(reader);
  }
  await Promise.all(readers.map((r) => r.waitFor('HTTP/1.1 200', 15_000)));
  // The same flood again while the class runs: it never reaches the class.
  const again = await pipelined(
    s.port,
    paths.map((p) => p.replace(/\/lab\/s/, '/lab/t')),
    { sockets: 10 },
  );
  assert.deepEqual(statusCounts(again), { 200: 2_100 });
  teacher.send({ type: 'push', text: 'hello, class' });
  await Promise.all(readers.map((r) => r.waitFor('event: push', 15_000)));
  for (const r of readers) assert.match(r.received, /data: \{"from":"teacher","text":"hello, class"\}/);
  for (const r of readers) r.close();
  teacher.close();
  await assertStillServes(s.port, 'after the floods');
});

test('an address whose sessions are all busy is refused 429 naming maxSessionsPerAddress and when to retry; another address is served', async () => {
  const s = await startTestServer({ tickIntervalMs: 3_600_000, maxSessionsPerAddress: 10 });
  // Ten held long polls: sessions with a connection open cannot make room.
  const held = Array.from(
    { length: 10 },
    () => new StreamReader(s.port, `/lab/${madeUp('s')}/poll?timeout=20000`),
  );
  await waitForSessions(s.port, 10);
  const [refused] = await pipelined(s.port, [`/lab/${madeUp('s')}/time`]);
  assert.equal(refused?.status, 429);
  assert.match(
    refused?.body ?? '',
    /^bound maxSessionsPerAddress \(10\) reached: your address holds 10 sessions, all in use\..* try again in \d+ s\./,
  );
  assert.ok(Number(refused?.headers['retry-after']) >= 1);
  const [other] = await pipelined(s.port, [`/lab/${madeUp('s')}/time`], { localAddress: '127.0.0.2' });
  assert.equal(other?.status, 200, 'another address has its own share');
  for (const r of held) r.close();
});

test('an address whose rooms all have listeners is refused 429 naming maxRoomsPerAddress; a room nobody listens to makes room', async () => {
  const s = await startTestServer({ tickIntervalMs: 3_600_000, maxRoomsPerAddress: 3 });
  const id = madeUp('s');
  const idle = await pipelined(s.port, [`/lab/${id}/news?room=quiet1`]);
  assert.equal(idle[0]?.status, 200);
  const listeners = ['loud1', 'loud2', 'loud3'].map(
    (room) => new StreamReader(s.port, `/lab/${madeUp('s')}/sse?room=${room}`),
  );
  await Promise.all(listeners.map((r) => r.waitFor('HTTP/1.1 200')));
  const [refused] = await pipelined(s.port, [`/lab/${id}/news?room=quiet2`]);
  assert.equal(refused?.status, 429);
  assert.match(refused?.body ?? '', /^bound maxRoomsPerAddress \(3\) reached/);
  for (const r of listeners) r.close();
});

test('past maxConnectionsPerAddress an address gets 429 naming the bound; a class learner from the same address is not counted', async () => {
  const s = await startTestServer({ tickIntervalMs: 3_600_000, maxConnectionsPerAddress: 4 });
  const held = Array.from({ length: 4 }, () => new StreamReader(s.port, `/lab/${madeUp('s')}/sse`));
  await Promise.all(held.map((r) => r.waitFor('HTTP/1.1 200')));
  const [refused] = await pipelined(s.port, [`/lab/${madeUp('s')}/time`]);
  assert.equal(refused?.status, 429);
  assert.match(refused?.body ?? '', /^bound maxConnectionsPerAddress \(4\) reached/);
  const created = await createClass(s.url);
  const teacher = await channel(s.url, created.code, { role: 'teacher', key: created.key });
  await teacher.next('welcome');
  const session = newSessionId();
  await join(s.url, created.code, 'Ada', session);
  const learner = new StreamReader(s.port, `/lab/${session}/sse`);
  await learner.waitFor('HTTP/1.1 200');
  teacher.send({ type: 'push', text: 'still here' });
  await learner.waitFor('event: push');
  for (const r of [...held, learner]) r.close();
  teacher.close();
});

/** Waits until `n` sessions of this address are open (a new one is refused), polling a made-up id. */
async function waitForSessions(port: number, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [a] = await pipelined(port, [`/lab/${madeUp('probe')}/time`]);
    if (a?.status === 429) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the ${n} held sessions never filled the address's share`);
}
