/**
 * Classes shared by two Wire Lab processes on one real redis-server (`WIRELAB_REDIS_URL`): what
 * nginx does when `POST /class` lands on one process and `/class/<code>/…` on another, or when it
 * moves a code to another process. Each test has its own Redis and its own two servers (the last
 * drives two class tables directly, to make a copy that missed the news).
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { createClient } from '@redis/client';
import { createWireLabServer, type WireLabServer } from '../../server/app.ts';
import type { Classes } from '../../server/classroom/class-model.ts';
import { createClasses } from '../../server/classroom/classes.ts';
import { createRedisStore, type RedisClassStore } from '../../server/classroom/store/redis.ts';
import { type Config, config as defaultConfig } from '../../server/config.ts';
import { createLab, type Lab } from '../../server/lab/index.ts';
import { connectShared, type SharedRedis } from '../../server/shared/redis.ts';
import { newSessionId } from '../helpers/server.ts';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.ts';
import { Channel, channel, createClass, join, sleep } from './class-harness.ts';

const BOUNDS: Partial<Config> = { tickIntervalMs: 3_600_000, classActivityMs: 50 };

interface TwoProcesses {
  redis: RedisServer;
  a: WireLabServer;
  b: WireLabServer;
}

/** A Redis and two servers on it; all stopped after the test, servers first. */
async function twoProcesses(t: TestContext, overrides: Partial<Config> = {}): Promise<TwoProcesses> {
  const redis = await startRedisServer();
  const config = { ...BOUNDS, redisUrl: redis.url, dataDir: ':memory:', ...overrides };
  const servers: WireLabServer[] = [];
  t.after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await redis.stop();
  });
  for (let i = 0; i < 2; i++) servers.push(await createWireLabServer({ host: '127.0.0.1', port: 0, config }));
  const [a, b] = servers as [WireLabServer, WireLabServer];
  return { redis, a, b };
}

/** Waits (generously) until `check` holds. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(25);
  }
}

const info = async (base: string, code: string) => {
  const res = await fetch(`${base}/class/${code}`);
  return {
    status: res.status,
    body: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : await res.text(),
  };
};

test('a class started on one process is read, joined and opened on the other: key, token and hand-ins work there', async (t) => {
  const { a, b } = await twoProcesses(t);
  const { code, key } = await createClass(a.url);
  const ada = (await join(a.url, code, 'Ada', newSessionId())).learner;

  const read = await info(b.url, code);
  assert.equal(read.status, 200);
  assert.deepEqual((read.body as Record<string, unknown>).learners, 1);
  const grace = (await join(b.url, code, 'Grace', newSessionId())).learner;
  assert.equal(grace.id, ada.id + 1, 'ids go on from where the other process left them');

  const teacher = await channel(b.url, code, { role: 'teacher', key });
  const welcome = await teacher.next('welcome');
  assert.equal(welcome.role, 'teacher');
  assert.deepEqual(welcome.shared, { up: true, since: null });
  const bar = await channel(b.url, code, { role: 'learner', token: ada.token });
  assert.deepEqual((await bar.next('welcome')).learner, { id: ada.id, name: 'Ada' });
  bar.send({
    type: 'hand-in',
    lesson: '06-server-sent-events',
    step: 'listen',
    code: "new EventSource('sse')",
  });
  assert.equal(((await teacher.next('hand-in')).handIn as { name: string }).name, 'Ada');

  // nginx moves the code back to the first process: the second lets its copy go and its pages
  // reconnect (1012), to find everything on the first.
  assert.equal((await info(a.url, code)).status, 200);
  assert.equal((await teacher.closed).code, 1012);
  assert.equal((await bar.closed).code, 1012);
  const again = await channel(a.url, code, { role: 'teacher', key });
  const back = await again.next('welcome');
  assert.deepEqual(
    (back.handIns as Array<{ name: string; code: string }>).map((h) => [h.name, h.code]),
    [['Ada', "new EventSource('sse')"]],
  );
  const wrong = await channel(a.url, code, { role: 'teacher', key: `${key.slice(0, -2)}xx` });
  assert.equal((await wrong.closed).code, 1008, 'a wrong key is still wrong');
  again.close();
});

test('maxClasses and maxClassesPerAddress hold across both processes', async (t) => {
  const { a, b } = await twoProcesses(t, { maxClasses: 3, maxClassesPerAddress: 2, trustProxy: '127.0.0.1' });
  const start = (base: string, from: string) =>
    fetch(`${base}/class`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
      body: '{}',
    });
  assert.equal((await start(a.url, '10.0.0.5')).status, 201);
  assert.equal((await start(b.url, '10.0.0.5')).status, 201);
  const perAddress = await start(a.url, '10.0.0.5');
  assert.equal(perAddress.status, 429);
  assert.match(
    await perAddress.text(),
    /^bound maxClassesPerAddress \(2\) reached: this computer already runs 2 classes/,
  );
  const third = await start(b.url, '10.0.0.6');
  assert.equal(third.status, 201);
  const { code, key } = (await third.json()) as { code: string; key: string };
  for (const s of [a, b]) {
    const full = await start(s.url, '10.0.0.7');
    assert.equal(full.status, 503);
    assert.match(await full.text(), /^bound maxClasses \(3\) reached/);
  }
  // One ends (on the process that did not start it): there is room again, on either.
  const teacher = await channel(a.url, code, { role: 'teacher', key });
  await teacher.next('welcome');
  teacher.send({ type: 'end' });
  assert.equal((await teacher.closed).code, 4410);
  // The end reaches Redis a round trip after the dashboard hears it.
  await until('a class can be started again', async () => (await start(b.url, '10.0.0.7')).status === 201);
});

test('join-code guesses spread over both processes meet one budget', async (t) => {
  const { a, b } = await twoProcesses(t, {
    trustProxy: '127.0.0.1',
    joinCodeMissesPerAddress: 6,
    joinCodeMissesPerMinute: 20,
  });
  const unknownCode = (i: number) => `22${String(i).padStart(4, '2').replace(/[01]/g, '3')}`;
  const lookUp = (base: string, code: string, from: string) =>
    fetch(`${base}/class/${code}`, { headers: { 'x-forwarded-for': from } });
  const guesser = '198.51.100.7';
  for (let i = 0; i < 6; i++)
    assert.equal((await lookUp(i % 2 ? b.url : a.url, unknownCode(i), guesser)).status, 404);
  // Each process saw only 3 misses; together they are the address's 6.
  for (const s of [a, b]) {
    const refused = await lookUp(s.url, unknownCode(9), guesser);
    assert.equal(refused.status, 429);
    assert.match(await refused.text(), /^bound joinCodeMissesPerAddress \(6\) reached/);
  }
  // Guessing from many addresses, spread over both: 20 a minute in all, not 20 each.
  const statuses: number[] = [];
  for (let i = 0; i < 60; i++)
    statuses.push((await lookUp(i % 2 ? b.url : a.url, unknownCode(100 + i), `203.0.113.${i}`)).status);
  const answered = statuses.filter((x) => x === 404).length;
  assert.ok(
    answered >= 14 && answered <= 24,
    `${answered} of 60 guesses answered; the budget is 20 a minute`,
  );
  assert.equal(statuses.filter((x) => x === 429).length, 60 - answered);
});

test('Redis killed and restarted mid-class: the dashboard hears it go and come back, and the class is all there afterwards', async (t) => {
  const { redis, a, b } = await twoProcesses(t);
  const { code, key } = await createClass(a.url);
  const teacher = await channel(a.url, code, { role: 'teacher', key });
  assert.deepEqual((await teacher.next('welcome')).shared, { up: true, since: null });
  const ada = (await join(a.url, code, 'Ada', newSessionId())).learner;
  const bar = await channel(a.url, code, { role: 'learner', token: ada.token });
  await bar.next('welcome');

  await redis.kill();
  const down = await teacher.next('shared');
  assert.equal(down.up, false);
  assert.ok(!Number.isNaN(Date.parse(String(down.since))), `since is a time: ${down.since}`);
  // The process serves what it holds; the other cannot load the class, and says so without
  // saying it does not exist (a page would forget it).
  assert.equal((await info(a.url, code)).status, 200);
  const elsewhere = await info(b.url, code);
  assert.equal(elsewhere.status, 503);
  assert.match(String(elsewhere.body), /Redis/);
  const refused = new Channel(`${b.url.replace('http', 'ws')}/class/${code}/ws`);
  await assert.rejects(refused.opened, /handshake answered 503/);
  // A teacher opening the dashboard now is told at once.
  const late = await channel(a.url, code, { role: 'teacher', key });
  assert.equal(((await late.next('welcome')).shared as { up: boolean }).up, false);
  late.close();
  // The class goes on: a hand-in reaches the dashboard, and is kept once Redis is back.
  bar.send({
    type: 'hand-in',
    lesson: '06-server-sent-events',
    step: 'listen',
    code: 'while Redis was away',
  });
  await teacher.next('hand-in');

  await redis.start();
  assert.deepEqual(await teacher.next('shared', 20_000), { type: 'shared', up: true, since: null });
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    await until(
      'the hand-in made while Redis was away is in Redis',
      async () => (await client.hLen(`wl:class:${code}:hand-ins`)) === 1,
    );
  } finally {
    client.destroy();
  }
  const read = await info(b.url, code);
  assert.equal(read.status, 200);
  assert.equal((read.body as Record<string, unknown>).learners, 1);
  const there = await channel(b.url, code, { role: 'teacher', key });
  const welcome = await there.next('welcome');
  assert.deepEqual(
    (welcome.handIns as Array<{ code: string }>).map((h) => h.code),
    ['while Redis was away'],
  );
  there.close();
});

test('a class ended on one process is gone on the other', async (t) => {
  const { a, b } = await twoProcesses(t);
  const { code, key } = await createClass(a.url);
  await join(a.url, code, 'Ada', newSessionId());
  const first = await channel(a.url, code, { role: 'teacher', key });
  await first.next('welcome');
  // The other process loads it once (a's copy is let go: its dashboard reconnects), then the
  // code comes back to a, where the teacher ends the class.
  assert.equal((await info(b.url, code)).status, 200);
  assert.equal((await first.closed).code, 1012);
  const teacher = await channel(a.url, code, { role: 'teacher', key });
  await teacher.next('welcome');
  teacher.send({ type: 'end' });
  assert.deepEqual(await teacher.closed, { code: 4410, reason: 'class ended by the teacher' });
  // The end reaches Redis a round trip after the dashboard hears it.
  await until('the class is unknown on b', async () => (await info(b.url, code)).status === 404);
  const res = await fetch(`${b.url}/class/${code}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Late', session: newSessionId() }),
  });
  assert.equal(res.status, 404);
  const gone = new Channel(`${b.url.replace('http', 'ws')}/class/${code}/ws`);
  assert.equal((await gone.closed).code, 4404);
  assert.equal((await info(a.url, code)).status, 404);
});

test('a class moved to another process and used there stays; one left idle ends, and is gone on both', async (t) => {
  const { a, b } = await twoProcesses(t, { classIdleMs: 1_500 });
  const busy = await createClass(a.url);
  const idle = await createClass(a.url);
  const idleTeacher = await channel(a.url, idle.code, { role: 'teacher', key: idle.key });
  await idleTeacher.next('welcome');
  // The busy class moves to b and is used there for longer than classIdleMs.
  const teacher = await channel(b.url, busy.code, { role: 'teacher', key: busy.key });
  await teacher.next('welcome');
  for (let i = 0; i < 10; i++) {
    await sleep(300);
    teacher.send({ type: 'goto', lesson: '03-long-polling' });
    await teacher.next('brought');
  }
  assert.deepEqual(await idleTeacher.closed, { code: 4410, reason: 'class ended: nobody used it for 0 min' });
  assert.equal((await info(b.url, idle.code)).status, 404, 'ended on a, gone on b');
  const read = await info(b.url, busy.code);
  assert.equal(read.status, 200);
  assert.equal((read.body as Record<string, unknown>).lesson, '03-long-polling');
  teacher.close();
});

test('the idle sweep lets go of an out-of-date copy of a class another process holds, and ends only what it alone holds', async (t) => {
  const redis = await startRedisServer();
  const cfg: Config = {
    ...defaultConfig,
    dataDir: ':memory:',
    tickIntervalMs: 3_600_000,
    classIdleMs: 60_000,
  };
  const opened: Array<{ shared: SharedRedis; lab: Lab; classes: Classes }> = [];
  t.after(async () => {
    for (const o of opened) {
      await o.classes.close();
      await o.lab.close();
      await o.shared.close();
    }
    await redis.stop();
  });
  /** One process's classes; `deaf`: it misses what the others say (as while its subscription was down). */
  const startProcess = async ({ deaf = false } = {}) => {
    const shared = await connectShared(redis.url, { connectTimeoutMs: 5_000, log: () => {} });
    const store = createRedisStore(shared, { ttlMs: 2 * cfg.classIdleMs, readTimeoutMs: 5_000 });
    const heard: RedisClassStore = deaf
      ? Object.assign(Object.create(store), { onNews: () => () => {} })
      : store;
    const lab = createLab(cfg, { note: () => {} });
    const classes = createClasses(cfg, lab, heard);
    opened.push({ shared, lab, classes });
    return { classes, store };
  };
  const a = await startProcess();
  const b = await startProcess({ deaf: true });
  const created = await b.classes.create('10.0.0.1');
  assert.ok(created.ok);
  const { code } = created.cls;
  const held = await a.classes.fetch(code);
  assert.ok(held, 'a loads it and holds it; b never hears so');
  a.classes.bring(held, '03-long-polling'); // a keeps it busy
  assert.ok(b.classes.get(code), 'b still has its copy');
  const dropped: string[] = [];
  const ended: string[] = [];
  b.classes.onDrop((cls) => dropped.push(cls.code));
  b.classes.onEnd((cls) => ended.push(cls.code));
  // Past classIdleMs for b's copy.
  b.classes.sweep(Date.now() + cfg.classIdleMs + 1_000);
  await until('b lets go of its copy', () => b.classes.get(code) === undefined);
  assert.deepEqual(dropped, [code]);
  assert.equal(ended.length, 0, 'not ended');
  const stored = await a.store.loadClass(code);
  assert.equal(stored?.record.lesson, '03-long-polling', 'nothing of the class was deleted');

  // A class b alone holds, idle: ended, in Redis too.
  const alone = await b.classes.create('10.0.0.1');
  assert.ok(alone.ok);
  const aloneCode = alone.cls.code;
  b.classes.sweep(Date.now() + cfg.classIdleMs + 1_000);
  await until('b ends the idle class', () => ended.includes(aloneCode));
  await until('it is gone from Redis', async () => (await a.store.loadClass(aloneCode)) === null);
});
