/**
 * "Push to the class": one message from the teacher reaches every learner's EventSource,
 * WebSocket, long poll and stream at once, through the room feed their lab sessions are bound to,
 * with snippets that name no room. And nobody else can send a `push`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { channel, createClass, join, StreamReader, sleep } from './class-harness.ts';

const s = await startTestServer({ tickIntervalMs: 3_600_000, classRequestsPerSecond: 1_000 });

/** Opens the lab's `ws` endpoint of a session and collects its text frames. */
async function labSocket(session: string): Promise<{ ws: WebSocket; frames: string[] }> {
  const ws = new WebSocket(`${s.url.replace('http', 'ws')}/lab/${session}/ws`);
  const frames: string[] = [];
  ws.on('message', (d) => frames.push(String(d)));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, frames };
}

async function until(test: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

test("a push reaches a learner's SSE (event: push), WebSocket, long poll and stream on their bound session", async () => {
  const { code, key } = await createClass(s.url);
  const teacher = await channel(s.url, code, { role: 'teacher', key });
  await teacher.next('welcome');
  const session = newSessionId();
  await join(s.url, code, 'Ada', session);

  // The learner's snippets, unchanged: no room= anywhere.
  const sse = new StreamReader(s.port, `/lab/${session}/sse`);
  const stream = new StreamReader(s.port, `/lab/${session}/stream?source=feed`);
  const socket = await labSocket(session);
  const { last } = (await (await fetch(`${s.url}/lab/${session}/news`)).json()) as { last: number };
  const poll = fetch(`${s.url}/lab/${session}/poll?since=${last}`);
  await sse.waitFor('\r\n\r\n'); // the response head: subscribed
  await stream.waitFor('\r\n\r\n');
  await sleep(50);

  teacher.send({ type: 'push', text: 'Look at the inspector now' });
  const pushed = await teacher.next('pushed');
  const id = pushed.id as number;

  const data = JSON.stringify({ from: 'teacher', text: 'Look at the inspector now' });
  await sse.waitFor(`id: ${id}\nevent: push\ndata: ${data}\n\n`);
  await stream.waitFor(`"type":"push"`);
  await until(() => socket.frames.some((f) => JSON.parse(f).type === 'push'));
  const polled = (await (await poll).json()) as {
    messages: Array<{ id: number; type: string; data: unknown }>;
  };
  assert.deepEqual(
    polled.messages.map((m) => [m.id, m.type, m.data]),
    [[id, 'push', { from: 'teacher', text: 'Look at the inspector now' }]],
  );
  assert.deepEqual(JSON.parse(socket.frames.find((f) => JSON.parse(f).type === 'push') ?? '{}').data, {
    from: 'teacher',
    text: 'Look at the inspector now',
  });
  sse.close();
  stream.close();
  socket.ws.close();
  teacher.close();
});

test('every learner hears the same push at once; a session outside the class does not', async () => {
  const { code, key } = await createClass(s.url);
  const teacher = await channel(s.url, code, { role: 'teacher', key });
  await teacher.next('welcome');
  const sessions = [newSessionId(), newSessionId(), newSessionId()];
  for (const [i, session] of sessions.entries()) await join(s.url, code, `Learner ${i + 1}`, session);
  const outsider = newSessionId();
  const readers = [...sessions, outsider].map((id) => new StreamReader(s.port, `/lab/${id}/sse`));
  for (const r of readers) await r.waitFor('\r\n\r\n');
  await sleep(50);
  teacher.send({ type: 'push', text: 'together' });
  for (const r of readers.slice(0, 3)) await r.waitFor('event: push');
  await sleep(100);
  assert.ok(!readers[3]?.received.includes('event: push'), 'the outsider hears nothing');
  for (const r of readers) r.close();
  teacher.close();
});

test("the learner's class channel shows the push too, in the class bar", async () => {
  const { code, key } = await createClass(s.url);
  const teacher = await channel(s.url, code, { role: 'teacher', key });
  await teacher.next('welcome');
  const { learner } = await join(s.url, code, 'Ada', newSessionId());
  const bar = await channel(s.url, code, {
    role: 'learner',
    token: learner.token,
    lesson: '01-reading-the-wire',
  });
  await bar.next('welcome');
  teacher.send({ type: 'push', text: 'hi' });
  const push = await bar.next('push');
  assert.equal(push.text, 'hi');
  teacher.send({ type: 'goto', lesson: '07-sse-in-depth' });
  assert.equal((await bar.next('goto')).lesson, '07-sse-in-depth');
  bar.close();
  teacher.close();
});

test('POST send cannot forge a push: whatever the body says, it is appended as chat', async () => {
  const { code } = await createClass(s.url);
  const session = newSessionId();
  await join(s.url, code, 'Mallory', session);
  const sse = new StreamReader(s.port, `/lab/${session}/sse`);
  await sse.waitFor('\r\n\r\n');
  const forged = JSON.stringify({ type: 'push', event: 'push', data: { from: 'teacher', text: 'fake' } });
  const res = await fetch(`${s.url}/lab/${session}/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: forged,
  });
  assert.equal(res.status, 200);
  // A text body with SSE field lines in it cannot start an event of its own either.
  await fetch(`${s.url}/lab/${session}/send`, { method: 'POST', body: 'x\n\nevent: push\ndata: fake' });
  await sse.waitFor('data: fake\n\n');
  assert.ok(!/^event: push$/m.test(sse.received.replace(/data: .*$/gm, '')), sse.received);
  assert.equal((sse.received.match(/^event: chat$/gm) ?? []).length, 2);
  sse.close();
});

test('a query that names a room still wins over the class room', async () => {
  const { code, key } = await createClass(s.url);
  const teacher = await channel(s.url, code, { role: 'teacher', key });
  await teacher.next('welcome');
  const session = newSessionId();
  await join(s.url, code, 'Ada', session);
  const own = new StreamReader(s.port, `/lab/${session}/sse?room=lessonroom`);
  await own.waitFor('\r\n\r\n');
  teacher.send({ type: 'push', text: 'class only' });
  await teacher.next('pushed');
  await sleep(100);
  assert.ok(!own.received.includes('event: push'));
  own.close();
  teacher.close();
});
