/**
 * Every Chinese lesson and the glossary: no line break between two CJK characters in prose,
 * because it renders as a space (see cjk-soft-breaks.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cjkSoftBreaks } from './cjk-soft-breaks.ts';

const CONTENT = join(import.meta.dirname, '../../../content');

function chineseFiles(): string[] {
  const files = readdirSync(CONTENT, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(CONTENT, d.name, 'zh.md')))
    .map((d) => join(d.name, 'zh.md'));
  if (existsSync(join(CONTENT, 'glossary.md'))) files.push('glossary.md');
  return files.sort();
}

describe('Chinese lesson text', () => {
  it('finds the lessons it checks', () => {
    assert.ok(
      chineseFiles().length >= 11,
      `expected every lesson's zh.md, found ${chineseFiles().join(', ')}`,
    );
  });

  it('the check catches a wrapped line between Han characters and nothing else', () => {
    assert.deepEqual(
      cjkSoftBreaks('---\ntitle: 标题\n---\nWebSocket 走的是\n另一条路。\n\n```\n代码\n代码\n```\n'),
      [{ line: 4, end: '是', start: '另' }],
    );
    assert.deepEqual(cjkSoftBreaks('> **看：** 第一行，\n> 第二行'), [{ line: 1, end: '，', start: '第' }]);
    assert.deepEqual(cjkSoftBreaks('一段。\n\n- 列表\n- 列表\n## 标题\n正文'), []);
    assert.deepEqual(cjkSoftBreaks('中文 `code`\nEnglish text\n中文  \n中文'), []);
    assert.deepEqual(cjkSoftBreaks('看[链接](/x)\n**加粗**文字'), [{ line: 1, end: '接', start: '加' }]);
  });

  for (const file of chineseFiles()) {
    it(`${file} has no line break between two CJK characters (it renders as a space)`, () => {
      const text = readFileSync(join(CONTENT, file), 'utf8');
      const breaks = cjkSoftBreaks(text);
      assert.deepEqual(
        breaks.map((b) => `content/${file}:${b.line}: "…${b.end}⏎${b.start}…"`),
        [],
        'join these lines: a Markdown soft break between CJK characters renders as a space',
      );
    });
  }
});
