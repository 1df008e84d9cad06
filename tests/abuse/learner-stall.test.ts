/**
 * QuickJS checks its CPU bound between bytecodes, not inside one built-in call: a quadratic string
 * search (`indexOf` of 100,000 a's and a b in 200,000 a's runs ~40 s) holds its worker thread. The
 * pool's watchdog terminates that worker after `sandboxStallMs`, names the culprit, keeps its code
 * from running for `sandboxQuarantineMs`, and the server and its other sessions go on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { deploy, deployOk, getMine, waitForConsole } from '../server/mine-harness.ts';
import { assertStillServes } from './still-serves.ts';

const s = await startTestServer({
  requestsPerSecond: 1_000,
  sandboxWorkers: 1,
  sandboxStallMs: 1_000,
  sandboxQuarantineMs: 3_000,
});

test('a built-in call that never yields stalls only its worker, which is replaced; the culprit waits', async () => {
  const culprit = newSessionId();
  const neighbour = newSessionId();
  await deployOk(s.port, neighbour, `onRequest((req, res) => res.end('neighbour'));`);
  await deployOk(
    s.port,
    culprit,
    `onRequest((req, res) => {
  const found = 'a'.repeat(200000).indexOf('a'.repeat(100000) + 'b');
  res.end(String(found));
});`,
  );
  const stalled = getMine(s.port, culprit, '/');
  // While the worker is stuck, the server itself answers at once.
  await assertStillServes(s.port, 'while a worker is stalled');
  const answer = await stalled;
  assert.equal(answer.status, 500);
  assert.match(
    answer.body.toString(),
    /^bound sandboxStallMs \(1000\) reached: your handler held its worker thread/,
  );
  await waitForConsole(s.port, culprit, /^bound sandboxStallMs/);
  const refused = await getMine(s.port, culprit, '/');
  assert.equal(refused.status, 503);
  assert.match(
    refused.body.toString(),
    /^bound sandboxQuarantineMs \(3000\): your handler stalled a sandbox worker/,
  );
  assert.ok(Number(refused.headers['retry-after']) >= 1, 'Retry-After says when');
  const redeploy = await deploy(s.port, culprit, `onRequest((req, res) => res.end('fixed'));`);
  assert.equal(redeploy.status, 503, 'a new deploy waits out the quarantine too');
  assert.equal(
    (await getMine(s.port, neighbour, '/')).body.toString(),
    'neighbour',
    'the neighbour starts again',
  );
  // After the quarantine, the culprit's fixed code runs.
  const deadline = Date.now() + 15_000;
  let fixed = await deploy(s.port, culprit, `onRequest((req, res) => res.end('fixed'));`);
  while (fixed.status === 503 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    fixed = await deploy(s.port, culprit, `onRequest((req, res) => res.end('fixed'));`);
  }
  assert.equal(fixed.status, 200);
  assert.equal((await getMine(s.port, culprit, '/')).body.toString(), 'fixed');
  await assertStillServes(s.port);
});
