/**
 * The reconnect delays of our channels (src/playground/backoff.ts): exponential ceilings with a
 * cap, full jitter below them, reset after a good connection.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffCeiling, createBackoff } from '../../../src/playground/backoff.ts';

/** A small seeded generator (mulberry32), so a sequence of "random" numbers can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const waits = (n: number, next: () => number) => Array.from({ length: n }, next);

test('the ceiling doubles from the base each attempt, up to the cap, and never overflows', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6].map((a) => backoffCeiling(a, 500, 8_000)),
    [500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000],
  );
  assert.equal(backoffCeiling(10_000, 500, 8_000), 8_000);
});

test('each wait lies from 0 up to (not including) its attempt’s ceiling', () => {
  const highest = createBackoff({ baseMs: 500, capMs: 8_000, random: () => 0.999_999 });
  assert.deepEqual(waits(7, highest.next), [499, 999, 1_999, 3_999, 7_999, 7_999, 7_999]);
  const lowest = createBackoff({ baseMs: 500, capMs: 8_000, random: () => 0 });
  assert.deepEqual(waits(7, lowest.next), [0, 0, 0, 0, 0, 0, 0]);
});

test('a class of 300 pages backing off together spreads over the whole interval', () => {
  // Every page lost its socket at the same moment and is at its fourth attempt (ceiling 4 s).
  const fourth = Array.from({ length: 300 }, () => {
    const b = createBackoff({ baseMs: 500, capMs: 8_000 });
    waits(3, b.next);
    return b.next();
  });
  assert.ok(
    fourth.every((w) => w >= 0 && w < 4_000),
    'all within the ceiling',
  );
  assert.ok(Math.min(...fourth) < 400 && Math.max(...fourth) > 3_600, 'from near 0 to near the ceiling');
  // In 10 slices of 400 ms, none holds more than a fifth of the class (an even spread puts 30 in each).
  const slices = Array.from({ length: 10 }, (_, i) => fourth.filter((w) => Math.floor(w / 400) === i).length);
  assert.ok(Math.max(...slices) < 60, `slices ${slices}`);
});

test('with the same injected random numbers, the same waits', () => {
  const a = createBackoff({ baseMs: 1_000, capMs: 15_000, random: seeded(42) });
  const b = createBackoff({ baseMs: 1_000, capMs: 15_000, random: seeded(42) });
  const c = createBackoff({ baseMs: 1_000, capMs: 15_000, random: seeded(43) });
  const first = waits(8, a.next);
  assert.deepEqual(waits(8, b.next), first);
  assert.notDeepEqual(waits(8, c.next), first);
});

test('after a good connection the waits start again from the base', () => {
  const b = createBackoff({ baseMs: 500, capMs: 8_000, random: () => 0.999_999 });
  waits(5, b.next);
  assert.equal(b.attempt, 5);
  b.reset();
  assert.equal(b.attempt, 0);
  assert.equal(b.next(), 499);
});
