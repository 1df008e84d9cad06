/**
 * Timers in a learner's handler: a flood of them meets `sandboxMaxTimers` with the learner's line;
 * a zero-delay interval is raised to `sandboxMinTimerMs` and spends the sandbox's CPU share, not
 * the server's; an error thrown in a timer fails the response it belongs to.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { deployOk, getMine, waitForConsole } from '../server/mine-harness.ts';
import { assertStillServes } from './still-serves.ts';

const s = await startTestServer({ requestsPerSecond: 1_000, sandboxWorkers: 1 });

test('a timer flood answers 500 naming sandboxMaxTimers and the line', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  for (;;) setTimeout(() => {}, 60000);
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 500);
  assert.match(
    answer.body.toString(),
    /^Your handler threw Error: bound sandboxMaxTimers \(32\) reached: 32 timers are pending\. Clear the ones you no longer need .* \(line 2/,
  );
  await assertStillServes(s.port);
});

test('timers a request started are cleared with it, so the next request may start as many', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  for (let i = 0; i < 30; i++) setTimeout(() => {}, 60000);
  res.end('30 pending');
});`,
  );
  for (let i = 0; i < 3; i++) {
    const answer = await getMine(s.port, session, '/');
    assert.equal(answer.body.toString(), '30 pending', `request ${i + 1}`);
  }
});

test('a zero-delay interval flood is bounded by the sandbox’s CPU share, and the server goes on', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  res.write('go'); res.flush();
  for (let i = 0; i < 32; i++) setInterval(() => { for (let j = 0; j < 200000; j++); }, 0);
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.end, 'cut');
  await waitForConsole(s.port, session, /^bound sandboxCpuMsPerSecond \(200\) reached/);
  await assertStillServes(s.port);
});

test('an error thrown in a timer fails the response it belongs to, naming the line', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  setTimeout(() => {
    null.boom;
  }, 10);
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 500);
  assert.match(answer.body.toString(), /^Your handler threw TypeError: .* \(line 3, column \d+\)\.$/m);
  await assertStillServes(s.port);
});
