import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { stepFileFor, translatedName } from '../../../src/playground/step-files.ts';

test('a Chinese page reads <name>.zh.js when the lesson folder has it', () => {
  const files = new Set(['first-events.js', 'first-events.zh.js', 'starter.js']);
  const has = (f: string) => files.has(f);
  assert.equal(stepFileFor('first-events.js', 'zh', has), 'first-events.zh.js');
  assert.equal(stepFileFor('first-events.js', 'en', has), 'first-events.js');
  assert.equal(stepFileFor('starter.js', 'zh', has), 'starter.js', 'no Chinese copy: the named file');
  assert.equal(translatedName('close.solution.js', 'zh'), 'close.solution.zh.js');
});

test('every Chinese starter and solution has its English file beside it (no orphan translations)', () => {
  const content = new URL('../../../content/', import.meta.url);
  const orphans: string[] = [];
  for (const lesson of readdirSync(content, { withFileTypes: true })) {
    if (!lesson.isDirectory()) continue;
    const files = new Set(readdirSync(new URL(`${lesson.name}/`, content)));
    for (const f of files)
      if (f.endsWith('.zh.js') && !files.has(f.replace(/\.zh\.js$/, '.js')))
        orphans.push(`${lesson.name}/${f}`);
  }
  assert.deepEqual(orphans, []);
});
