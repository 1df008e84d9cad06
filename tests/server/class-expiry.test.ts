/**
 * A class ends by its teacher or after classIdleMs unused: its channels close 4410, its code is
 * unknown from then on, and its learners' sessions read their own feeds again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { channel, classWithLearner, createClass, join, StreamReader, sleep } from './class-harness.ts';

const s = await startTestServer({
  tickIntervalMs: 3_600_000,
  classRequestsPerSecond: 1_000,
  classIdleMs: 1_000,
});

test('a class nobody uses for classIdleMs ends: channels close 4410, the code is gone, sessions unbound', async () => {
  const { code } = await createClass(s.url);
  const session = newSessionId();
  const { learner } = await join(s.url, code, 'Ada', session);
  const bar = await channel(s.url, code, { role: 'learner', token: learner.token, session });
  await bar.next('welcome');
  const ended = await bar.closed; // the sweep runs every classIdleMs here
  assert.equal(ended.code, 4410);
  assert.match(ended.reason, /^class ended: nobody used it for/);
  assert.equal((await fetch(`${s.url}/class/${code}`)).status, 404);
  const res = await fetch(`${s.url}/class/${code}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Late', session: newSessionId() }),
  });
  assert.equal(res.status, 404);
  // The session's snippets read its own feed again: a chat sent there comes back to it.
  const sse = new StreamReader(s.port, `/lab/${session}/sse`);
  await sse.waitFor('\r\n\r\n');
  await fetch(`${s.url}/lab/${session}/send`, { method: 'POST', body: 'mine again' });
  await sse.waitFor('data: mine again');
  sse.close();
});

test('activity keeps a class alive; the teacher ending it closes every channel with 4410', async () => {
  const { code, teacher, bar } = await classWithLearner(s.url, newSessionId());
  for (let i = 0; i < 6; i++) {
    await sleep(300);
    teacher.send({ type: 'push', text: `still here ${i}` });
  }
  assert.equal((await fetch(`${s.url}/class/${code}`)).status, 200, 'alive after 1.8 s of pushes');
  teacher.send({ type: 'end' });
  assert.deepEqual(await bar.closed, { code: 4410, reason: 'class ended by the teacher' });
  assert.deepEqual(await teacher.closed, { code: 4410, reason: 'class ended by the teacher' });
  assert.equal((await fetch(`${s.url}/class/${code}`)).status, 404);
});

test('a class nobody joined and no dashboard watches ends after emptyClassIdleMs; one with a dashboard open or a learner stays', async () => {
  const e = await startTestServer({
    tickIntervalMs: 3_600_000,
    classRequestsPerSecond: 1_000,
    emptyClassIdleMs: 1_000,
  });
  const forgotten = await createClass(e.url);
  const watched = await createClass(e.url);
  const teacher = await channel(e.url, watched.code, { role: 'teacher', key: watched.key });
  await teacher.next('welcome');
  const joined = await createClass(e.url);
  await join(e.url, joined.code, 'Ada', newSessionId());

  // The sweep runs every emptyClassIdleMs here: wait for the forgotten class to go.
  let status = 200;
  for (let tries = 0; tries < 100 && status === 200; tries++) {
    await sleep(100);
    status = (await fetch(`${e.url}/class/${forgotten.code}`)).status;
  }
  assert.equal(status, 404, 'the class nobody joined and nobody watched has ended');
  await sleep(2_500); // two more sweeps
  assert.equal((await fetch(`${e.url}/class/${watched.code}`)).status, 200, 'the dashboard keeps its class');
  assert.equal((await fetch(`${e.url}/class/${joined.code}`)).status, 200, 'a class with a learner stays');

  // The teacher leaves the dashboard of the class nobody joined: it goes too.
  teacher.close();
  let after = 200;
  for (let tries = 0; tries < 100 && after === 200; tries++) {
    await sleep(100);
    after = (await fetch(`${e.url}/class/${watched.code}`)).status;
  }
  assert.equal(after, 404);
});
