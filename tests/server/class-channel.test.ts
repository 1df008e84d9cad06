/**
 * The class channel: who may say what. Wrong keys, unknown tokens, learners acting as teacher,
 * floods and foreign pages are all refused with a close code and a reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { Channel, channel, createClass, join, sleep } from './class-harness.ts';

const s = await startTestServer({
  tickIntervalMs: 3_600_000,
  classRequestsPerSecond: 1_000,
  classMessagesPerSecond: 5,
  headersTimeoutMs: 1_000,
});
const wsUrl = (code: string) => `${s.url.replace('http', 'ws')}/class/${code}/ws`;

test('the teacher key opens the teacher channel; a wrong key is closed 1008 "wrong teacher key"', async () => {
  const { code, key } = await createClass(s.url);
  const teacher = await channel(s.url, code, { role: 'teacher', key });
  const welcome = await teacher.next('welcome');
  assert.equal(welcome.role, 'teacher');
  assert.deepEqual((welcome.class as { code: string }).code, code);

  const wrong = `${key[0] === 'A' ? 'B' : 'A'}${key.slice(1)}`; // one character off
  const impostor = await channel(s.url, code, { role: 'teacher', key: wrong });
  assert.deepEqual(await impostor.closed, { code: 1008, reason: 'wrong teacher key' });
  const keyless = await channel(s.url, code, { role: 'teacher' });
  assert.deepEqual(await keyless.closed, { code: 1008, reason: 'wrong teacher key' });
  teacher.close();
});

test('a learner token from another class, or made up, is closed 1008', async () => {
  const a = await createClass(s.url);
  const b = await createClass(s.url);
  const { learner } = await join(s.url, a.code, 'Ada', newSessionId());
  const elsewhere = await channel(s.url, b.code, { role: 'learner', token: learner.token });
  assert.deepEqual(await elsewhere.closed, { code: 1008, reason: 'unknown learner: join the class again' });
  const madeUp = await channel(s.url, a.code, { role: 'learner', token: '1.AAAAAAAAAAAAAAAAAAAAAA' });
  assert.equal((await madeUp.closed).code, 1008);
});

test('a learner cannot push, bring the class elsewhere or end it: closed 1008, nothing reaches the room', async () => {
  const { code, key } = await createClass(s.url);
  const teacher = await channel(s.url, code, { role: 'teacher', key });
  await teacher.next('welcome');
  const { learner } = await join(s.url, code, 'Mallory', newSessionId());
  const other = await channel(s.url, code, { role: 'learner', token: learner.token });
  await other.next('welcome');

  for (const type of ['push', 'goto', 'end']) {
    const c = await channel(s.url, code, { role: 'learner', token: learner.token });
    await c.next('welcome');
    c.send({ type, text: 'I am the teacher now', lesson: '01-reading-the-wire' });
    assert.deepEqual(await c.closed, { code: 1008, reason: `only the teacher can ${type}` });
  }
  await assert.rejects(other.next('push', 300), /no "push" message/);
  await assert.rejects(other.next('goto', 10), /no "goto" message/);
  // The class is still there.
  assert.equal((await fetch(`${s.url}/class/${code}`)).status, 200);
  teacher.close();
  other.close();
});

test('an unknown class code is closed 4404 after the handshake (a browser can read that, not a status)', async () => {
  const c = new Channel(wsUrl('ZZZZZ2'));
  assert.equal((await c.closed).code, 4404);
});

test('a channel that never says hello is closed 1008 after headersTimeoutMs', async () => {
  const { code } = await createClass(s.url);
  const c = new Channel(wsUrl(code));
  await c.opened;
  assert.deepEqual(await c.closed, { code: 1008, reason: 'no hello in time' });
});

test('a flood beyond classMessagesPerSecond is closed 1008 naming the bound', async () => {
  const { code, key } = await createClass(s.url);
  const teacher = await channel(s.url, code, { role: 'teacher', key });
  await teacher.next('welcome');
  for (let i = 0; i < 20; i++) teacher.send({ type: 'push', text: `spam ${i}` });
  assert.deepEqual(await teacher.closed, { code: 1008, reason: 'bound classMessagesPerSecond (5) reached' });
});

test('binary, non-JSON and unknown messages are closed with a reason', async () => {
  const { code, key } = await createClass(s.url);
  const binary = await channel(s.url, code, { role: 'teacher', key });
  await binary.next('welcome');
  binary.ws.send(Buffer.from([1, 2, 3]));
  assert.equal((await binary.closed).code, 1003);
  const junk = new Channel(wsUrl(code));
  await junk.opened;
  junk.ws.send('hello?');
  assert.deepEqual(await junk.closed, { code: 1008, reason: 'not JSON: send {"type": …}' });
  const odd = await channel(s.url, code, { role: 'teacher', key });
  await odd.next('welcome');
  odd.send({ type: 'dance' });
  assert.deepEqual(await odd.closed, { code: 1008, reason: 'unknown message type "dance"' });
});

test('only Wire Lab pages open the channel: a learner snippet (Origin: null) or another site is refused 403', async () => {
  const { code } = await createClass(s.url);
  for (const origin of ['null', 'http://evil.example']) {
    const c = new Channel(wsUrl(code), { Origin: origin });
    await assert.rejects(c.opened, /handshake answered 403/);
  }
  const same = new Channel(wsUrl(code), { Origin: s.url });
  await same.opened;
  same.close();
});

test('a push with no text is refused in a message, and the teacher channel stays open', async () => {
  const { code, key } = await createClass(s.url);
  const teacher = await channel(s.url, code, { role: 'teacher', key });
  await teacher.next('welcome');
  teacher.send({ type: 'push', text: '   ' });
  const refused = await teacher.next('refused');
  assert.equal(refused.action, 'push');
  await sleep(50);
  assert.equal(teacher.ws.readyState, teacher.ws.OPEN);
  teacher.close();
});
