/**
 * Syntax errors are found before the code runs, at the learner's own line and column (not the
 * wrapped script's), and told in the page's language.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { en } from '../../../src/i18n/en.ts';
import { zh } from '../../../src/i18n/zh.ts';
import { prepareCode } from '../../../src/playground/loop-guard.ts';
import { explainSyntaxError, tokenAt } from '../../../src/playground/syntax-error.ts';

const say = (dict: Record<string, string>) => (key: string) => dict[`playground.syntax.${key}`] ?? `?${key}`;

test('a stray token is reported at its line and column in the learner’s code, and the code is not run', () => {
  const prepared = prepareCode("console.log('one');\nconst x = 1;\nconst y = (x + ;\n");
  assert.deepEqual(prepared.syntaxError, { line: 3, col: 16, message: 'Unexpected token', token: ';' });
  assert.equal(explainSyntaxError(prepared.syntaxError!, say(en)), '“;” is not expected here.');
  assert.equal(explainSyntaxError(prepared.syntaxError!, say(zh)), '这里不应出现“;”。');
});

test('with top-level await the position is still the learner’s, not the async wrapper’s', () => {
  const prepared = prepareCode("const res = await fetch('time'); ]\nconsole.log(res.status);");
  assert.equal(prepared.syntaxError?.line, 1);
  assert.equal(prepared.syntaxError?.col, 34);
  assert.equal(prepared.syntaxError?.token, ']');
});

test('code that ends too early says so, in both languages', () => {
  const prepared = prepareCode('function f() {\n  console.log(1);\n');
  assert.equal(prepared.syntaxError?.token, '');
  assert.equal(prepared.syntaxError?.line, 3);
  assert.match(explainSyntaxError(prepared.syntaxError!, say(en)), /ends too early/);
  assert.match(explainSyntaxError(prepared.syntaxError!, say(zh)), /提前结束/);
});

test('the mistakes learners make most have words of their own; anything else keeps the parser’s', () => {
  const cases: [string, string, string][] = [
    ["const s = 'open;\n", 'A string is not closed', '字符串没有闭合'],
    ['let a = 1;\nlet a = 2;', '“a” is already declared', '“a”已经声明过了'],
    ['function f() { await fetch("x"); }', '“await” works only', '“await”只能用在'],
    ['const k;', 'A const declaration needs a value', 'const 声明必须同时赋值'],
  ];
  for (const [code, english, chinese] of cases) {
    const error = prepareCode(code).syntaxError;
    assert.ok(error, code);
    assert.ok(
      explainSyntaxError(error, say(en)).includes(english),
      `${code}: ${explainSyntaxError(error, say(en))}`,
    );
    assert.ok(
      explainSyntaxError(error, say(zh)).includes(chinese),
      `${code}: ${explainSyntaxError(error, say(zh))}`,
    );
  }
  const other = prepareCode('class A { constructor() {} constructor() {} }').syntaxError;
  assert.ok(other);
  assert.equal(explainSyntaxError(other, say(en)), `The parser says: ${other.message}.`);
});

test('valid code has no syntax error, and runs wrapped for top-level await', () => {
  const prepared = prepareCode("const r = await fetch('time');\nfor (;;) break;");
  assert.equal(prepared.syntaxError, null);
  assert.ok(prepared.wrapped);
  assert.ok(prepared.guarded);
  assert.ok(prepared.code.startsWith('__wlTopLevel(async () => {'));
  // A runtime error's column on line 1 maps back past the wrapper.
  assert.deepEqual(prepared.toSource(1, 'await fetch'.length + 11 + '__wlTopLevel(async () => {'.length), {
    line: 1,
    col: 'await fetch'.length + 11,
  });
});

test('tokenAt takes a whole word, string or operator, and nothing at the end', () => {
  assert.equal(tokenAt('x = => 1', 4), '=>');
  assert.equal(tokenAt('foo bar', 4), 'bar');
  assert.equal(tokenAt('a === b', 2), '===');
  assert.equal(tokenAt("'unclosed", 0), "'unclosed");
  assert.equal(tokenAt('abc', 3), '');
});
