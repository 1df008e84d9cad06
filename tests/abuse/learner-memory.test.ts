/**
 * A learner's handler that eats memory or stack: a memory bomb, a string too big to build,
 * runaway recursion, and the known trap — JSON.stringify of 100,000 nested objects, which
 * recurses natively inside WebAssembly. Each ends in a message naming the bound and the line, and
 * the sandbox is restarted from the learner's code. The last part runs a server whose QuickJS
 * stack bound is set above its worker's native stack, so the host itself overflows: that runtime
 * is thrown away, and nothing else notices.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { deployOk, getMine, waitForConsole } from '../server/mine-harness.ts';
import { assertStillServes } from './still-serves.ts';

// CPU bounds raised so the nested objects are built even on a slow machine, and the stack bound,
// not the CPU bound, is what these tests meet (learner-cpu.test.ts tests the CPU bounds).
const s = await startTestServer({
  requestsPerSecond: 1_000,
  sandboxWorkers: 1,
  sandboxCpuMsPerCallback: 5_000,
  sandboxCpuMsPerSecond: 1_000,
  sandboxStallMs: 20_000,
});
/** The default bounds, for the bomb that the CPU bound may stop first. */
const plain = await startTestServer({ requestsPerSecond: 1_000, sandboxWorkers: 1 });

/** GET, again while the sandbox waits out its CPU share for this second (it says "Try again in 1 s"). */
async function getAfterShare(port: number, session: string, path: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await getMine(port, session, path);
    if (!/^bound sandboxCpuMsPerSecond/.test(answer.body.toString()) || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const NESTED = `let o = {};
  for (let i = 0; i < 100000; i++) o = { o };
  res.end(String(JSON.stringify(o).length));`;

test('a memory bomb answers 500 naming sandboxMemoryBytes and the line', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  let hoard = [1];
  for (;;) hoard = hoard.concat(hoard);
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 500);
  assert.match(answer.body.toString(), /^bound sandboxMemoryBytes \(8388608\) reached at line 3:/);
  await assertStillServes(s.port);
});

test('a memory bomb of many small pieces is stopped by whichever bound comes first', async () => {
  // Near its memory limit QuickJS collects garbage on every allocation, so filling the last
  // megabytes is slow: the CPU bound may well come first. Either way the request gets a 500.
  const session = newSessionId();
  await deployOk(
    plain.port,
    session,
    `onRequest((req, res) => {
  const hoard = [];
  for (let i = 0; ; i++) hoard.push('x'.repeat(1000) + i);
});`,
  );
  const answer = await getMine(plain.port, session, '/');
  assert.equal(answer.status, 500);
  assert.match(
    answer.body.toString(),
    /^bound sandbox(MemoryBytes|CpuMsPerCallback) \(\d+\) reached at line \d:/,
  );
  await assertStillServes(plain.port);
});

test('a string of 2^28 characters is a clean out-of-memory, and the next request is served', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  if (req.path === '/ok') return res.end('fine');
  res.end('x'.repeat(2 ** 28));
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 500);
  assert.match(answer.body.toString(), /^bound sandboxMemoryBytes \(8388608\) reached at line 3:/);
  assert.equal((await getAfterShare(s.port, session, '/ok')).body.toString(), 'fine');
});

test('runaway recursion answers 500 naming sandboxStackBytes and the line', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `function deeper(n) {
  return deeper(n + 1) + 1;
}
onRequest((req, res) => res.end(String(deeper(0))));`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 500);
  assert.match(
    answer.body.toString(),
    /^bound sandboxStackBytes \(262144\) reached at line 2: stack overflow/,
  );
  await assertStillServes(s.port);
});

test('JSON.stringify of 100,000 nested objects is QuickJS’s own stack overflow, with the line', async () => {
  const session = newSessionId();
  await deployOk(s.port, session, `onRequest((req, res) => {\n  ${NESTED}\n});`);
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 500);
  assert.match(answer.body.toString(), /^bound sandboxStackBytes \(262144\) reached at line 4/);
  await assertStillServes(s.port);
});

test('when the host’s own stack overflows inside WebAssembly, only that runtime is lost', async () => {
  // A QuickJS stack bound far above the worker's native stack: the host overflows first.
  const fragile = await startTestServer({
    requestsPerSecond: 1_000,
    sandboxWorkers: 1,
    sandboxWorkerStackMb: 4,
    sandboxStackBytes: 512 * 1024,
    sandboxCpuMsPerCallback: 5_000,
    sandboxCpuMsPerSecond: 1_000,
    sandboxStallMs: 20_000,
  });
  const session = newSessionId();
  const neighbour = newSessionId();
  await deployOk(fragile.port, neighbour, `let n = 0;\nonRequest((req, res) => res.end(String(++n)));`);
  assert.equal((await getMine(fragile.port, neighbour, '/')).body.toString(), '1');
  await deployOk(
    fragile.port,
    session,
    `onRequest((req, res) => {
  if (req.path === '/ok') return res.end('fine');
  ${NESTED}
});`,
  );
  const answer = await getMine(fragile.port, session, '/');
  assert.equal(answer.status, 500);
  assert.match(answer.body.toString(), /failed inside the engine \(its native stack overflowed/);
  await waitForConsole(fragile.port, session, /failed inside the engine/);
  assert.equal(
    (await getAfterShare(fragile.port, session, '/ok')).body.toString(),
    'fine',
    'a fresh runtime serves',
  );
  assert.equal(
    (await getMine(fragile.port, neighbour, '/')).body.toString(),
    '2',
    'the neighbour on the same worker kept its runtime and its state',
  );
  await assertStillServes(fragile.port);
  await fragile.close();
});
