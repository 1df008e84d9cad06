/**
 * The sandbox's share of the server: requests one handler answers at once
 * (`sandboxMaxConnections`, 429), live sandboxes on the server (`maxSandboxes`, 503 with
 * Retry-After), and a sandbox's idle lifetime (`sandboxIdleMs`: disposed, started again fresh
 * from the code on the next request, its place freed for another session).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { RawClient } from '../server/capture-harness.ts';
import { deploy, deployOk, getMine } from '../server/mine-harness.ts';
import { assertStillServes } from './still-serves.ts';

/** A server of its own for each test: one test's live sandboxes are not the next one's. */
const serverFor = () =>
  startTestServer({
    requestsPerSecond: 1_000,
    sandboxWorkers: 1,
    sandboxMaxConnections: 2,
    maxSandboxes: 2,
    sandboxIdleMs: 1_000,
  });

/** Opens a request the handler never ends; resolves when its head arrived. */
async function hold(s: { port: number }, session: string): Promise<RawClient> {
  const client = await RawClient.connect(s.port);
  client.send(`GET /lab/${session}/mine/hold HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  await client.waitFor('HTTP/1.1 200', 1, 15_000);
  return client;
}

const HOLDING = `let n = 0;
onRequest((req, res) => {
  if (req.path === '/hold') { res.write(''); res.flush(); return; }
  res.end(String(++n));
});`;

test('a handler answers at most sandboxMaxConnections requests at once (429 beyond)', async () => {
  const s = await serverFor();
  const session = newSessionId();
  await deployOk(s.port, session, HOLDING);
  const held = [await hold(s, session), await hold(s, session)];
  const third = await getMine(s.port, session, '/');
  assert.equal(third.status, 429);
  assert.match(
    third.body.toString(),
    /^bound sandboxMaxConnections \(2\) reached: your handler is answering 2 requests already/,
  );
  assert.equal(third.headers['retry-after'], '1');
  held[0]!.socket.destroy();
  await held[0]!.waitClosed();
  // Once one closed, the next is answered (the close reaches the server in its own time).
  const deadline = Date.now() + 15_000;
  let next = await getMine(s.port, session, '/');
  while (next.status === 429 && Date.now() < deadline) next = await getMine(s.port, session, '/');
  assert.equal(next.status, 200);
  held[1]!.socket.destroy();
  await assertStillServes(s.port);
});

test('at most maxSandboxes live at once (503 with Retry-After); an idle one is disposed and frees its place', async () => {
  const s = await serverFor();
  const a = newSessionId();
  const b = newSessionId();
  const c = newSessionId();
  await deployOk(s.port, a, HOLDING);
  await deployOk(s.port, b, HOLDING);
  // Keep both busy, so neither is idle.
  const held = [await hold(s, a), await hold(s, b)];
  const refused = await deploy(s.port, c, HOLDING);
  assert.equal(refused.status, 503);
  assert.match(
    String(refused.body.text),
    /^bound maxSandboxes \(2\) reached: the server runs 2 sandboxes, all in use\. Try again in 1 s/,
  );
  for (const h of held) h.socket.destroy();
  // Idle for sandboxIdleMs: disposed, so c finds a place.
  const deadline = Date.now() + 15_000;
  let placed = await deploy(s.port, c, HOLDING);
  while (placed.status === 503 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    placed = await deploy(s.port, c, HOLDING);
  }
  assert.equal(placed.status, 200);
  assert.equal((await getMine(s.port, c, '/')).body.toString(), '1');
  await assertStillServes(s.port);
});

test('an idle sandbox is disposed, and the next request starts a fresh one from the code', async () => {
  const s = await serverFor();
  const session = newSessionId();
  await deployOk(s.port, session, HOLDING);
  assert.equal((await getMine(s.port, session, '/')).body.toString(), '1');
  assert.equal((await getMine(s.port, session, '/')).body.toString(), '2');
  // After sandboxIdleMs without a request, the globals are gone: the count starts again.
  const deadline = Date.now() + 15_000;
  let n = '';
  do {
    await new Promise((r) => setTimeout(r, 1_500));
    n = (await getMine(s.port, session, '/')).body.toString();
  } while (n !== '1' && Date.now() < deadline);
  assert.equal(n, '1', 'a fresh sandbox');
});
