import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CollectGarbage, trimAfterCrowds } from '../../server/memory-trim.ts';

/** A trimmer on a clock and a connection count the test moves. */
function rig(dropAtLeast = 100, afterMs = 1_000) {
  let open = 0;
  let t = 0;
  const calls: Array<Parameters<CollectGarbage>[0]> = [];
  const trims: Array<{ peak: number; open: number }> = [];
  const trimmer = trimAfterCrowds({
    open: () => open,
    dropAtLeast,
    afterMs,
    now: () => t,
    gc: (o) => calls.push(o),
    onTrim: ({ peak, open }) => trims.push({ peak, open }),
  });
  const at = (ms: number, connections: number) => {
    t = ms;
    open = connections;
    trimmer.check();
  };
  return { at, calls, trims, close: () => trimmer.close() };
}

test('a crowd that left is collected once, after the quiet time, with the collection that gives memory back', () => {
  const r = rig();
  r.at(0, 50);
  r.at(100, 400); // the crowd
  r.at(200, 30); // gone
  r.at(900, 30);
  assert.equal(r.calls.length, 0, 'not before afterMs');
  r.at(1_300, 30);
  assert.deepEqual(r.calls, [{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
  assert.deepEqual(r.trims, [{ peak: 400, open: 30 }]);
  r.at(5_000, 30);
  r.at(9_000, 30);
  assert.equal(r.calls.length, 1, 'once per crowd: the peak starts again from what was open');
  r.close();
});

test('a small drop, or one to more than half the peak, is no crowd leaving', () => {
  const r = rig(100);
  r.at(0, 150);
  r.at(10, 60); // fell by 90 < 100
  r.at(5_000, 60);
  r.at(10_000, 400);
  r.at(10_010, 250); // fell by 150, but 250 > 400 / 2
  r.at(20_000, 250);
  assert.equal(r.calls.length, 0);
  r.close();
});

test('connections coming back before the quiet time is over start the wait again', () => {
  const r = rig();
  r.at(0, 400);
  r.at(100, 20);
  r.at(800, 300); // back above half
  r.at(1_200, 20);
  r.at(2_100, 20);
  assert.equal(r.calls.length, 0, 'the wait began again at 1 200');
  r.at(2_300, 20);
  assert.equal(r.calls.length, 1);
  r.close();
});

test('without --expose-gc, or with the bound at 0, it does nothing', () => {
  const none = trimAfterCrowds({ open: () => 0, dropAtLeast: 100, afterMs: 1_000, gc: undefined });
  none.check();
  none.close();
  let called = 0;
  const off = trimAfterCrowds({ open: () => 0, dropAtLeast: 0, afterMs: 1_000, gc: () => called++ });
  off.check();
  off.close();
  assert.equal(called, 0);
});

test('the allocator is asked for its free pages on the turn after the collection, and what it said is reported', async () => {
  const order: string[] = [];
  const infos: Array<{ released: boolean | undefined; gcMs: number; releaseMs: number }> = [];
  let open = 400;
  let t = 0;
  const trimmer = trimAfterCrowds({
    open: () => open,
    dropAtLeast: 100,
    afterMs: 1_000,
    now: () => t,
    gc: () => order.push('gc'),
    release: () => {
      order.push('release');
      return true;
    },
    onTrim: ({ released, gcMs, releaseMs }) => infos.push({ released, gcMs, releaseMs }),
  });
  trimmer.check();
  open = 10;
  trimmer.check();
  t = 1_500;
  trimmer.check();
  assert.deepEqual(order, ['gc'], 'the loop gets a turn between the two');
  assert.equal(infos.length, 0);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(order, ['gc', 'release']);
  assert.equal(infos.length, 1);
  assert.equal(infos[0]?.released, true);
  assert.ok((infos[0]?.gcMs ?? -1) >= 0 && (infos[0]?.releaseMs ?? -1) >= 0);
  trimmer.close();

  const without: Array<boolean | undefined> = [];
  const r = trimAfterCrowds({
    open: () => open,
    dropAtLeast: 100,
    afterMs: 1_000,
    now: () => t,
    gc: () => {},
    onTrim: ({ released }) => without.push(released),
  });
  open = 400;
  r.check();
  open = 10;
  r.check();
  t = 3_000;
  r.check();
  assert.deepEqual(without, [undefined], 'no release given: nothing claimed');
  r.close();
});
