/**
 * The ring keeps records as columns; a reader gets back exactly what was appended, whatever the
 * ring did in between: grew, wrapped around, shrank after drops.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CloseInfo, Direction, OpenInfo, RecordKind } from '../../server/capture/records.ts';
import { RecordRing } from '../../server/capture/ring.ts';

interface Appended {
  kind: RecordKind;
  conn: number;
  t: number;
  dir: Direction | null;
  off: number;
  bytes: Buffer | null;
  charge: number;
  info: OpenInfo | CloseInfo | string | null;
  cum: number;
}

setFlagsFromString('--expose-gc');
/** A full collection, from a context made after the flag was set (the test runner starts without it). */
const collectGarbage = runInNewContext('gc') as () => void;

const KINDS: RecordKind[] = ['open', 'data', 'end', 'close', 'timeout', 'note', 'moved', 'rejoined'];

/** A small deterministic generator, so a failure names the same records every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function append(ring: RecordRing, slab: Buffer, next: () => number, model: Map<number, Appended>): void {
  const kind = KINDS[Math.floor(next() * KINDS.length)]!;
  const data = kind === 'data';
  const start = data ? Math.floor(next() * 200) : 0;
  const size = data ? Math.floor(next() * 50) : 0;
  const info: Appended['info'] =
    kind === 'note'
      ? `note ${ring.nextSeq}`
      : kind === 'close'
        ? { how: 'fin', by: 'client', error: null, cause: 'peer', unseen: false }
        : null;
  const r: Appended = {
    kind,
    conn: 1 + Math.floor(next() * 70_000),
    t: 5_000_000_000 + ring.nextSeq * 1.5, // past 2^32 µs: an hour and more into a process's life
    dir: data || kind === 'end' ? (next() < 0.5 ? 'in' : 'out') : null,
    off: 2 ** 33 + ring.nextSeq, // a stream past 4 GiB
    bytes: data ? slab.subarray(start, start + size) : null,
    charge: 96 + size,
    info,
    cum: ring.cum + size,
  };
  const seq = ring.push(r.kind, r.conn, r.t, r.dir, r.off, data ? slab : null, start, size, r.charge, r.info);
  model.set(seq, r);
}

function check(ring: RecordRing, model: Map<number, Appended>): void {
  assert.equal(ring.length, model.size);
  for (const [seq, want] of model) {
    const got = ring.at(seq);
    assert.ok(got, `seq ${seq} is kept`);
    assert.equal(got.seq, seq);
    assert.equal(got.kind, want.kind);
    assert.equal(got.conn, want.conn);
    assert.equal(got.t, want.t);
    assert.equal(got.dir, want.dir);
    assert.equal(got.off, want.off);
    assert.equal(got.cum, want.cum);
    assert.equal(got.charge, want.charge);
    assert.equal(got.size, want.bytes?.length ?? 0);
    assert.deepEqual(got.info, want.info);
    if (want.bytes === null) assert.equal(got.bytes, null);
    else assert.ok(got.bytes?.equals(want.bytes), `seq ${seq}: the bytes`);
  }
}

test('every record reads back field for field through growth, wrap-around and shrinking', () => {
  const ring = new RecordRing();
  const slab = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const next = random(7);
  const model = new Map<number, Appended>();
  let charged = 0;
  let most = 0;
  // Waves: append a lot, then drop most of it, so the ring grows, wraps and gives room back.
  for (let wave = 0; wave < 6; wave++) {
    const add = 200 + Math.floor(next() * 3000);
    for (let i = 0; i < add; i++) {
      append(ring, slab, next, model);
      charged += model.get(ring.nextSeq - 1)!.charge;
      // Some drops while appending: the oldest slot moves around the ring.
      if (next() < 0.3) {
        const oldest = ring.firstSeq;
        charged -= ring.dropOldest();
        model.delete(oldest);
      }
    }
    most = Math.max(most, ring.capacity);
    check(ring, model);
    assert.ok(ring.capacity >= ring.length);
    const keep = Math.floor(next() * 20);
    while (ring.length > keep) {
      const oldest = ring.firstSeq;
      charged -= ring.dropOldest();
      model.delete(oldest);
    }
    check(ring, model);
    assert.ok(
      ring.capacity <= Math.max(16, ring.length * 4),
      `room given back (${ring.capacity} slots for ${ring.length})`,
    );
  }
  assert.ok(most >= 1024, 'the ring grew past its first slots');
  assert.equal(ring.charge - (ring.droppedRecords > 0 ? 1024 * 8 : 0), charged, 'charges add up');
  assert.equal(ring.at(ring.firstSeq - 1), undefined, 'a dropped record is gone');
  assert.equal(ring.at(ring.nextSeq), undefined, 'a record not yet appended is not there');
});

test('a dropped record lets go of its buffer and info', async () => {
  const ring = new RecordRing();
  const held = (() => {
    const slab = Buffer.allocUnsafeSlow(5);
    slab.write('hello');
    const info: OpenInfo = {
      client: { address: '127.0.0.1', port: 1 },
      server: { port: 2 },
      reused: false,
      before: { in: 0, out: 0 },
    };
    ring.push('data', 1, 1, 'out', 0, slab, 1, 3, 99, null);
    ring.push('open', 2, 1, null, 0, null, 0, 0, 96, info);
    return [new WeakRef(slab), new WeakRef(info)];
  })();
  ring.push('note', 1, 2, null, 0, null, 0, 0, 96, 'kept');
  assert.equal(ring.at(1)?.bytes?.toString(), 'ell');
  assert.equal(ring.dropOldest(), 99);
  assert.equal(ring.at(1), undefined);
  assert.equal(ring.droppedBytes, 3);
  ring.dropOldest();
  assert.equal(ring.at(3)?.info, 'kept');
  await new Promise((resolve) => setImmediate(resolve)); // WeakRefs hold until the job ends
  collectGarbage();
  assert.deepEqual(
    held.map((ref) => ref.deref()),
    [undefined, undefined],
    "nothing keeps a dropped record's buffer or info alive",
  );
  // Nothing else reads the dropped slots: the next records to land there start clean.
  for (let i = 0; i < 15; i++) ring.push('timeout', 1, 3 + i, null, 0, null, 0, 0, 96, null);
  const reused = ring.at(17);
  assert.equal(reused?.kind, 'timeout');
  assert.equal(reused?.bytes, null);
  assert.equal(reused?.info, null);
});
