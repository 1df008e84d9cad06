/**
 * The Redis class store against a real redis-server: what is written is loaded back as written
 * (keys and tokens as their hashes), every key of a class expires, a write to a class that is
 * gone brings nothing back, an out-of-date copy cannot hand an id out twice, and classes are
 * counted over every store on the same Redis.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectShared, type SharedRedis } from '../../server/shared/redis.ts';
import {
  type ClassNews,
  createRedisStore,
  type RedisClassStore,
  StoreUnreachable,
} from '../../server/classroom/store/redis.ts';
import type { ClassRecord, LearnerRecord } from '../../server/classroom/store/types.ts';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.ts';

const TTL_MS = 60_000;
/** Room for every class these tests make; the counting test has bounds of its own. */
const LIMITS = { maxClasses: 1_000, maxPerAddress: 1_000, staleMs: 10_000 };
const COUNTED = { maxClasses: 3, maxPerAddress: 2, staleMs: 10_000 };

let redis: RedisServer;
const connections: SharedRedis[] = [];
const stores: RedisClassStore[] = [];

async function openStore(): Promise<RedisClassStore> {
  const shared = await connectShared(redis.url, { connectTimeoutMs: 5_000, log: () => {} });
  connections.push(shared);
  const store = createRedisStore(shared, {
    ttlMs: TTL_MS,
    readTimeoutMs: 5_000,
    log: (line) => assert.fail(line),
  });
  stores.push(store);
  return store;
}

before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  for (const s of stores) await s.close();
  for (const c of connections) await c.close();
  await redis.stop();
});

let codes = 0;
/** A fresh code per test: the tests share one Redis. */
const newCode = () => `T${String(codes++).padStart(5, '0')}`.replace(/0/g, 'A');
const record = (code: string, over: Partial<ClassRecord> = {}): ClassRecord => ({
  code,
  room: `class${code.toLowerCase()}000000000000000000`,
  keyHash: 'ab'.repeat(32),
  creator: '192.168.1.20',
  created: Date.now(),
  lastActive: Date.now(),
  lesson: null,
  teacherSessions: ['teacherTab0001'],
  nextLearner: 1,
  nextHandIn: 1,
  ...over,
});
const learner = (id: number, over: Partial<LearnerRecord> = {}): LearnerRecord => ({
  id,
  name: `Learner ${id}`,
  tokenHash: 'cd'.repeat(32),
  sessions: [`learnerTab000${id}`],
  lesson: '06-server-sent-events',
  passed: [],
  ...over,
});
const handIn = (id: number, learnerId = 1) => ({
  id,
  learner: learnerId,
  name: `Learner ${learnerId}`,
  lesson: '06-server-sent-events',
  step: `s${id}`,
  code: `new EventSource('sse') // ${id}`,
  // Every other one from a step where the learner writes the handler too.
  ...(id % 2 === 0 ? { server: `export default (req, res) => res.end('${id}')` } : {}),
  time: '2026-12-06T04:00:00.000Z',
});
/** Loads `code` once every write issued before has run (one connection runs commands in order). */
const loadAfterWrites = (store: RedisClassStore, code: string) => store.loadClass(code);
const censusEntries = async (code: string) =>
  connections[0]?.client.zScore('wl:classes', code) ?? Promise.resolve(null);

describe('the Redis class store', () => {
  test('loads back a class with its learners (token hashes) and hand-ins, in order, from another process', async () => {
    const a = await openStore();
    const b = await openStore();
    const code = newCode();
    assert.deepEqual(await a.admitClass(record(code), LIMITS), { ok: true });
    a.putClass(record(code, { lesson: '08-websocket-handshake', nextLearner: 3, nextHandIn: 3 }));
    a.putLearner(code, learner(2, { name: '李雷' }));
    a.putLearner(code, learner(1, { passed: ['01-reading-the-wire'] }));
    a.putHandIn(code, handIn(1));
    a.putHandIn(code, handIn(2, 2));
    await loadAfterWrites(a, code);
    const loaded = await b.loadClass(code);
    assert.ok(loaded);
    assert.equal(loaded.record.lesson, '08-websocket-handshake');
    assert.equal(loaded.record.keyHash, 'ab'.repeat(32));
    assert.equal(loaded.record.nextLearner, 3);
    assert.equal(loaded.record.nextHandIn, 3);
    assert.deepEqual(loaded.learners, [
      learner(1, { passed: ['01-reading-the-wire'] }),
      learner(2, { name: '李雷' }),
    ]);
    assert.deepEqual(loaded.handIns, [handIn(1), handIn(2, 2)], 'the second with its handler');
    assert.deepEqual(loaded.messages, [], 'room messages are the lab stream’s, not the store’s');
    assert.deepEqual(await b.load(), [], 'nothing is loaded at start: classes come on demand');
  });

  test('a put replaces; deletes forget only what they name', async () => {
    const store = await openStore();
    const code = newCode();
    await store.admitClass(record(code), LIMITS);
    store.putLearner(code, learner(1));
    store.putLearner(code, learner(1, { sessions: ['learnerTab0001', 'learnerTab0002'] }));
    store.putLearner(code, learner(2));
    store.deleteLearner(code, 2);
    for (const id of [1, 2, 3]) store.putHandIn(code, handIn(id));
    store.deleteHandIns(code, [1, 3]);
    const loaded = await loadAfterWrites(store, code);
    assert.deepEqual(loaded?.learners, [learner(1, { sessions: ['learnerTab0001', 'learnerTab0002'] })]);
    assert.deepEqual(
      loaded?.handIns.map((h) => h.id),
      [2],
    );
  });

  test('every key of a class expires within the TTL, renewed by each write', async () => {
    const store = await openStore();
    const code = newCode();
    await store.admitClass(record(code), LIMITS);
    store.putLearner(code, learner(1));
    store.putHandIn(code, handIn(1));
    await loadAfterWrites(store, code);
    const client = connections[0]?.client;
    assert.ok(client);
    const keys = [`wl:class:${code}`, `wl:class:${code}:learners`, `wl:class:${code}:hand-ins`];
    for (const key of keys) {
      const ttl = await client.pTTL(key);
      assert.ok(ttl > 0 && ttl <= TTL_MS, `${key} expires (PTTL ${ttl})`);
    }
    await client.pExpire(keys[0] ?? '', 1_000);
    store.touchClass(code, Date.now());
    await loadAfterWrites(store, code);
    assert.ok((await client.pTTL(keys[0] ?? '')) > 1_000, 'a write renews the TTL');
  });

  test('an out-of-date copy cannot lower lastActive or the id counters', async () => {
    const store = await openStore();
    const code = newCode();
    await store.admitClass(record(code, { lastActive: 5_000_000 }), LIMITS);
    store.putClass(record(code, { lastActive: 9_000_000, nextLearner: 7, nextHandIn: 4 }));
    store.putClass(record(code, { lastActive: 6_000_000, nextLearner: 2, nextHandIn: 1, lesson: 'x' }));
    store.touchClass(code, 7_000_000);
    const loaded = await loadAfterWrites(store, code);
    assert.equal(loaded?.record.lastActive, 9_000_000);
    assert.equal(loaded?.record.nextLearner, 7);
    assert.equal(loaded?.record.nextHandIn, 4);
    assert.equal(loaded?.record.lesson, 'x', 'what a teacher did last is what counts');
    assert.deepEqual(await store.peekClass(code), { lastActive: 9_000_000, holder: store.node });
  });

  test('an ended class is gone everywhere, and a late write brings nothing of it back', async () => {
    const a = await openStore();
    const b = await openStore();
    const heard: ClassNews[] = [];
    b.onNews((n) => heard.push(n));
    const code = newCode();
    await a.admitClass(record(code), LIMITS);
    a.putLearner(code, learner(1));
    a.putHandIn(code, handIn(1));
    a.endClass(code, 'class ended by the teacher');
    a.putClass(record(code));
    a.putLearner(code, learner(2));
    a.putHandIn(code, handIn(2));
    a.touchClass(code, Date.now());
    assert.equal(await loadAfterWrites(a, code), null);
    assert.equal(await b.loadClass(code), null);
    assert.equal(await b.peekClass(code), null);
    assert.equal(await censusEntries(code), null, 'no longer counted');
    const client = connections[0]?.client;
    assert.equal(await client?.exists([`wl:class:${code}:learners`, `wl:class:${code}:hand-ins`]), 0);
    for (let i = 0; i < 100 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(heard, [{ event: 'ended', code, node: a.node, why: 'class ended by the teacher' }]);
  });

  test('holding a class tells the other stores, not itself', async () => {
    const a = await openStore();
    const b = await openStore();
    const toA: ClassNews[] = [];
    const toB: ClassNews[] = [];
    a.onNews((n) => toA.push(n));
    b.onNews((n) => toB.push(n));
    const code = newCode();
    await a.admitClass(record(code), LIMITS);
    b.holdClass(code);
    for (let i = 0; i < 100 && toA.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(toA, [{ event: 'held', code, node: b.node }]);
    assert.deepEqual(toB, []);
    assert.equal((await a.peekClass(code))?.holder, b.node);
  });

  test('classes are counted over every store: maxClasses, maxClassesPerAddress, stale ones forgotten', async () => {
    const client = connections[0]?.client;
    assert.ok(client);
    await client.del(['wl:classes', 'wl:classes:creators']); // this test counts from zero
    const a = await openStore();
    const b = await openStore();
    const c1 = newCode();
    const c2 = newCode();
    const c3 = newCode();
    const c4 = newCode();
    assert.deepEqual(await a.admitClass(record(c1, { creator: '10.0.0.5' }), COUNTED), { ok: true });
    assert.deepEqual(await b.admitClass(record(c2, { creator: '10.0.0.5' }), COUNTED), { ok: true });
    assert.deepEqual(await a.admitClass(record(c3, { creator: '10.0.0.5' }), COUNTED), {
      ok: false,
      bound: 'maxClassesPerAddress',
      count: 2,
    });
    assert.deepEqual(await b.admitClass(record(c3, { creator: '10.0.0.6' }), COUNTED), { ok: true });
    assert.deepEqual(await a.admitClass(record(c4, { creator: '10.0.0.7' }), COUNTED), {
      ok: false,
      bound: 'maxClasses',
      count: 3,
    });
    assert.deepEqual(await a.admitClass(record(c1, { creator: '10.0.0.7' }), COUNTED), {
      ok: false,
      bound: 'code taken',
    });
    // Unlimited (the server's own machine) still counts towards maxClasses.
    assert.deepEqual(
      await a.admitClass(record(c4, { creator: '127.0.0.1' }), { ...COUNTED, maxPerAddress: null }),
      { ok: false, bound: 'maxClasses', count: 3 },
    );
    // One ends: room for one more.
    b.endClass(c2, 'class ended by the teacher');
    assert.deepEqual(await a.admitClass(record(c4, { creator: '10.0.0.5' }), COUNTED), { ok: true });
    // Classes whose lastActive is older than staleMs (their process died) no longer count.
    const later = Date.now() + COUNTED.staleMs + 1_000;
    const c5 = newCode();
    assert.deepEqual(await b.admitClass(record(c5, { creator: '10.0.0.5', lastActive: later }), COUNTED), {
      ok: true,
    });
  });

  test('reads say the store is unreachable, not that a class is missing, while Redis is away', async () => {
    const store = await openStore();
    const code = newCode();
    await store.admitClass(record(code), LIMITS);
    const shared = connections.at(-1);
    assert.ok(shared);
    await redis.kill();
    try {
      for (let i = 0; i < 200 && shared.up; i++) await new Promise((r) => setTimeout(r, 25));
      assert.equal(shared.up, false);
      await assert.rejects(store.loadClass(code), StoreUnreachable);
      // A write while away is queued, and runs when Redis is back.
      store.putLearner(code, learner(1, { name: 'queued' }));
    } finally {
      await redis.start();
    }
    for (let i = 0; i < 400 && !shared.up; i++) await new Promise((r) => setTimeout(r, 25));
    const loaded = await store.loadClass(code);
    assert.deepEqual(
      loaded?.learners.map((l) => l.name),
      ['queued'],
    );
  });
});
