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
  private slab: Buffer | null = null;
  private used = 0;
  private nextSize = FIRST_SLAB;

  /** Returns a copy of `chunk[start, end)` that lives in this arena. */
  copy(chunk: Buffer, start: number, end: number): Buffer {
    const kept = this.alloc(end - start);
    chunk.copy(kept, 0, start, end);
    return kept;
  }

  /** Returns `n` uninitialised bytes in this arena, to be filled (sessions that write little get small slabs). */
  alloc(n: number): Buffer {
    let slab = this.slab;
    if (slab === null || this.used + n > slab.length) {
      slab = Buffer.allocUnsafeSlow(Math.max(this.nextSize, n));
      this.slab = slab;
      this.used = 0;
      this.nextSize = Math.min(this.nextSize * 2, LAST_SLAB);
    }
    const kept = slab.subarray(this.used, this.used + n);
    this.used += n;
    return kept;
  }
}
