/**
 * The server's own sentences in a handler's console (server/sandbox/console-texts.ts) as the
 * playground shows them: in English, the very words the server wrote; in Chinese, every one of
 * them translated, with the server's values in place; an unknown code, the server's text.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_WHAT, SAID_CODES, type SaidParams, say } from '../../../server/sandbox/console-texts.ts';
import { en } from '../../../src/i18n/en.ts';
import { zh } from '../../../src/i18n/zh.ts';
import { serverEntry } from '../../../src/playground/server-console.ts';

const strings = (table: Record<string, string>) => (key: string) => table[`playground.${key}`] ?? key;

const WITH_LINE: SaidParams = {
  bound: 'sandboxCpuMsPerCallback',
  limit: 50,
  line: 7,
  seconds: 30,
  what: 'TypeError: x is not a function (line 2)',
};
const WITHOUT_LINE: SaidParams = { ...WITH_LINE, line: undefined };

/** The console line as the page reads it: through JSON, as `GET mine?after=` sends it. */
function lineOf(params: SaidParams, code = SAID_CODES[0]!) {
  const said = say(code, params);
  return JSON.parse(
    JSON.stringify({ seq: 1, level: 'error', text: said.text, code: said.code, params: said.params }),
  ) as { seq: number; level: string; text: string; code: string; params: Record<string, unknown> };
}

const shown = (line: ReturnType<typeof lineOf>, table: Record<string, string>) => {
  const arg = serverEntry(line, 0, strings(table)).args[0];
  return arg && 'v' in arg ? String(arg.v) : '';
};

test('in English, every sentence the page says again is word for word what the server wrote', () => {
  for (const code of SAID_CODES)
    for (const params of [WITH_LINE, WITHOUT_LINE]) {
      const line = lineOf(params, code);
      assert.equal(shown(line, en), line.text, code);
    }
});

test('in Chinese, every sentence is translated, with the server’s values and no placeholder left', () => {
  for (const code of SAID_CODES) {
    const line = lineOf(WITH_LINE, code);
    const text = shown(line, zh);
    assert.notEqual(text, line.text, `${code}: translated`);
    assert.match(text, /[\u4e00-\u9fff]/, `${code}: in Chinese`);
    assert.doesNotMatch(text, /\{\w+\}/, `${code}: no placeholder left`);
    for (const [name, value] of Object.entries(WITH_LINE)) {
      const template = zh[`playground.server.say.${code}` as keyof typeof zh];
      if (name === 'line' ? template.includes('{at}') : template.includes(`{${name}}`))
        assert.ok(text.includes(String(value)), `${code}: says ${name}`);
    }
    // Every value the English names, the Chinese names too.
    for (const name of ['bound', 'limit', 'at', 'seconds', 'what'])
      assert.equal(
        zh[`playground.server.say.${code}` as keyof typeof zh].includes(`{${name}}`),
        en[`playground.server.say.${code}` as keyof typeof en].includes(`{${name}}`),
        `${code}: {${name}} in both languages`,
      );
  }
});

test('a bound that knows the learner’s line says it, and the console entry points at it', () => {
  const withLine = lineOf(WITH_LINE, 'cpu');
  assert.match(shown(withLine, zh), /已到（第 7 行）：/);
  assert.equal(serverEntry(withLine, 0, strings(zh)).line, 7);
  const without = lineOf(WITHOUT_LINE, 'cpu');
  assert.match(shown(without, zh), /已到：/);
  assert.equal(serverEntry(without, 0, strings(zh)).line, undefined);
});

test('a learner’s error as long as it likes is cut, in the text and the values alike', () => {
  const said = say('notStarted', { what: `Error: ${'x'.repeat(100_000)}` });
  assert.ok(said.text.length < MAX_WHAT + 100);
  assert.equal(said.params.what?.length, MAX_WHAT + 1);
  assert.equal(shown(lineOf(said.params, 'notStarted'), en), said.text);
});

test('a code this page does not know (a newer server’s) shows the server’s English text', () => {
  const line = { ...lineOf(WITH_LINE, 'cpu'), code: 'somethingNew' };
  assert.equal(shown(line, zh), line.text);
  const noCode = { seq: 2, level: 'log', text: 'printed by the handler' };
  assert.equal(shown({ ...noCode, code: undefined as unknown as string, params: {} }, zh), noCode.text);
});
