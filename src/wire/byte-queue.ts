/**
 * The bytes of one direction that arrived but are not decoded yet, as the chunks they came in
 * (the `_buffers` of ws's Receiver). Decoders take exactly what they need with `consume(n)` and
 * wait for the next push when it is not there yet.
 */
export class ByteQueue {
  private readonly chunks: Uint8Array[] = [];
  private readonly times: Array<number | undefined> = [];
  /** Bytes of chunks[0] already consumed. */
  private head = 0;
  /** Unread bytes. */
  length = 0;
  /** Absolute offset (in this direction's stream) of the first unread byte. */
  offset = 0;

  /** Appends a read; `t` is its time, kept for the items that start in it. */
  push(bytes: Uint8Array, t?: number): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.times.push(t);
    this.length += bytes.length;
  }

  /** Returns the time of the read that carried the first unread byte. */
  get time(): number | undefined {
    return this.times[0];
  }

  /** Returns the unread byte `i` positions ahead (i < length). */
  byteAt(i: number): number {
    let at = i + this.head;
    for (const chunk of this.chunks) {
      if (at < chunk.length) return chunk[at]!;
      at -= chunk.length;
    }
    throw new RangeError(`byteAt(${i}) past the ${this.length} queued bytes`);
  }

  /** Returns how far ahead of the first unread byte the first `byte` at or after `from` is, or -1. */
  indexOf(byte: number, from = 0): number {
    let base = -this.head;
    for (const chunk of this.chunks) {
      const lo = from - base;
      if (lo < chunk.length) {
        const i = chunk.indexOf(byte, Math.max(lo, 0));
        if (i >= 0) return base + i;
      }
      base += chunk.length;
    }
    return -1;
  }

  /** Removes and returns the next n bytes (n ≤ length): a view when they lie in one chunk, else a copy. */
  consume(n: number): Uint8Array {
    if (n > this.length) throw new RangeError(`consume(${n}) with ${this.length} queued bytes`);
    this.length -= n;
    this.offset += n;
    const first = this.chunks[0];
    if (!first || n === 0) return new Uint8Array(0);
    if (n <= first.length - this.head) {
      const out = first.subarray(this.head, this.head + n);
      this.head += n;
      if (this.head === first.length) this.dropFirst();
      return out;
    }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const chunk = this.chunks[0]!;
      const take = Math.min(n - at, chunk.length - this.head);
      out.set(chunk.subarray(this.head, this.head + take), at);
      at += take;
      this.head += take;
      if (this.head === chunk.length) this.dropFirst();
    }
    return out;
  }

  /** Removes and returns up to `max` bytes from the first queued chunk (a view, no copy). */
  take(max: number): Uint8Array {
    const first = this.chunks[0];
    if (!first || max <= 0) return new Uint8Array(0);
    const n = Math.min(max, first.length - this.head);
    const out = first.subarray(this.head, this.head + n);
    this.head += n;
    this.length -= n;
    this.offset += n;
    if (this.head === first.length) this.dropFirst();
    return out;
  }

  private dropFirst(): void {
    this.chunks.shift();
    this.times.shift();
    this.head = 0;
  }
}
