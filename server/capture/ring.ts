/**
 * One session's records, oldest first, with what was dropped counted.
 *
 * Seqs are consecutive, so finding a record by seq is arithmetic, and "what did
 * a reader who has everything up to seq N miss" is exact: the records are the
 * seqs between N and the oldest kept; their data bytes come from a small table
 * of the running byte count at each recently dropped seq.
 */
import type { CaptureRecord } from './records.ts';

/** Dropped seqs whose running byte count is remembered (8 KiB of Float64). */
const TOMBSTONES = 1024;

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
  private records: (CaptureRecord | undefined)[] = [];
  private head = 0;
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

  /** Number of records kept. */
  get length(): number {
    return this.nextSeq - this.firstSeq;
  }

  /** Appends a record whose seq must be `nextSeq`. */
  push(record: CaptureRecord): void {
    this.records.push(record);
    this.nextSeq = record.seq + 1;
    this.cum = record.cum;
    this.charge += record.charge;
  }

  /** Drops the oldest record; returns the memory charge it freed (0 when empty). */
  dropOldest(): number {
    const record = this.records[this.head];
    if (record === undefined) return 0;
    this.records[this.head] = undefined;
    this.head += 1;
    if (this.head >= 1024 && this.head * 2 >= this.records.length) {
      this.records = this.records.slice(this.head); // amortised O(1): copies at most what was dropped
      this.head = 0;
    }
    if (this.tombstones === null) {
      this.tombstones = new Float64Array(TOMBSTONES);
      this.charge += TOMBSTONES * 8;
    }
    this.tombstones[record.seq % TOMBSTONES] = record.cum;
    this.firstSeq = record.seq + 1;
    this.charge -= record.charge;
    this.droppedRecords += 1;
    this.droppedBytes += record.bytes === null ? 0 : record.bytes.length;
    return record.charge;
  }

  /** Returns the record with this seq, or undefined when it was dropped or does not exist yet. */
  at(seq: number): CaptureRecord | undefined {
    if (seq < this.firstSeq || seq >= this.nextSeq) return undefined;
    return this.records[this.head + (seq - this.firstSeq)];
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
}
