/**
 * Bytes that are counted but not decoded: the rest of a direction after a protocol error (a real
 * receiver stops there too), or a tunnel after a switch to a protocol we do not dissect.
 */
import type { ByteQueue } from './byte-queue.ts';
import type { Direction, Field } from './bytes.ts';
import { byteCount, field } from './bytes.ts';
import type { Step } from './http-message.ts';

/** Swallows a direction's bytes; at FIN emits one 'unparsed' item covering them, with the reason. */
export class Undissected {
  private start = -1;
  private t: number | undefined;
  private readonly dir: Direction;
  private readonly emit: (item: Field) => void;
  private readonly reason: string;

  constructor(dir: Direction, emit: (item: Field) => void, reason: string) {
    this.dir = dir;
    this.emit = emit;
    this.reason = reason;
  }

  /** Consumes everything queued; always returns 'more'. */
  run(q: ByteQueue): Step {
    if (q.length > 0 && this.start < 0) {
      this.start = q.offset;
      this.t = q.time;
    }
    while (q.length > 0) q.take(q.length);
    return 'more';
  }

  /** Emits the 'unparsed' item, if any bytes came; returns no FIN note. */
  end(q: ByteQueue): undefined {
    if (this.start >= 0) {
      const n = q.offset - this.start;
      this.emit(
        field('unparsed', `${byteCount(n)} not dissected`, this.dir, this.start, q.offset, {
          note: this.reason,
          t: this.t,
        }),
      );
    }
    return undefined;
  }
}
