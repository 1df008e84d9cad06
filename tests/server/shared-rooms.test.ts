/**
 * Two Wire Lab servers on one real Redis (`WIRELAB_REDIS_URL`), as two processes behind nginx
 * would be: a room's feed is one Redis Stream whose ids mean the same message on both, a reader
 * that moves from one to the other resumes exactly, a learner bound on the class's server hears
 * the teacher on the other, appends made while Redis is away arrive in order once it is back, a
 * room ticks on one server only, and `maxSessions` holds for the two together.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { createWireLabServer, type WireLabServer } from '../../server/app.ts';
import type { Config } from '../../server/config.ts';
import { createQuotes } from '../../server/lab/ticker.ts';
import { freeTcpPort, type RedisServer, startRedisServer } from '../helpers/redis-server.ts';
import { newSessionId } from '../helpers/server.ts';
import { channel, createClass, join, StreamReader, sleep } from './class-harness.ts';

let redis: RedisServer;
let a: WireLabServer;
let b: WireLabServer;

async function start(overrides: Partial<Config> = {}): Promise<WireLabServer> {
  return createWireLabServer({
    host: '127.0.0.1',
    port: 0,
    config: {
      dataDir: ':memory:',
      redisUrl: redis.url,
      tickIntervalMs: 3_600_000,
      nodeBeatMs: 100,
      classRequestsPerSecond: 1_000,
      ...overrides,
    },
  });
}

before(async () => {
  redis = await startRedisServer();
  a = await start();
  b = await start();
});
after(async () => {
  await Promise.allSettled([a?.close(), b?.close()]);
  await redis?.stop();
});

/** A code nobody else uses in this file. */
const room = () => `r${Math.random().toString(36).slice(2, 10)}`;

async function send(server: WireLabServer, session: string, code: string, text: string): Promise<number> {
  const res = await fetch(`${server.url}/lab/${session}/send?room=${code}`, { method: 'POST', body: text });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { id: number }).id;
}

/** The `id:` and `data:` of each event an SSE response carried so far. */
function events(text: string): Array<{ id: number; data: string }> {
  const out: Array<{ id: number; data: string }> = [];
  for (const block of text.split('\n\n')) {
    const id = /^id: (\d+)$/m.exec(block);
    const data = /^data: (.*)$/m.exec(block);
    if (id && data) out.push({ id: Number(id[1]), data: data[1] ?? '' });
  }
  return out;
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('a message sent to a room on one server reaches an EventSource on the other, under the same id', async () => {
  const code = room();
  const reader = new StreamReader(a.port, `/lab/${newSessionId()}/sse?room=${code}`);
  await reader.waitFor('\r\n\r\n');
  const sender = newSessionId();
  const ids = [];
  for (const text of ['one', 'two', 'three']) ids.push(await send(b, sender, code, text));
  assert.deepEqual(ids, [1, 2, 3]);
  await until(() => events(reader.received).length === 3, 'three events');
  assert.deepEqual(events(reader.received), [
    { id: 1, data: 'one' },
    { id: 2, data: 'two' },
    { id: 3, data: 'three' },
  ]);
  // The long poll on the sending server counts the same ids.
  const polled = (await (await fetch(`${b.url}/lab/${sender}/poll?room=${code}&since=1`)).json()) as {
    messages: Array<{ id: number; data: unknown }>;
  };
  assert.deepEqual(
    polled.messages.map((m) => [m.id, m.data]),
    [
      [2, 'two'],
      [3, 'three'],
    ],
  );
  reader.close();
});

test('an EventSource that comes back on the other server with Last-Event-ID gets exactly what it missed', async () => {
  const code = room();
  const session = newSessionId();
  for (let i = 1; i <= 5; i++) await send(a, session, code, `m${i}`);
  const moved = new StreamReader(b.port, `/lab/${session}/sse?room=${code}`, { 'Last-Event-ID': '2' });
  await until(() => events(moved.received).length >= 3, 'the three missed events');
  await send(a, session, code, 'm6');
  await until(() => events(moved.received).length >= 4, 'the new event');
  await sleep(100); // anything repeated would be here by now
  assert.deepEqual(
    events(moved.received).map((e) => e.id),
    [3, 4, 5, 6],
  );
  moved.close();
});

test("a learner's session on one server hears the pushes of a teacher whose class is on the other", async () => {
  const { code, key } = await createClass(a.url);
  const teacher = await channel(a.url, code, { role: 'teacher', key });
  await teacher.next('welcome');
  const session = newSessionId();
  await join(a.url, code, 'Ada', session); // the class (on a) binds the session, wherever it is

  // The learner's unchanged snippets, on b: no room= anywhere.
  const sse = new StreamReader(b.port, `/lab/${session}/sse`);
  const frames: string[] = [];
  const ws = new WebSocket(`${b.url.replace('http', 'ws')}/lab/${session}/ws`);
  ws.on('message', (d) => frames.push(String(d)));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  await sse.waitFor('\r\n\r\n');
  const poll = fetch(`${b.url}/lab/${session}/poll`);
  await sleep(100);

  for (const text of ['first', 'second']) {
    teacher.send({ type: 'push', text });
    await teacher.next('pushed');
  }
  await sse.waitFor('"text":"second"');
  await until(() => frames.filter((f) => JSON.parse(f).type === 'push').length === 2, 'two ws pushes');
  const sseTexts = events(sse.received).map((e) => JSON.parse(e.data).text);
  assert.deepEqual(sseTexts, ['first', 'second']);
  const polled = (await (await poll).json()) as { messages: Array<{ type: string; data: { text: string } }> };
  assert.equal(polled.messages[0]?.type, 'push');
  assert.equal(polled.messages[0]?.data.text, 'first');
  // The class's dashboard on a counts what the learner's session on b has open.
  await teacher.activity((m) => (m as unknown as { totals: { open: { sse: number } } }).totals.open.sse >= 1);
  ws.close();
  sse.close();
  teacher.ws.close();
});

test('messages sent while Redis is down arrive once it is back, in order, exactly once', async () => {
  const code = room();
  const reader = new StreamReader(b.port, `/lab/${newSessionId()}/sse?room=${code}`);
  await reader.waitFor('\r\n\r\n');
  const sender = newSessionId();
  assert.equal(await send(a, sender, code, 'before'), 1);
  await until(() => events(reader.received).length === 1, 'the first event');

  await redis.kill();
  await sleep(200);
  const sent = ['while-1', 'while-2', 'while-3'].map((text) => send(a, sender, code, text));
  await sleep(300);
  await redis.start();
  assert.deepEqual(await Promise.all(sent), [2, 3, 4]);
  assert.equal(await send(a, sender, code, 'after'), 5);
  await until(() => events(reader.received).length >= 5, 'all five events', 20_000);
  await sleep(200);
  assert.deepEqual(
    events(reader.received).map((e) => `${e.id}:${e.data}`),
    ['1:before', '2:while-1', '3:while-2', '4:while-3', '5:after'],
  );
  reader.close();
});

test('a room read on both servers ticks on one of them only', async () => {
  const ticking = { tickIntervalMs: 50 };
  const [c, d] = [await start(ticking), await start(ticking)];
  try {
    const code = room();
    const onC = new StreamReader(c.port, `/lab/${newSessionId()}/sse?room=${code}`);
    const onD = new StreamReader(d.port, `/lab/${newSessionId()}/sse?room=${code}`);
    await until(() => events(onC.received).length >= 20 && events(onD.received).length >= 10, 'ticks');
    const prices = events(onC.received).map((e) => (JSON.parse(e.data) as { price: number }).price);
    // One ticker walks the room's series without a step twice; two would repeat each price.
    const series = createQuotes(`room:${code}`);
    const walk = Array.from({ length: 200 }, () => series().price);
    const start = walk.indexOf(prices[0] ?? -1);
    assert.ok(start >= 0, `the first tick ${prices[0]} is on the room's series`);
    assert.deepEqual(prices, walk.slice(start, start + prices.length));
    const ids = events(onD.received).map((e) => e.id);
    assert.deepEqual(
      ids,
      ids.map((_, i) => (ids[0] ?? 0) + i),
      'the other server relays the same ids, none missing',
    );
    onC.close();
    onD.close();
  } finally {
    await Promise.allSettled([c.close(), d.close()]);
  }
});

/**
 * Three sessions with an EventSource open on one server (real work: none can be made to give
 * way), one on the other: the fifth session, on the other, is refused with `bound`.
 */
async function fifthSessionRefused(overrides: Partial<Config>, status: number, bound: RegExp) {
  // A Redis of their own: a and b count their sessions on the file's one.
  const own = await startRedisServer();
  const [c, d] = [
    await start({ ...overrides, redisUrl: own.url }),
    await start({ ...overrides, redisUrl: own.url }),
  ];
  const streams: StreamReader[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const s = new StreamReader(c.port, `/lab/${newSessionId()}/sse`);
      streams.push(s);
      await s.waitFor('200 OK');
    }
    await sleep(500); // a few beats: d hears what c counts
    const fourth = new StreamReader(d.port, `/lab/${newSessionId()}/sse`);
    streams.push(fourth);
    await fourth.waitFor('200 OK');
    const fifth = await fetch(`${d.url}/lab/${newSessionId()}/news`);
    assert.equal(fifth.status, status);
    assert.match(await fifth.text(), bound);
  } finally {
    for (const s of streams) s.close();
    await Promise.allSettled([c.close(), d.close()]);
    await own.stop();
  }
}

test('maxSessions holds for the servers together', async () => {
  await fifthSessionRefused(
    { maxSessions: 4 },
    503,
    /maxSessions \(4\) reached: the server holds 4 sessions/,
  );
});

test("an address's share of sessions holds for the servers together", async () => {
  await fifthSessionRefused(
    { maxSessionsPerAddress: 4 },
    429,
    /maxSessionsPerAddress \(4\) reached: your address holds 4 sessions/,
  );
});

test('a start with WIRELAB_REDIS_URL where nothing answers says so in one line naming the URL, and exits non-zero', async () => {
  const port = await freeTcpPort();
  const child = spawn(process.execPath, ['server/index.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      WIRELAB_REDIS_URL: `redis://127.0.0.1:${port}`,
      WIRELAB_DATA_DIR: ':memory:',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (t: string) => {
    stderr += t;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 1);
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(
    lines[0] ?? '',
    new RegExp(`WIRELAB_REDIS_URL=redis://127\\.0\\.0\\.1:${port}: Redis does not answer`),
  );
});
