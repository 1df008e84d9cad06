/** One name per tab for lesson 11's chat: kept in the tab's storage, the same for every Run. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learnerNameOf } from '../../../src/playground/learner-globals.ts';
import {
  chatNameOf,
  learnerNameFor,
  learnerNameIn,
  newLearnerName,
} from '../../../src/playground/learner-name.ts';

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
  assert.equal(learnerNameOf('x'.repeat(41)), 'learner');
  // A class's display name: spaces inside, an apostrophe, a dot, accents as combining marks.
  assert.equal(learnerNameOf('Ada Lovelace'), 'Ada Lovelace');
  assert.equal(learnerNameOf("Dara O'Brien"), "Dara O'Brien");
  assert.equal(learnerNameOf('J. Doe'), 'J. Doe');
  assert.equal(learnerNameOf('Zoe\u0301'), 'Zoe\u0301');
  assert.equal(learnerNameOf('x'.repeat(40)), 'x'.repeat(40));
  assert.equal(learnerNameOf(' Ada'), 'learner');
  assert.equal(learnerNameOf('Ada '), 'learner');
  assert.equal(learnerNameOf('Ada\nLovelace'), 'learner');
  assert.equal(learnerNameOf('Ada: hi'), 'learner');
});

test("in a class, the chat name is the learner's display name, with what a chat name cannot hold dropped", () => {
  assert.equal(chatNameOf('Ada'), 'Ada');
  assert.equal(chatNameOf('  Ada   Lovelace '), 'Ada Lovelace');
  assert.equal(chatNameOf('李雷'), '李雷');
  assert.equal(chatNameOf('<b>Mallory</b>'), 'b Mallory b');
  assert.equal(chatNameOf('Ada: hi'), 'Ada hi');
  assert.equal(chatNameOf('🦊 Fox'), 'Fox');
  assert.equal(chatNameOf('🦊🦊'), null);
  assert.equal(chatNameOf('<>'), null);
  // Every name it gives is one the runner takes as it is.
  for (const raw of [
    'Ada',
    '  Ada   Lovelace ',
    '李雷',
    '<b>Mallory</b>',
    'Ada: hi',
    '🦊 Fox',
    'é'.repeat(45),
  ])
    assert.equal(learnerNameOf(chatNameOf(raw)), chatNameOf(raw), raw);
  assert.equal([...(chatNameOf('é'.repeat(45)) ?? '')].length, 40);
});

test('a Chinese page shows the same name with 学员 before its digits', () => {
  assert.equal(learnerNameFor('learner4821', 'zh'), '学员4821');
  assert.equal(learnerNameFor('learner4821', 'en'), 'learner4821');
  assert.equal(learnerNameOf(learnerNameFor('learner4821', 'zh')), '学员4821');
});
