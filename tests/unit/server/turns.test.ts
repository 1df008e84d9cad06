/**
 * server/turns.ts: work that comes due in a herd (a class's held polls, its inspector frames) runs
 * at once while the turn's budget lasts, the rest in later turns, in order, none lost. Time here
 * is a clock the test moves: each call "costs" what the test says, so the spreading is checked
 * exactly, not timed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTurns } from '../../../server/turns.ts';

/** Resolves after the turn of the event loop that `setImmediate` callbacks queued now run in. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock in ms that only the test moves. */
function fakeClock() {
  let t = 1_000;
  return { now: () => t, spend: (ms: number) => (t += ms) };
}

test('under the budget, each call runs at once, inside run()', () => {
  const clock = fakeClock();
  const turns = createTurns(10, clock.now);
  const ran: number[] = [];
  for (let i = 0; i < 5; i++) turns.run(() => ran.push(i));
  assert.deepEqual(ran, [0, 1, 2, 3, 4]);
  assert.equal(turns.pending, 0);
  turns.close();
});

test('a herd: calls run until the budget is spent, the rest a budget a turn, in order', async () => {
  const clock = fakeClock();
  const turns = createTurns(10, clock.now);
  const ran: number[] = [];
  const perTurn: number[] = [];
  // 30 calls of 3 ms each, all due in one turn (as 30 timers firing together).
  for (let i = 0; i < 30; i++) {
    turns.run(() => {
      ran.push(i);
      clock.spend(3);
    });
  }
  // 0, 3, 6 and 9 ms into the stretch are under 10: four ran; 26 wait.
  perTurn.push(ran.length);
  assert.deepEqual(ran, [0, 1, 2, 3]);
  assert.equal(turns.pending, 26);
  while (turns.pending > 0) {
    const before = ran.length;
    await nextTurn();
    perTurn.push(ran.length - before);
  }
  assert.deepEqual(
    ran,
    Array.from({ length: 30 }, (_, i) => i),
    'every call once, in order',
  );
  // Each later turn starts a fresh budget: 4 calls of 3 ms fit in 10 ms (0, 3, 6, 9).
  assert.deepEqual(perTurn, [4, 4, 4, 4, 4, 4, 4, 2]);
  turns.close();
});

test('while calls wait, a new one waits behind them even with budget left', async () => {
  const clock = fakeClock();
  const turns = createTurns(10, clock.now);
  const ran: string[] = [];
  turns.run(() => clock.spend(12)); // over budget on its own: the stretch is spent
  turns.run(() => {
    ran.push('b');
    turns.run(() => ran.push('b2')); // asked for while c still waits, with the turn's budget left
  });
  turns.run(() => ran.push('c'));
  assert.equal(ran.length, 0, 'all three wait');
  await nextTurn(); // a fresh budget: b, then c, which was queued first, then b2
  assert.deepEqual(ran, ['b', 'c', 'b2']);
  turns.run(() => ran.push('d')); // nothing waits now, and the budget lasts: at once
  assert.deepEqual(ran, ['b', 'c', 'b2', 'd']);
  turns.close();
});

test('a call queued from inside a call runs after the ones queued before it', async () => {
  const clock = fakeClock();
  const turns = createTurns(10, clock.now);
  const ran: string[] = [];
  turns.run(() => {
    clock.spend(15);
    turns.run(() => ran.push('inner'));
  });
  turns.run(() => ran.push('outer'));
  while (turns.pending > 0) await nextTurn();
  assert.deepEqual(ran, ['inner', 'outer']);
  turns.close();
});

test('a stretch ends with its turn: the next turn has the whole budget again', async () => {
  const clock = fakeClock();
  const turns = createTurns(10, clock.now);
  let ran = 0;
  turns.run(() => {
    ran += 1;
    clock.spend(9);
  });
  await nextTurn();
  await nextTurn();
  clock.spend(6); // 15 ms after the first call began: over the budget, had the stretch gone on
  turns.run(() => {
    ran += 1;
    clock.spend(9);
  });
  assert.equal(ran, 2, 'ran at once: a new stretch');
  turns.close();
});

test('budget 0 runs every call at once, however long they take', () => {
  const clock = fakeClock();
  const turns = createTurns(0, clock.now);
  let ran = 0;
  for (let i = 0; i < 100; i++) {
    turns.run(() => {
      ran += 1;
      clock.spend(50);
    });
  }
  assert.equal(ran, 100);
  assert.equal(turns.pending, 0);
});

test('a call that throws is reported; the others still run', async () => {
  const clock = fakeClock();
  const errors: unknown[] = [];
  const turns = createTurns(10, clock.now, (err) => errors.push(err));
  const ran: number[] = [];
  turns.run(() => clock.spend(11));
  turns.run(() => {
    throw new Error('boom');
  });
  turns.run(() => ran.push(2));
  turns.run(() => {
    throw new Error('at once');
  });
  while (turns.pending > 0) await nextTurn();
  assert.deepEqual(ran, [2]);
  assert.deepEqual(
    errors.map((e) => (e as Error).message),
    ['boom', 'at once'],
  );
  turns.close();
});

test('close drops what waits; nothing runs after it', async () => {
  const clock = fakeClock();
  const turns = createTurns(10, clock.now);
  let ran = 0;
  turns.run(() => clock.spend(11));
  for (let i = 0; i < 5; i++) turns.run(() => (ran += 1));
  assert.equal(turns.pending, 5);
  turns.close();
  assert.equal(turns.pending, 0);
  await nextTurn();
  await nextTurn();
  assert.equal(ran, 0);
});

test('a long queue worked through over many turns keeps its order and loses nothing', async () => {
  const clock = fakeClock();
  const turns = createTurns(5, clock.now);
  const ran: number[] = [];
  turns.run(() => clock.spend(6));
  for (let i = 0; i < 5_000; i++) {
    turns.run(() => {
      ran.push(i);
      clock.spend(1);
    });
  }
  let spins = 0;
  while (turns.pending > 0 && spins++ < 2_000) await nextTurn();
  assert.equal(ran.length, 5_000);
  assert.ok(
    ran.every((v, i) => v === i),
    'in order',
  );
  turns.close();
});
