/**
 * Nothing of the host reaches a learner's code: no `process`, `require`, module loader, file
 * system or network, and no host object through constructor or prototype tricks — the functions
 * the sandbox hands out are QuickJS functions whose constructor is QuickJS's Function. What the
 * guest changes of its own prototypes stays in its own sandbox.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { deployOk, getMine, waitForConsole } from '../server/mine-harness.ts';
import { assertStillServes } from './still-serves.ts';

const s = await startTestServer({ requestsPerSecond: 1_000, sandboxWorkers: 1 });

test('process, require, fetch, the module loader and the host object are not there', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `const tries = {
  process: () => typeof process,
  require: () => typeof require,
  module: () => typeof module,
  fetch: () => typeof fetch,
  XMLHttpRequest: () => typeof XMLHttpRequest,
  WebSocket: () => typeof WebSocket,
  std: () => typeof std,
  os: () => typeof os,
  host: () => typeof host,
  Deno: () => typeof Deno,
  Bun: () => typeof Bun,
  'this.constructor.constructor': () => typeof this.constructor.constructor('return process')(),
  'setTimeout.constructor': () => typeof setTimeout.constructor('return process')(),
  'res.write.constructor': () => 'see handler',
  'console.log.constructor': () => typeof console.log.constructor('return this')().process,
  'Function global': () => typeof Function('return this')().process,
  'proto of a host function': () => Object.getPrototypeOf(setTimeout) === Function.prototype,
};
let imported = 'not tried';
import('fs').then(() => { imported = 'loaded'; }, (e) => { imported = e.name; });
onRequest((req, res) => {
  const seen = {};
  for (const [name, f] of Object.entries(tries)) {
    try { seen[name] = f(); } catch (e) { seen[name] = e.name; }
  }
  try { seen['res.write.constructor'] = typeof res.write.constructor('return process')(); } catch (e) { seen['res.write.constructor'] = e.name; }
  seen.import = imported;
  seen.globals = Object.getOwnPropertyNames(globalThis).filter((k) => !/^[A-Z]/.test(k)).sort();
  res.end(JSON.stringify(seen));
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 200, answer.body.toString());
  const seen = JSON.parse(answer.body.toString()) as Record<string, unknown>;
  for (const name of [
    'process',
    'require',
    'module',
    'fetch',
    'XMLHttpRequest',
    'WebSocket',
    'std',
    'os',
    'host',
    'Deno',
    'Bun',
  ])
    assert.equal(seen[name], 'undefined', name);
  // 'return process' in a QuickJS function: a ReferenceError, for there is no such name.
  for (const trick of ['this.constructor.constructor', 'setTimeout.constructor', 'res.write.constructor'])
    assert.equal(seen[trick], 'ReferenceError', trick);
  assert.equal(seen['Function global'], 'undefined');
  assert.equal(seen['console.log.constructor'], 'undefined');
  assert.equal(seen['proto of a host function'], true, 'a QuickJS function, not a host one');
  assert.notEqual(seen.import, 'loaded', `import('fs') fails (${seen.import})`);
  assert.deepEqual(
    (seen.globals as string[]).filter(
      (k) =>
        ![
          'clearInterval',
          'clearTimeout',
          'console',
          'decodeURI',
          'decodeURIComponent',
          'encodeURI',
          'encodeURIComponent',
          'escape',
          'eval',
          'feed',
          'globalThis',
          'isFinite',
          'isNaN',
          'onRequest',
          'onWebSocket',
          'parseFloat',
          'parseInt',
          'queueMicrotask',
          'setInterval',
          'setTimeout',
          'undefined',
          'unescape',
          'performance',
          'navigator',
        ].includes(k),
    ),
    [],
    'no global beyond the language’s own and the lab API',
  );
});

test('prototype pollution in one sandbox reaches neither the server nor another sandbox', async () => {
  const polluter = newSessionId();
  const other = newSessionId();
  await deployOk(
    s.port,
    polluter,
    `Object.prototype.polluted = 'yes';
Array.prototype.push = () => 'hijacked';
JSON.parse = () => 'hijacked';
onRequest((req, res) => res.end(String(({}).polluted) + ' ' + req.path));`,
  );
  await deployOk(
    s.port,
    other,
    `onRequest((req, res) => res.end(String(({}).polluted) + ' ' + JSON.stringify([1].concat(2))));`,
  );
  // Its own world changed; the prelude kept its own JSON.parse, so the request still reads right.
  assert.equal((await getMine(s.port, polluter, '/here')).body.toString(), 'yes /here');
  assert.equal((await getMine(s.port, other, '/')).body.toString(), 'undefined [1,2]');
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'the server’s own objects are untouched');
  await assertStillServes(s.port);
});

test('a getter on a written value cannot run outside the sandbox: write() takes text', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  res.setHeader('X-Trick', { toString() { return 'from toString'; } });
  res.end({ toString() { return 'body from toString'; } });
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.headers['x-trick'], 'from toString');
  assert.equal(answer.body.toString(), 'body from toString');
});

test('a handler that replaces JSON.stringify cannot crash the server through feed.append', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `JSON.stringify = () => '{not json';
onRequest((req, res) => {
  feed.append({ hello: 'world' });
  res.end('appended?');
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.body.toString(), 'appended?');
  await waitForConsole(s.port, session, /^feed\.append: the value did not turn into JSON/);
  await assertStillServes(s.port);
});
