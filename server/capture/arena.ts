/**
 * Where a session keeps small captured payloads: copied into slabs that belong
 * to that session alone.
 *
 * Why not keep the Buffers Node hands us? Small ones are views into shared
 * 64 KiB pools (`Buffer.poolSize` on Node 24; the CRLF of every HTTP chunk, a
 * WebSocket frame header), so keeping a 2-byte view would keep 64 KiB alive and
 * the per-session cap would count the 2 bytes. And `Buffer.allocUnsafeSlow` per
 * small payload costs ~1 µs (measured). Slabs are filled in capture order and
 * records are dropped oldest first, so a slab is freed soon after its last
 * record goes: at most two slabs per session are partly dead weight.
 */

const FIRST_SLAB = 1024;
const LAST_SLAB = 16 * 1024;

/** Payloads up to this many bytes are copied into the arena when they are views of bigger memory. */
export const ARENA_MAX_COPY = 4 * 1024;

/** Most memory an arena can hold beyond the bytes it was asked to keep (a part-used slab at each end). */
export const ARENA_SLACK = 2 * LAST_SLAB;

export class ByteArena {
  /** The slab being filled: the one the last `reserve` or `copy` placed its bytes in. */
  slab: Buffer = Buffer.alloc(0);
  private used = 0;
  private nextSize = FIRST_SLAB;

  /** Copies `chunk[start, end)` into this arena; returns where it went in `slab`. */
  copy(chunk: Buffer, start: number, end: number): number {
    const at = this.reserve(end - start);
    chunk.copy(this.slab, at, start, end);
    return at;
  }

  /**
   * Sets `n` uninitialised bytes aside, to be filled; returns their offset in `slab`. Sessions
   * that write little get small slabs. Offsets, not views: a Buffer view per record was ≈ 100 B
   * of heap each, kept as long as the record.
   */
  reserve(n: number): number {
    if (this.used + n > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(Math.max(this.nextSize, n));
      this.used = 0;
      this.nextSize = Math.min(this.nextSize * 2, LAST_SLAB);
    }
    const at = this.used;
    this.used += n;
    return at;
  }
}
