/**
 * A learner's handler that will not stop: an endless loop, a regular expression that backtracks
 * without end, a timer that spins just under the per-callback bound. Each is stopped with a
 * message naming the bound and the learner's line, and no other session waits on it — even one
 * whose sandbox lives on the same worker thread (this server runs one).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { raw, request } from '../server/lab-wire.ts';
import { deployOk, getMine, waitForConsole } from '../server/mine-harness.ts';
import { assertStillServes } from './still-serves.ts';

const s = await startTestServer({ requestsPerSecond: 1_000, sandboxWorkers: 1 });

test('an endless loop answers 500 naming sandboxCpuMsPerCallback and the line, then a fresh sandbox serves', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `let served = 0;
onRequest((req, res) => {
  served++;
  if (req.path === '/spin') {
    while (true) {}
  }
  res.end(String(served));
});`,
  );
  assert.equal((await getMine(s.port, session, '/count')).body.toString(), '1');
  const spun = await getMine(s.port, session, '/spin');
  assert.equal(spun.status, 500);
  const text = spun.body.toString();
  assert.match(text, /^bound sandboxCpuMsPerCallback \(50\) reached at line \d+/);
  assert.match(text, /restarted from your code/);
  const said = await waitForConsole(s.port, session, /^bound sandboxCpuMsPerCallback/);
  // The page says it again in its own language from the code and values (server-console.ts).
  assert.equal(said.code, 'cpu');
  const line = Number(/at line (\d+)/.exec(text)?.[1]);
  assert.deepEqual(said.params, { bound: 'sandboxCpuMsPerCallback', limit: 50, line });
  assert.equal(`${said.text}\n`, text, 'the console and the 500 (a text/plain line) say the same words');
  const after = await getMine(s.port, session, '/count');
  assert.equal(after.status, 200);
  assert.equal(after.body.toString(), '1', 'a new runtime: the old one’s globals are gone');
  await assertStillServes(s.port);
});

test('a catastrophic regular expression is interrupted, naming the learner’s line', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  const evil = /(a+)+$/.test('a'.repeat(40) + 'b');
  res.end(String(evil));
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 500);
  assert.match(answer.body.toString(), /^bound sandboxCpuMsPerCallback \(50\) reached at line 2:/);
  await assertStillServes(s.port);
});

test('a loop in a stream already under way cuts the connection, and the console says why', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  res.write('started\\n');
  res.flush();
  setTimeout(() => { for (;;) {} }, 20);
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 200);
  assert.equal(answer.end, 'cut', 'no last chunk: the reader sees the stream break');
  assert.equal(answer.body.toString(), 'started\n');
  await waitForConsole(s.port, session, /^bound sandboxCpuMsPerCallback \(50\) reached/);
  await assertStillServes(s.port);
});

test('a timer spinning just under the per-callback bound is stopped by sandboxCpuMsPerSecond', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  res.write('x'); res.flush();
  setInterval(() => { const until = Date.now() + 30; while (Date.now() < until) {} }, 5);
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.end, 'cut');
  const said = await waitForConsole(s.port, session, /^bound sandboxCpuMsPerSecond \(200\) reached/);
  assert.equal(said.code, 'cpuPerSecond');
  assert.deepEqual(said.params, { bound: 'sandboxCpuMsPerSecond', limit: 200 });
  await assertStillServes(s.port);
});

test('another session keeps being served while one handler spins, on the same worker', async () => {
  const spinner = newSessionId();
  const other = newSessionId();
  await deployOk(s.port, spinner, `onRequest((req, res) => { for (;;) {} });`);
  await deployOk(s.port, other, `let n = 0;\nonRequest((req, res) => res.end(String(++n)));`);
  let spinning = true;
  let spins = 0;
  const attack = (async () => {
    while (spinning) {
      const a = await raw(s.port, request('GET', `/lab/${spinner}/mine/`), { timeoutMs: 15_000 });
      assert.equal(a.status, 500, 'each spin is stopped');
      spins += 1;
    }
  })();
  const attackers = [attack];
  // Two more at once: the worker always has a spinning callback waiting.
  for (let i = 0; i < 2; i++)
    attackers.push(
      (async () => {
        while (spinning) await raw(s.port, request('GET', `/lab/${spinner}/mine/`), { timeoutMs: 15_000 });
      })(),
    );
  const answers: string[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      const mine = await getMine(s.port, other, '/');
      assert.equal(mine.status, 200, 'the other learner’s handler answers');
      answers.push(mine.body.toString());
      const builtIn = await raw(s.port, request('GET', `/lab/${newSessionId()}/time`), { timeoutMs: 15_000 });
      assert.equal(builtIn.status, 200, 'the built-in endpoints answer');
    }
  } finally {
    spinning = false;
    await Promise.allSettled(attackers);
  }
  assert.deepEqual(
    answers,
    ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'],
    'its sandbox kept its state',
  );
  assert.ok(spins > 0, 'the spinner really ran meanwhile');
  await assertStillServes(s.port);
});
