/** The run status: running while anything of the code is left to run, then finished, and how many connections are open. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { en } from '../../../src/i18n/en.ts';
import { zh } from '../../../src/i18n/zh.ts';
import { runPhase, runStatusText } from '../../../src/playground/run-status.ts';

const say = (dict: Record<string, string>) => (key: string) => dict[`playground.status.${key}`] ?? `?${key}`;

test('the code is running until its top level is done and no timer is left', () => {
  assert.equal(runPhase({ done: false, open: 0, timers: 0 }), 'running');
  assert.equal(runPhase({ done: true, open: 0, timers: 1 }), 'running');
  assert.equal(runPhase({ done: true, open: 2, timers: 1 }), 'running');
  assert.equal(runPhase({ done: true, open: 1, timers: 0 }), 'open');
  assert.equal(runPhase({ done: true, open: 0, timers: 0 }), 'finished');
});

test('English: "Finished", or how many connections are still open, singular and plural', () => {
  assert.equal(runStatusText({ done: false, open: 1, timers: 0 }, 'en', say(en)), 'Running.');
  assert.equal(runStatusText({ done: true, open: 0, timers: 0 }, 'en', say(en)), 'Finished.');
  assert.equal(
    runStatusText({ done: true, open: 1, timers: 0 }, 'en', say(en)),
    'Your code finished; 1 connection still open.',
  );
  assert.equal(
    runStatusText({ done: true, open: 3, timers: 0 }, 'en', say(en)),
    'Your code finished; 3 connections still open.',
  );
});

test('Chinese: the same states in Chinese words', () => {
  assert.equal(runStatusText({ done: false, open: 0, timers: 0 }, 'zh', say(zh)), '正在运行。');
  assert.equal(runStatusText({ done: true, open: 0, timers: 0 }, 'zh', say(zh)), '运行完毕。');
  assert.equal(
    runStatusText({ done: true, open: 1, timers: 0 }, 'zh', say(zh)),
    '你的代码已运行完毕；还有 1 个连接开着。',
  );
  assert.equal(
    runStatusText({ done: true, open: 2, timers: 0 }, 'zh', say(zh)),
    '你的代码已运行完毕；还有 2 个连接开着。',
  );
});
