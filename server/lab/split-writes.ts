/**
 * `stream?split=…`: the stream's bytes re-cut at arbitrary positions, the way TCP segments,
 * proxies and the browser's reads cut them in the wild. RFC 9112 §7.1 lets chunk boundaries fall
 * anywhere (a chunk is bytes, not lines or characters), and so may any read of the body: a piece
 * can end in the middle of a line, and in the middle of a UTF-8 character.
 *
 * Each piece is written on its own, `splitGapMs` after the one before, so it leaves as one chunk
 * (`6\r\n{"succ\r\n`) and the browser reads it as one; without the pause, pieces written together
 * would be read together and the cuts would never show in the page.
 */
import type { ServerResponse } from 'node:http';
import { fnv1a, mulberry32 } from './prng.ts';

/** `random`, or piece sizes in bytes, taken in turn: `7` or `5,11,3` (at most 8 sizes of 1–9999). */
export const SPLIT_PATTERN = /^(random|[1-9]\d{0,3}(,[1-9]\d{0,3}){0,7})$/;
export const SPLIT_EXPECTS =
  '"random", or 1 to 8 piece sizes in bytes from 1 to 9999, comma-separated (e.g. 7 or 5,11,3)';

/**
 * Largest piece of `split=random`: a line of the classic stream (~45 bytes) goes in about ten, so
 * in nine lines some cut is all but sure to fall inside one of their multi-byte characters.
 */
const RANDOM_PIECE_MAX = 8;

/** The size of each next piece: drawn from a PRNG seeded by `seed` (`random`), or the listed sizes in turn. */
export function pieceSizes(split: string, seed: string): () => number {
  if (split === 'random') {
    const random = mulberry32(fnv1a(seed));
    return () => 1 + Math.floor(random() * RANDOM_PIECE_MAX);
  }
  const sizes = split.split(',').map(Number);
  let i = 0;
  return () => sizes[i++ % sizes.length]!;
}

export interface SplitWriter {
  /** Queues `text` to go out in pieces; `sent` runs once its last byte has been handed to the socket. */
  write(text: string | Buffer, sent?: () => void): void;
  /** Bytes queued, not yet written: they count against `maxBufferedBytes` like Node's own queue. */
  readonly queued: number;
  /** Runs `then` once every queued piece is out (at once when none is). */
  drain(then: () => void): void;
  /** Writes everything queued now, in one piece (the stream ends for a bound: no time to cut). */
  flush(): void;
  /** Forgets the queue (the connection is gone). */
  stop(): void;
}

/** Cuts what is written to `res` into pieces of `next()` bytes, one every `gapMs`. */
export function splitWrites(res: ServerResponse, next: () => number, gapMs: number): SplitWriter {
  let queue: { bytes: Buffer; sent: (() => void) | undefined }[] = [];
  let queued = 0;
  let timer: NodeJS.Timeout | undefined;
  let drained: (() => void) | undefined;

  // One piece: the next `next()` bytes of the queue, across writes when one ends first, so a piece
  // may carry the end of one message and the start of the next. A piece never waits for bytes.
  const tick = (): void => {
    timer = undefined;
    let want = next();
    const parts: Buffer[] = [];
    const done: (() => void)[] = [];
    while (want > 0 && queue.length > 0) {
      const head = queue[0]!;
      const take = Math.min(want, head.bytes.length);
      parts.push(head.bytes.subarray(0, take));
      want -= take;
      if (take === head.bytes.length) {
        queue.shift();
        if (head.sent) done.push(head.sent);
      } else {
        head.bytes = head.bytes.subarray(take);
      }
    }
    const piece = Buffer.concat(parts);
    queued -= piece.length;
    res.write(piece, () => {
      for (const fn of done) fn();
    });
    schedule();
  };
  const schedule = (): void => {
    if (timer !== undefined) return;
    if (queue.length > 0) {
      timer = setTimeout(tick, gapMs);
      return;
    }
    const then = drained;
    drained = undefined;
    then?.();
  };

  return {
    write(text, sent) {
      const bytes = typeof text === 'string' ? Buffer.from(text) : text; // pieces are views: never written into
      if (bytes.length === 0) {
        sent?.();
        return;
      }
      queue.push({ bytes, sent });
      queued += bytes.length;
      schedule();
    },
    get queued() {
      return queued;
    },
    drain(then) {
      drained = then;
      if (queue.length === 0 && timer === undefined) schedule();
    },
    flush() {
      clearTimeout(timer);
      timer = undefined;
      const all = queue;
      queue = [];
      queued = 0;
      if (all.length > 0)
        res.write(Buffer.concat(all.map((q) => q.bytes)), () => {
          for (const q of all) q.sent?.();
        });
      schedule();
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
      queue = [];
      queued = 0;
      drained = undefined;
    },
  };
}
