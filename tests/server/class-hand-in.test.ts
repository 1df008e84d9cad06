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
