/**
 * server/lab/fan-out.ts: a message handed to a crowd of subscribers a slice per event-loop turn,
 * every subscriber getting every message in order, gone subscribers skipped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFanOut } from '../../../server/lab/fan-out.ts';

type Listener = (message: number) => void;

/** `n` subscribers, each keeping what it was handed. */
function crowd(n: number): { listeners: Set<Listener>; got: number[][] } {
  const got = Array.from({ length: n }, (): number[] => []);
  const listeners = new Set<Listener>(got.map((seen) => (m: number) => seen.push(m)));
  return { listeners, got };
}

/** Resolves after the turn of the event loop `setImmediate` callbacks queued now run in. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

test('a small crowd is told at once, as a feed always did', () => {
  const { listeners, got } = crowd(5);
  const fan = createFanOut<number>(8, (l) => listeners.has(l));
  fan.send(1, listeners);
  assert.deepEqual(got, [[1], [1], [1], [1], [1]]);
  assert.equal(fan.pending, 0);
});

test('a crowd larger than a slice: one slice now, one more each turn', async () => {
  const { listeners, got } = crowd(10);
  const fan = createFanOut<number>(4, (l) => listeners.has(l));
  fan.send(1, listeners);
  const told = () => got.filter((seen) => seen.length > 0).length;
  assert.equal(told(), 4, 'the first slice goes before send returns');
  assert.equal(fan.pending, 1);
  await nextTurn();
  assert.equal(told(), 8);
  await nextTurn();
  assert.equal(told(), 10);
  assert.equal(fan.pending, 0);
  assert.ok(got.every((seen) => seen.length === 1 && seen[0] === 1));
});

test('messages sent while a fan-out is under way reach everyone, each in order, none twice', async () => {
  const { listeners, got } = crowd(23);
  const fan = createFanOut<number>(5, (l) => listeners.has(l));
  for (let m = 1; m <= 7; m++) fan.send(m, listeners);
  // A message sent while others wait is not begun at once, even for the first slice's subscribers.
  assert.deepEqual(got[0], [1]);
  while (fan.pending > 0) await nextTurn();
  for (const seen of got) assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7]);
});

test('no turn hands out more than a slice, across messages', async () => {
  const { listeners, got } = crowd(7);
  const fan = createFanOut<number>(3, (l) => listeners.has(l));
  const total = () => got.reduce((n, seen) => n + seen.length, 0);
  fan.send(1, listeners);
  fan.send(2, listeners);
  let before = total();
  assert.equal(before, 3);
  while (fan.pending > 0) {
    await nextTurn();
    assert.ok(total() - before <= 3, `${total() - before} calls in one turn`);
    before = total();
  }
  assert.equal(total(), 14);
});

test('a subscriber gone before its turn is skipped; one that comes later gets only what follows', async () => {
  const { listeners, got } = crowd(6);
  const fan = createFanOut<number>(2, (l) => listeners.has(l));
  const [, , , , , last] = [...listeners];
  fan.send(1, listeners);
  listeners.delete(last!); // its stream closed while the first slice was being told
  const late: number[] = [];
  const newcomer: Listener = (m) => late.push(m);
  listeners.add(newcomer); // subscribed after message 1 was appended: it reads 1 from the feed
  fan.send(2, listeners);
  while (fan.pending > 0) await nextTurn();
  assert.deepEqual(got[5], [], 'the gone subscriber was not called');
  assert.deepEqual(got.slice(0, 5), [
    [1, 2],
    [1, 2],
    [1, 2],
    [1, 2],
    [1, 2],
  ]);
  assert.deepEqual(late, [2]);
});

test('a subscriber that sends from inside its call: the new message waits its turn', async () => {
  const got: string[] = [];
  const listeners = new Set<(m: string) => void>();
  const fan = createFanOut<string>(2, (l) => listeners.has(l));
  listeners.add((m) => {
    got.push(`a:${m}`);
    if (m === 'question') fan.send('answer', listeners);
  });
  for (const name of ['b', 'c', 'd']) listeners.add((m) => got.push(`${name}:${m}`));
  fan.send('question', listeners);
  while (fan.pending > 0) await nextTurn();
  assert.deepEqual(got, [
    'a:question',
    'b:question',
    'c:question',
    'd:question',
    'a:answer',
    'b:answer',
    'c:answer',
    'd:answer',
  ]);
});

test('a small crowd too: a message sent from inside a call waits until the one before is told', () => {
  const got: string[] = [];
  const listeners = new Set<(m: string) => void>();
  const fan = createFanOut<string>(8, (l) => listeners.has(l));
  listeners.add((m) => {
    got.push(`a:${m}`);
    if (m === 'question') fan.send('answer', listeners);
  });
  listeners.add((m) => got.push(`b:${m}`));
  fan.send('question', listeners);
  assert.deepEqual(got, ['a:question', 'b:question', 'a:answer', 'b:answer']);
  assert.equal(fan.pending, 0);
});

test('a subscriber that throws is reported, and the others and later messages are told all the same', async () => {
  const { listeners, got } = crowd(6);
  const errors: unknown[] = [];
  const fan = createFanOut<number>(2, (l) => listeners.has(l), { onError: (err) => errors.push(err) });
  const [, second] = [...listeners];
  listeners.delete(second!);
  const broken = (m: number) => {
    throw new Error(`cannot take ${m}`);
  };
  listeners.add(broken);
  fan.send(1, listeners);
  fan.send(2, listeners);
  while (fan.pending > 0) await nextTurn();
  assert.deepEqual(
    got.filter((_, i) => i !== 1),
    [
      [1, 2],
      [1, 2],
      [1, 2],
      [1, 2],
      [1, 2],
    ],
  );
  assert.deepEqual(
    errors.map((e) => (e as Error).message),
    ['cannot take 1', 'cannot take 2'],
  );
  // A small crowd, told at once, likewise.
  const few = createFanOut<number>(8, () => true, { onError: (err) => errors.push(err) });
  const told: number[] = [];
  few.send(3, [broken, (m) => told.push(m)]);
  assert.deepEqual(told, [3]);
  assert.equal(errors.length, 3);
});

test('slice 0 tells everyone at once; close drops what is pending', async () => {
  const all = crowd(50);
  createFanOut<number>(0, (l) => all.listeners.has(l)).send(1, all.listeners);
  assert.ok(all.got.every((seen) => seen.length === 1));

  const some = crowd(10);
  const fan = createFanOut<number>(4, (l) => some.listeners.has(l));
  fan.send(1, some.listeners);
  fan.close();
  assert.equal(fan.pending, 0);
  await nextTurn();
  await nextTurn();
  assert.equal(some.got.filter((seen) => seen.length > 0).length, 4);

  // Closed by a subscriber (its feed closed) in the middle of a slice: nobody after it is told.
  const calls: number[] = [];
  const closing = createFanOut<number>(0, () => true);
  closing.send(1, [(m) => calls.push(m), () => closing.close(), (m) => calls.push(m * 10)]);
  assert.deepEqual(calls, [1]);
  assert.equal(closing.pending, 0);
});

test('a slice also ends once its calls have taken the budget, checked every 8 calls', async () => {
  let t = 0;
  const { listeners, got } = crowd(100);
  // Each call takes 1 ms on this clock: with a 20 ms budget a slice of up to 64 stops at 24 calls
  // (the first check at or past 20 ms), well before its count.
  for (const l of [...listeners]) {
    listeners.delete(l);
    listeners.add((m: number) => {
      t += 1;
      l(m);
    });
  }
  const fan = createFanOut<number>(64, (l) => listeners.has(l), { budgetMs: 20, now: () => t });
  fan.send(1, listeners);
  const told = () => got.filter((seen) => seen.length > 0).length;
  const perTurn = [told()];
  while (fan.pending > 0) {
    const before = told();
    await nextTurn();
    perTurn.push(told() - before);
  }
  assert.deepEqual(perTurn, [24, 24, 24, 24, 4]);
  assert.ok(
    got.every((seen) => seen.length === 1 && seen[0] === 1),
    'everyone once',
  );
  // Cheap calls: the count ends the slice, as before.
  const cheap = crowd(100);
  const fast = createFanOut<number>(64, (l) => cheap.listeners.has(l), { budgetMs: 20, now: () => 0 });
  fast.send(1, cheap.listeners);
  assert.equal(cheap.got.filter((seen) => seen.length > 0).length, 64);
  fast.close();
});
