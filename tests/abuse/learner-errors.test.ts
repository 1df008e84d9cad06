/**
 * Mistakes in a learner's code: a syntax error and a throw at the top level are refused at deploy
 * (400, with the line and column for the editor); a throw in the handler, sync or async, is a 500
 * naming the line; a throw once the stream is under way cuts it; source past
 * `sandboxSourceBytes` is 413. The console has each message; the server goes on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { raw, request } from '../server/lab-wire.ts';
import { deploy, deployOk, getMine, waitForConsole } from '../server/mine-harness.ts';
import { assertStillServes } from './still-serves.ts';

const s = await startTestServer({
  requestsPerSecond: 1_000,
  sandboxWorkers: 1,
  sandboxSourceBytes: 4 * 1024,
});

test('a syntax error is refused with 400, the message, the line and the column', async () => {
  const session = newSessionId();
  const d = await deploy(s.port, session, `onRequest((req, res) => {\n  res.end(1 +* 2);\n});`);
  assert.equal(d.status, 400);
  assert.equal(d.body.ok, false);
  assert.equal(d.body.error?.name, 'SyntaxError');
  assert.equal(d.body.error?.line, 2);
  assert.equal(typeof d.body.error?.column, 'number');
  await waitForConsole(s.port, session, /^Your code did not start: SyntaxError: .* \(line 2, column \d+\)$/);
  await assertStillServes(s.port);
});

test('a throw at the top level is refused with 400 and its line', async () => {
  const session = newSessionId();
  const d = await deploy(s.port, session, `const x = 1;\nthrow new Error('not ready');`);
  assert.equal(d.status, 400);
  assert.deepEqual(
    { name: d.body.error?.name, message: d.body.error?.message, line: d.body.error?.line },
    { name: 'Error', message: 'not ready', line: 2 },
  );
});

test('a throw in the handler answers 500 with the message and the line', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  const parts = req.path.split('/');
  throw new Error('no such thing: ' + parts[1]);
});`,
  );
  const answer = await getMine(s.port, session, '/thing');
  assert.equal(answer.status, 500);
  assert.match(
    answer.body.toString(),
    /^Your handler threw Error: no such thing: thing \(line 3, column \d+\)\.\n$/,
  );
  assert.equal(
    answer.headers['access-control-allow-origin'],
    '*',
    'the server’s own answer: the page may read it',
  );
  await waitForConsole(s.port, session, /^Your handler threw Error: no such thing/);
  await assertStillServes(s.port);
});

test('a rejected promise in an async handler answers 500 with the line', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest(async (req, res) => {
  await feed.read(0);
  JSON.parse('{not json');
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 500);
  assert.match(answer.body.toString(), /^Your handler threw SyntaxError: .*\(line 3/);
});

test('a throw in a stream under way cuts the connection, and the console says why', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  res.write('one\\n'); res.flush();
  setTimeout(() => { undefinedFunction(); }, 20);
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 200);
  assert.equal(answer.end, 'cut');
  assert.equal(answer.body.toString(), 'one\n');
  await waitForConsole(s.port, session, /^Your handler threw ReferenceError: .*undefinedFunction.* \(line 3/);
});

test('a handler that never registered onRequest answers 500 saying what to call', async () => {
  const session = newSessionId();
  await deployOk(s.port, session, `const nothing = 1;`);
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 500);
  assert.match(answer.body.toString(), /registered no request handler: call onRequest/);
});

test('source past sandboxSourceBytes is refused with 413 naming the bound', async () => {
  const session = newSessionId();
  const big = `// ${'x'.repeat(5 * 1024)}\nonRequest((req, res) => res.end());`;
  const answer = await raw(s.port, request('PUT', `/lab/${session}/mine`, {}, big));
  assert.equal(answer.status, 413);
  assert.match(answer.body.toString(), /^bound sandboxSourceBytes \(4096\) reached/);
  await assertStillServes(s.port);
});

test('a header Node would refuse is the handler’s error (500 with the line), never the server’s', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  if (req.path === '/ctl') res.setHeader('X-Bad', 'a\\u0001b');
  if (req.path === '/wide') res.setHeader('X-Bad', 'snow ☃');
  if (req.path === '/split') res.setHeader('X-Bad', 'a\\r\\nSet-Cookie: x=1');
  res.end('not reached');
});`,
  );
  for (const path of ['/ctl', '/wide', '/split']) {
    const answer = await getMine(s.port, session, path);
    assert.equal(answer.status, 500, path);
    assert.match(answer.body.toString(), /a character a header may not carry .* \(line [234]/, path);
    assert.equal(answer.headers['set-cookie'], undefined);
  }
  await assertStillServes(s.port);
});
