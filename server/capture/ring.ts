/**
 * One session's records, oldest first, with what was dropped counted.
 *
 * Kept as columns, not objects: a class of 300 keeps ≈ 165,000 records at the plateau, and as
 * objects each was a record and a Buffer view in the V8 heap (≈ 240 B, two objects the collector
 * copied out of the young generation and then marked on every full collection). Here a record is
 * one slot across three typed arrays over one ArrayBuffer, plus two pointers (its payload's
 * buffer, shared by many records, and its info, mostly null): ≈ 54 B, outside the heap but for
 * the pointers. `at()` makes a record object for a reader when it asks; it dies young.
 *
 * Seqs are consecutive, so finding a record by seq is arithmetic (slot = seq mod capacity, a
 * power of two), and "what did a reader who has everything up to seq N miss" is exact: the
 * records are the seqs between N and the oldest kept; their data bytes come from a small table
 * of the running byte count at each recently dropped seq.
 */
import {
  type CaptureRecord,
  type CloseInfo,
  type Direction,
  KeptRecord,
  type OpenInfo,
  type RecordKind,
} from './records.ts';

/** Dropped seqs whose running byte count is remembered (8 KiB of Float64). */
const TOMBSTONES = 1024;

/** Slots a ring starts with, and never shrinks below. */
const MIN_SLOTS = 16;

const KINDS: readonly RecordKind[] = ['open', 'data', 'end', 'close', 'timeout', 'note', 'moved', 'rejoined'];
const KIND_CODE: Readonly<Record<RecordKind, number>> = {
  open: 0,
  data: 1,
  end: 2,
  close: 3,
  timeout: 4,
  note: 5,
  moved: 6,
  rejoined: 7,
};
const DIRS: readonly (Direction | null)[] = [null, 'in', 'out'];

// Columns per slot (54 B with the two pointers). F64: t, off, cum, charge. U32: conn, start, size. U8: kind, dir.
const F64 = 4;
const U32 = 3;
const U8 = 2;

/** What a reader missed because it was dropped. */
export interface Missed {
  readonly records: number;
  /** Data bytes in those records. */
  readonly bytes: number;
  /** False when the gap began too long ago to count exactly: `bytes` is then a lower bound. */
  readonly exact: boolean;
}

const NOTHING_MISSED: Missed = { records: 0, bytes: 0, exact: true };

export class RecordRing {
  private slots = 0;
  private mask = 0;
  private f64 = new Float64Array(0);
  private u32 = new Uint32Array(0);
  private u8 = new Uint8Array(0);
  /** Per slot: the buffer holding a data record's bytes (`store[start, start + size)`), else null. */
  private stores: (Buffer | null)[] = [];
  /** Per slot: open's OpenInfo, close's CloseInfo, a note's text, else null. */
  private infos: (OpenInfo | CloseInfo | string | null)[] = [];
  /** Running data-byte count (`cum`) of recently dropped seqs, indexed by seq % TOMBSTONES. */
  private tombstones: Float64Array | null = null;
  /** Seq of the oldest record kept (equals `nextSeq` when empty). */
  firstSeq = 1;
  /** Seq the next record will get. */
  nextSeq = 1;
  /** Memory charged for the records kept (see CaptureRecord.charge), plus the tombstone table. */
  charge = 0;
  /** Data bytes ever appended. */
  cum = 0;
  droppedRecords = 0;
  droppedBytes = 0;

  constructor() {
    this.resize(MIN_SLOTS);
  }

  /** Slots the columns have room for (a power of two, at least `length`). */
  get capacity(): number {
    return this.slots;
  }

  /** Number of records kept. */
  get length(): number {
    return this.nextSeq - this.firstSeq;
  }

  /**
   * Appends a record as `nextSeq`; returns its seq. `store[start, start + size)` are a data
   * record's bytes (null and 0, 0 for other kinds); the ring keeps a reference to `store`.
   */
  push(
    kind: RecordKind,
    conn: number,
    t: number,
    dir: Direction | null,
    off: number,
    store: Buffer | null,
    start: number,
    size: number,
    charge: number,
    info: OpenInfo | CloseInfo | string | null,
  ): number {
    if (this.length === this.slots) this.resize(this.slots * 2);
    const seq = this.nextSeq;
    const slot = seq & this.mask;
    this.cum += size;
    const f = slot * F64;
    this.f64[f] = t;
    this.f64[f + 1] = off;
    this.f64[f + 2] = this.cum;
    this.f64[f + 3] = charge;
    const u = slot * U32;
    this.u32[u] = conn;
    this.u32[u + 1] = start;
    this.u32[u + 2] = size;
    this.u8[slot * U8] = KIND_CODE[kind];
    this.u8[slot * U8 + 1] = dir === null ? 0 : dir === 'in' ? 1 : 2;
    this.stores[slot] = store;
    this.infos[slot] = info;
    this.nextSeq = seq + 1;
    this.charge += charge;
    return seq;
  }

  /** Drops the oldest record; returns the memory charge it freed (0 when empty). */
  dropOldest(): number {
    if (this.length === 0) return 0;
    const seq = this.firstSeq;
    const slot = seq & this.mask;
    const charge = this.f64[slot * F64 + 3]!;
    const size = this.u32[slot * U32 + 2]!;
    this.stores[slot] = null; // the payload's buffer may be freed once no record holds it
    this.infos[slot] = null;
    if (this.tombstones === null) {
      this.tombstones = new Float64Array(TOMBSTONES);
      this.charge += TOMBSTONES * 8;
    }
    this.tombstones[seq % TOMBSTONES] = this.f64[slot * F64 + 2]!;
    this.firstSeq = seq + 1;
    this.charge -= charge;
    this.droppedRecords += 1;
    this.droppedBytes += size;
    // A ring that was large and is now mostly empty gives the room back (halving at a quarter
    // full, so a ring at the edge never resizes back and forth).
    if (this.slots > MIN_SLOTS && this.length * 4 <= this.slots) this.resize(this.slots / 2);
    return charge;
  }

  /** Returns the record with this seq, or undefined when it was dropped or does not exist yet. */
  at(seq: number): CaptureRecord | undefined {
    if (seq < this.firstSeq || seq >= this.nextSeq) return undefined;
    const slot = seq & this.mask;
    const f = slot * F64;
    const u = slot * U32;
    return new KeptRecord(
      seq,
      KINDS[this.u8[slot * U8]!]!,
      this.u32[u]!,
      this.f64[f]!,
      DIRS[this.u8[slot * U8 + 1]!]!,
      this.f64[f + 1]!,
      this.stores[slot] ?? null,
      this.u32[u + 1]!,
      this.u32[u + 2]!,
      this.f64[f + 2]!,
      this.f64[f + 3]!,
      this.infos[slot] ?? null,
    );
  }

  /** Returns what a reader holding every record up to and including `after` lost to dropping. */
  missedAfter(after: number): Missed {
    const lastDropped = this.firstSeq - 1;
    if (after >= lastDropped) return NOTHING_MISSED;
    const records = lastDropped - after;
    if (after <= 0) return { records, bytes: this.droppedBytes, exact: true };
    // `droppedBytes` is the running count at lastDropped: drops only ever take the oldest.
    const oldestRemembered = Math.max(1, lastDropped - TOMBSTONES + 1);
    const exact = after >= oldestRemembered;
    const from = exact ? after : oldestRemembered;
    const cumThere = this.tombstones?.[from % TOMBSTONES] ?? 0;
    return { records, bytes: this.droppedBytes - cumThere, exact };
  }

  /** Moves the records kept into `slots` slots (a power of two, at least `length`). */
  private resize(slots: number): void {
    const bytes = new ArrayBuffer(slots * (F64 * 8 + U32 * 4 + U8));
    const f64 = new Float64Array(bytes, 0, slots * F64);
    const u32 = new Uint32Array(bytes, slots * F64 * 8, slots * U32);
    const u8 = new Uint8Array(bytes, slots * (F64 * 8 + U32 * 4), slots * U8);
    const stores = new Array<Buffer | null>(slots).fill(null);
    const infos = new Array<OpenInfo | CloseInfo | string | null>(slots).fill(null);
    const mask = slots - 1;
    for (let seq = this.firstSeq; seq < this.nextSeq; seq++) {
      const from = seq & this.mask;
      const to = seq & mask;
      for (let k = 0; k < F64; k++) f64[to * F64 + k] = this.f64[from * F64 + k]!;
      for (let k = 0; k < U32; k++) u32[to * U32 + k] = this.u32[from * U32 + k]!;
      for (let k = 0; k < U8; k++) u8[to * U8 + k] = this.u8[from * U8 + k]!;
      stores[to] = this.stores[from] ?? null;
      infos[to] = this.infos[from] ?? null;
    }
    this.slots = slots;
    this.mask = mask;
    this.f64 = f64;
    this.u32 = u32;
    this.u8 = u8;
    this.stores = stores;
    this.infos = infos;
  }
}
