/**
 * Hand-ins: a learner sends their snippet to the teacher, bounded by maxMessageBytes; a second
 * hand-in of the same step replaces the first; a dashboard opened later still has them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { channel, classWithLearner, createClass, join } from './class-harness.ts';

const s = await startTestServer({
  tickIntervalMs: 3_600_000,
  classRequestsPerSecond: 1_000,
  maxMessageBytes: 2048,
});

const code1 =
  "const es = new EventSource('sse');\nes.addEventListener('push', (e) => console.log(e.data));\n";

test('a hand-in arrives at the teacher with the learner, lesson, step and code', async () => {
  const { teacher, learner, bar } = await classWithLearner(s.url, newSessionId());
  bar.send({ type: 'hand-in', lesson: '07-sse-in-depth', step: 'listen', code: code1 });
  const got = await teacher.next('hand-in');
  const handIn = got.handIn as Record<string, unknown>;
  assert.equal(handIn.name, 'Ada');
  assert.equal(handIn.learner, learner.id);
  assert.equal(handIn.lesson, '07-sse-in-depth');
  assert.equal(handIn.step, 'listen');
  assert.equal(handIn.code, code1);
  const ack = await bar.next('handed-in');
  assert.equal(ack.id, handIn.id);
  bar.close();
  teacher.close();
});

test('a hand-in over maxMessageBytes is refused with the bound, and the learner stays in class', async () => {
  const { teacher, bar } = await classWithLearner(s.url, newSessionId());
  bar.send({ type: 'hand-in', lesson: '07-sse-in-depth', step: 'listen', code: 'x'.repeat(2049) });
  const refused = await bar.next('refused');
  assert.equal(refused.action, 'hand-in');
  assert.match(refused.reason as string, /^bound maxMessageBytes \(2048\) reached: the code is 2049 bytes/);
  await assert.rejects(teacher.next('hand-in', 200));
  bar.close();
  teacher.close();
});

test('the welcome names the limits the channel holds a page to: a frame of frameBytes is read, one byte more is closed 1009', async () => {
  const created = await createClass(s.url);
  const teacher = await channel(s.url, created.code, { role: 'teacher', key: created.key });
  const expected = { messageBytes: 2048, frameBytes: 2 * 2048 + 4096 };
  assert.deepEqual((await teacher.next('welcome')).limits, expected);
  const { learner } = await join(s.url, created.code, 'Ada', newSessionId());
  const bar = await channel(s.url, created.code, { role: 'learner', token: learner.token });
  assert.deepEqual((await bar.next('welcome')).limits, expected);
  const frame = (code: string) =>
    JSON.stringify({ type: 'hand-in', lesson: '07-sse-in-depth', step: 'listen', code });
  const fill = (bytes: number) => 'x'.repeat(bytes - Buffer.byteLength(frame('')));
  bar.ws.send(frame(fill(expected.frameBytes)));
  // Read, and over messageBytes: refused in a message, the channel open.
  assert.match((await bar.next('refused')).reason as string, /^bound maxMessageBytes \(2048\) reached/);
  bar.ws.send(frame(fill(expected.frameBytes + 1)));
  assert.equal((await bar.closed).code, 1009);
  await assert.rejects(teacher.next('hand-in', 200));
  teacher.close();
});

test('a second hand-in of the same step replaces the first; a dashboard opened later gets them all', async () => {
  const { code, key } = await createClass(s.url);
  const { learner } = await join(s.url, code, 'Ada', newSessionId());
  const bar = await channel(s.url, code, { role: 'learner', token: learner.token });
  await bar.next('welcome');
  bar.send({ type: 'hand-in', lesson: '07-sse-in-depth', step: 'listen', code: 'first' });
  await bar.next('handed-in');
  bar.send({ type: 'hand-in', lesson: '07-sse-in-depth', step: 'listen', code: 'second' });
  await bar.next('handed-in');
  bar.send({ type: 'hand-in', lesson: '08-websocket-handshake', step: 'open', code: 'third' });
  await bar.next('handed-in');
  const teacher = await channel(s.url, code, { role: 'teacher', key });
  const welcome = await teacher.next('welcome');
  assert.deepEqual(
    (welcome.handIns as Array<{ code: string }>).map((h) => h.code),
    ['second', 'third'],
  );
  bar.close();
  teacher.close();
});

const handler = "export default function handle(req, res) {\n  res.end('hello');\n}\n";
/** A hand-in from lesson 13, where the learner writes the handler too. */
const withHandler = (over: Record<string, unknown> = {}) => ({
  type: 'hand-in',
  lesson: '13-write-an-sse-endpoint',
  step: 'stream',
  code: code1,
  server: handler,
  ...over,
});

test('on a step where the learner writes the server, the hand-in carries their handler; a dashboard opened later has it too', async () => {
  const { code, key } = await createClass(s.url);
  const { learner } = await join(s.url, code, 'Ada', newSessionId());
  const bar = await channel(s.url, code, { role: 'learner', token: learner.token });
  await bar.next('welcome');
  const live = await channel(s.url, code, { role: 'teacher', key });
  await live.next('welcome');
  bar.send(withHandler());
  const got = (await live.next('hand-in')).handIn as Record<string, unknown>;
  assert.equal(got.code, code1);
  assert.equal(got.server, handler);
  await bar.next('handed-in');
  // A handler emptied by the learner is kept empty (the teacher's runs meet what theirs met); a
  // page with no handler at all hands in none.
  bar.send(withHandler({ step: 'emptied', server: '' }));
  const emptied = (await live.next('hand-in')).handIn as Record<string, unknown>;
  assert.equal(emptied.server, '');
  await bar.next('handed-in');
  bar.send({ type: 'hand-in', lesson: '07-sse-in-depth', step: 'listen', code: code1 });
  const plain = (await live.next('hand-in')).handIn as Record<string, unknown>;
  assert.equal('server' in plain, false);
  await bar.next('handed-in');
  const later = await channel(s.url, code, { role: 'teacher', key });
  const welcome = await later.next('welcome');
  assert.deepEqual(
    (welcome.handIns as Array<{ lesson: string; server?: string }>).map((h) => [h.lesson, h.server]),
    [
      ['13-write-an-sse-endpoint', handler],
      ['13-write-an-sse-endpoint', ''],
      ['07-sse-in-depth', undefined],
    ],
  );
  for (const c of [bar, live, later]) c.close();
});

test('the bound counts the page and the handler together, and says how much each took', async () => {
  const { teacher, bar } = await classWithLearner(s.url, newSessionId());
  const page = 'p'.repeat(1000);
  bar.send(withHandler({ code: page, server: 'h'.repeat(1049) }));
  const refused = await bar.next('refused');
  assert.equal(refused.action, 'hand-in');
  assert.match(
    refused.reason as string,
    /^bound maxMessageBytes \(2048\) reached: the code is 2049 bytes \(the page's 1000 and the handler's 1049\)/,
  );
  await assert.rejects(teacher.next('hand-in', 200));
  // Exactly at the bound, both are kept.
  bar.send(withHandler({ code: page, server: 'h'.repeat(1048) }));
  const kept = (await teacher.next('hand-in')).handIn as Record<string, unknown>;
  assert.equal((kept.server as string).length, 1048);
  bar.close();
  teacher.close();
});

test('a handler that is not a string is refused with why, and nothing reaches the teacher', async () => {
  const { teacher, bar } = await classWithLearner(s.url, newSessionId());
  for (const server of [42, { code: 'x' }, null]) {
    bar.send(withHandler({ server }));
    const refused = await bar.next('refused');
    assert.equal(refused.action, 'hand-in');
    assert.match(refused.reason as string, /"server", when given, is the handler's code as a string/);
  }
  await assert.rejects(teacher.next('hand-in', 200));
  // The channel is still good for the next hand-in.
  bar.send(withHandler());
  assert.equal(((await teacher.next('hand-in')).handIn as Record<string, unknown>).server, handler);
  bar.close();
  teacher.close();
});

test('code within the bound is handed in even when JSON doubles it: every character a newline, tab or quote', async () => {
  // A bound the 4 KiB envelope alone would not cover twice over.
  const big = await startTestServer({ classRequestsPerSecond: 1_000, maxMessageBytes: 16 * 1024 });
  const { teacher, bar } = await classWithLearner(big.url, newSessionId());
  const page = '\n\t"\\'.repeat(2 * 1024); // 8 KiB, 16 KiB as JSON
  const handler = '"\n'.repeat(4 * 1024); // 8 KiB, 16 KiB as JSON: 16 KiB of code in all, the bound
  bar.send(withHandler({ code: page, server: handler }));
  const got = (await teacher.next('hand-in')).handIn as Record<string, unknown>;
  assert.equal(got.code, page);
  assert.equal(got.server, handler);
  await bar.next('handed-in');
  bar.close();
  teacher.close();
});

test('classHandInBytes counts the handlers too: past it, the oldest hand-ins are forgotten', async () => {
  const small = await startTestServer({
    classRequestsPerSecond: 1_000,
    maxMessageBytes: 4096,
    classHandInBytes: 5000,
  });
  const { code, key } = await createClass(small.url);
  const { learner } = await join(small.url, code, 'Ada', newSessionId());
  const bar = await channel(small.url, code, { role: 'learner', token: learner.token });
  await bar.next('welcome');
  // 1,000 bytes of page and 1,000 of handler each: two fit in 5,000, the third forgets the first.
  for (const step of ['one', 'two', 'three']) {
    bar.send(withHandler({ step, code: step.padEnd(1000, '.'), server: 'h'.repeat(1000) }));
    await bar.next('handed-in');
  }
  // Handing "two" in again frees its 2,000 bytes before the new one's are counted: nothing else goes.
  bar.send(withHandler({ step: 'two', code: 'two again'.padEnd(1000, '.'), server: 'h'.repeat(1000) }));
  await bar.next('handed-in');
  const teacher = await channel(small.url, code, { role: 'teacher', key });
  const welcome = await teacher.next('welcome');
  assert.deepEqual(
    (welcome.handIns as Array<{ step: string; code: string }>).map((h) => `${h.step}:${h.code.slice(0, 9)}`),
    ['three:three....', 'two:two again'],
  );
  bar.close();
  teacher.close();
});
