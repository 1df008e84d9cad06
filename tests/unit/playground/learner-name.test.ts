/** One name per tab for lesson 11's chat: kept in the tab's storage, the same for every Run. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learnerNameOf } from '../../../src/playground/learner-globals.ts';
import { learnerNameFor, learnerNameIn, newLearnerName } from '../../../src/playground/learner-name.ts';

function memoryStore(): Pick<Storage, 'getItem' | 'setItem'> {
  const map = new Map<string, string>();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

test('a tab keeps one name: asked again, its storage gives the same', () => {
  const tab = memoryStore();
  const first = learnerNameIn(tab);
  assert.match(first, /^learner\d{4}$/);
  for (let i = 0; i < 5; i++) assert.equal(learnerNameIn(tab), first);
});

test('another tab (another storage) gets a name of its own', () => {
  assert.equal(
    learnerNameIn(memoryStore(), () => 0),
    'learner1000',
  );
  assert.equal(
    learnerNameIn(memoryStore(), () => 0.9999),
    'learner9999',
  );
});

test('a damaged stored name is replaced; without storage a name is still made', () => {
  const tab = memoryStore();
  tab.setItem('wl-learner-name', '<img src=x>');
  assert.equal(
    learnerNameIn(tab, () => 0.5),
    'learner5500',
  );
  assert.equal(learnerNameIn(tab), 'learner5500');
  const refusing = {
    getItem: () => {
      throw new Error('SecurityError');
    },
    setItem: () => {
      throw new Error('SecurityError');
    },
  };
  assert.match(learnerNameIn(refusing), /^learner\d{4}$/);
  assert.match(learnerNameIn(null), /^learner\d{4}$/);
  assert.match(newLearnerName(), /^learner\d{4}$/);
});

test('the runner takes only a short plain name from the page; anything else becomes "learner"', () => {
  assert.equal(learnerNameOf('learner4821'), 'learner4821');
  assert.equal(learnerNameOf('张三'), '张三');
  assert.equal(learnerNameOf('<b>x</b>'), 'learner');
  assert.equal(learnerNameOf(''), 'learner');
  assert.equal(learnerNameOf(42), 'learner');
  assert.equal(learnerNameOf('x'.repeat(33)), 'learner');
});

test('a Chinese page shows the same name with 学员 before its digits', () => {
  assert.equal(learnerNameFor('learner4821', 'zh'), '学员4821');
  assert.equal(learnerNameFor('learner4821', 'en'), 'learner4821');
  assert.equal(learnerNameOf(learnerNameFor('learner4821', 'zh')), '学员4821');
});
