/**
 * The bytes of one direction of one connection, as the inspector keeps them for display.
 *
 * Bytes arrive as captured reads and writes, each at an absolute offset in its direction's
 * stream. The store keeps the newest `cap` bytes (whole chunks are dropped from the front, so
 * it never copies), remembers how many older bytes it let go, and notes gaps: bytes the server
 * says were sent but that never reached us (its capture ring dropped them, or we resumed late).
 */

interface Chunk {
  readonly off: number;
  readonly bytes: Uint8Array;
}

export class ByteStore {
  /** Most bytes kept; older chunks are dropped first. */
  readonly cap: number;
  private readonly chunks: Chunk[] = [];
  private head = 0; // index of the first live chunk in `chunks` (dropping is O(1))
  private keptBytes = 0;
  /** Offset one past the last byte seen (the stream's length so far). */
  end = 0;
  /** Bytes before the first kept one that we dropped to stay under `cap`. */
  droppedBytes = 0;
  /** Bytes that never arrived (gaps between one record and the next). */
  missingBytes = 0;

  constructor(cap: number) {
    this.cap = cap;
  }

  /** Offset of the first byte still kept (equals `end` when nothing is kept). */
  get start(): number {
    const first = this.chunks[this.head];
    return first ? first.off : this.end;
  }

  /** Bytes currently kept. */
  get size(): number {
    return this.keptBytes;
  }

  /**
   * Adds bytes captured at offset `off`. Returns the part that is new (bytes before `end`
   * were already seen: a replay after resuming), or null when nothing is.
   * A jump past `end` is counted as missing.
   */
  append(off: number, bytes: Uint8Array): { off: number; bytes: Uint8Array; gap: number } | null {
    let at = off;
    let data = bytes;
    if (at + data.length <= this.end) return null;
    if (at < this.end) {
      data = data.subarray(this.end - at);
      at = this.end;
    }
    const gap = at - this.end;
    this.missingBytes += gap;
    this.chunks.push({ off: at, bytes: data });
    this.keptBytes += data.length;
    this.end = at + data.length;
    this.trim();
    return { off: at, bytes: data, gap };
  }

  /** Drops whole chunks from the front while over the cap; always keeps the newest chunk. */
  private trim(): void {
    while (this.keptBytes > this.cap && this.chunks.length - this.head > 1) {
      const first = this.chunks[this.head]!;
      this.keptBytes -= first.bytes.length;
      this.droppedBytes += first.bytes.length;
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Index of the chunk holding `off`, or -1 when that byte is not kept. */
  private find(off: number): number {
    let lo = this.head;
    let hi = this.chunks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = this.chunks[mid]!;
      if (off < c.off) hi = mid - 1;
      else if (off >= c.off + c.bytes.length) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** Whether the byte at `off` is kept. */
  has(off: number): boolean {
    return this.find(off) !== -1;
  }

  /** The byte at `off`, or -1 when it is not kept (dropped, missing or not yet seen). */
  byteAt(off: number): number {
    const i = this.find(off);
    if (i === -1) return -1;
    const c = this.chunks[i]!;
    return c.bytes[off - c.off]!;
  }

  /**
   * Bytes in [from, to): a copy when they span chunks, a view when they do not.
   * Bytes that are not kept read as nothing: the result may be shorter than asked, and
   * starts at the first kept offset ≥ from.
   */
  slice(from: number, to: number): Uint8Array {
    const a = Math.max(from, this.start);
    const b = Math.min(to, this.end);
    if (b <= a) return new Uint8Array(0);
    let i = this.find(a);
    if (i === -1) {
      // `a` fell in a gap: start at the next chunk after it.
      i = this.head;
      while (i < this.chunks.length && this.chunks[i]!.off + this.chunks[i]!.bytes.length <= a) i++;
    }
    const first = this.chunks[i];
    if (!first) return new Uint8Array(0);
    if (b <= first.off + first.bytes.length && a >= first.off) {
      return first.bytes.subarray(a - first.off, b - first.off);
    }
    const parts: Uint8Array[] = [];
    let total = 0;
    for (; i < this.chunks.length; i++) {
      const c = this.chunks[i]!;
      if (c.off >= b) break;
      const s = Math.max(a, c.off) - c.off;
      const e = Math.min(b, c.off + c.bytes.length) - c.off;
      if (e > s) {
        parts.push(c.bytes.subarray(s, e));
        total += e - s;
      }
    }
    const out = new Uint8Array(total);
    let p = 0;
    for (const part of parts) {
      out.set(part, p);
      p += part.length;
    }
    return out;
  }

  /** Every kept chunk, oldest first (for exports). */
  *kept(): Iterable<Chunk> {
    for (let i = this.head; i < this.chunks.length; i++) yield this.chunks[i]!;
  }
}
