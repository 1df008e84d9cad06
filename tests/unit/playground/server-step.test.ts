/**
 * The pieces of a "write the server" step that need no browser: share links that carry the
 * handler beside the page's code (and old links without it), the handler's syntax check before
 * it is sent, and the handler's console lines as the playground shows them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { en } from '../../../src/i18n/en.ts';
import { zh } from '../../../src/i18n/zh.ts';
import { serverEntry } from '../../../src/playground/server-console.ts';
import { syntaxErrorIn } from '../../../src/playground/server-deploy.ts';
import { decodeShare, encodeShare } from '../../../src/playground/share.ts';

const strings = (table: Record<string, string>) => (key: string) => table[`playground.${key}`] ?? key;

test('a share link carries the handler beside the page’s code, and both come back as they were', async () => {
  const code = "fetch('mine/loop');";
  const server = "onRequest((req, res) => res.end('你好'));";
  const shared = await decodeShare(await encodeShare('flush-loop', code, false, server));
  assert.deepEqual(shared, { ok: true, step: 'flush-loop', code, server });
});

test('a link made before the server editor (no server=) still opens, with no handler', async () => {
  const fragment = await encodeShare('fetch-time', "fetch('time');");
  assert.doesNotMatch(fragment, /server=/);
  assert.deepEqual(await decodeShare(fragment), {
    ok: true,
    step: 'fetch-time',
    code: "fetch('time');",
    server: null,
  });
});

test('a damaged handler part makes the whole link damaged, so nothing half-opens', async () => {
  const fragment = await encodeShare('flush-loop', 'ok', false, 'also ok');
  assert.deepEqual(await decodeShare(`${fragment.replace(/server=[^&]*/, 'server=@@@')}`), {
    ok: false,
    reason: 'damaged',
  });
});

test('the handler is checked as a script, at its own line and column', () => {
  assert.equal(syntaxErrorIn("onRequest((req, res) => res.end('x'));"), null);
  const found = syntaxErrorIn('// one\nonRequest((req, res) => res.end(;));');
  assert.deepEqual(found && { line: found.line, col: found.col, token: found.token }, {
    line: 2,
    col: 33,
    token: ';',
  });
  // Top-level await is a module's: the sandbox evaluates a script, so it is refused before the PUT.
  assert.notEqual(syntaxErrorIn('await feed.read(0);'), null);
});

test('a throw in the handler reads in the page’s language, with its line; other lines stay as written', () => {
  const threw = {
    seq: 4,
    level: 'error',
    text: "Your handler threw TypeError: cannot read property 'open' of null (line 2, column 20).",
  };
  const inEnglish = serverEntry(threw, 1_000, strings(en));
  assert.equal(inEnglish.source, 'server');
  assert.equal(inEnglish.level, 'error');
  assert.deepEqual(inEnglish.args, [
    { k: 'str', v: "Your handler threw TypeError: cannot read property 'open' of null" },
  ]);
  assert.equal(inEnglish.line, 2);
  assert.equal(inEnglish.col, 20);
  const inChinese = serverEntry(threw, 1_000, strings(zh));
  assert.deepEqual(inChinese.args, [
    { k: 'str', v: "你的处理程序抛出了异常：TypeError: cannot read property 'open' of null" },
  ]);
  const bound = serverEntry(
    { seq: 5, level: 'error', text: 'bound sandboxCpuMsPerCallback (50) reached at line 3: interrupted' },
    0,
    strings(en),
  );
  assert.equal(bound.line, 3);
  const logged = serverEntry({ seq: 6, level: 'log', text: 'message 1 flushed' }, 0, strings(en));
  assert.deepEqual(logged.args, [{ k: 'str', v: 'message 1 flushed' }]);
  assert.equal(logged.line, undefined);
});
