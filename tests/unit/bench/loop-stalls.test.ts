/**
 * The bench's split of a late timer (bench/loop-stalls.ts): the process's own work and a blocking
 * call count as its own, and several turns' figures add up to one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LoopStalls, watchLoopStalls, worstStalls } from '../../../bench/loop-stalls.ts';

const linux = process.platform === 'linux';

/** Runs on the CPU until `ms` of this process's CPU time have passed (not wall time: a loaded machine). */
function spin(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
}

test('a loop held by its own code is late by its own doing', { skip: !linux }, async () => {
  const stalls = watchLoopStalls();
  await sleep(30);
  stalls.reset();
  spin(90);
  await sleep(30);
  const s = stalls.read();
  assert.equal(s.available, true);
  assert.ok(s.ticks >= 1, `ticks: ${s.ticks}`);
  // The latest tick may be another one on a loaded machine (a long wait for a CPU); the longest
  // own stretch is the spin's, whatever else the machine does.
  assert.ok(s.maxMs >= 70, `latest tick ${s.maxMs} ms`);
  assert.ok(s.ownMaxMs >= 70, `own ${s.ownMaxMs} ms (waited ${s.waitAtMaxMs} ms)`);
  assert.ok(s.ownMaxMs <= s.maxMs);
  assert.ok(s.ranAtOwnMaxMs >= 70, `ran ${s.ranAtOwnMaxMs} ms`);
  assert.ok(s.over50 >= 1 && s.ownOver50 >= 1);
  stalls.reset();
  assert.equal(stalls.read().maxMs, 0);
});

test('a blocking call is the process’s own too: the thread waited for no CPU', { skip: !linux }, async () => {
  const stalls = watchLoopStalls();
  await sleep(30);
  stalls.reset();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 90);
  await sleep(30);
  const s = stalls.read();
  assert.ok(s.ownMaxMs >= 70, `own ${s.ownMaxMs} ms of ${s.maxMs} (waited ${s.waitAtMaxMs} ms)`);
  // Asleep, not on a CPU: the late tick's thread ran for next to nothing.
  assert.ok(s.ranAtOwnMaxMs < 40, `ran ${s.ranAtOwnMaxMs} ms`);
});

test('turns and processes add up: the latest tick of all, its wait with it, the counts summed', () => {
  const turn = (maxMs: number, waitAtMaxMs: number, ownMaxMs: number, over50: number): LoopStalls => ({
    available: true,
    maxMs,
    waitAtMaxMs,
    ranAtMaxMs: ownMaxMs + 5,
    ranAtOwnMaxMs: ownMaxMs + 7,
    ownMaxMs,
    over50,
    ownOver50: ownMaxMs > 50 ? 1 : 0,
    ticks: 400,
  });
  const all = worstStalls([turn(40, 1, 39, 0), turn(120, 90, 30, 2), turn(70, 5, 65, 1)]);
  assert.deepEqual(all, {
    available: true,
    maxMs: 120,
    waitAtMaxMs: 90,
    ranAtMaxMs: 35,
    ownMaxMs: 65,
    ranAtOwnMaxMs: 72,
    over50: 3,
    ownOver50: 1,
    ticks: 1200,
  });
  assert.equal(worstStalls([]).available, false);
  assert.equal(worstStalls([turn(1, 0, 1, 0), { ...turn(2, 0, 2, 0), available: false }]).available, false);
});
