/**
 * What one technique delivered to the learners of one process: how late each teacher message
 * arrived, which never arrived, which arrived twice.
 *
 * The teacher writes `bench <seq> <t0>` into every message, `t0` being its `process.hrtime` in ns
 * when it pushed. On Linux that clock is CLOCK_MONOTONIC, the same in every process on the machine,
 * so a learner process can subtract it from its own clock. `seq` 0 is a warm-up message: ignored.
 */
import { Histogram, type HistogramData } from './stats.ts';

export const TECHNIQUES = ['sse', 'ws', 'poll', 'class', 'inspector'] as const;
export type Technique = (typeof TECHNIQUES)[number];

/** Finds teacher messages in any text: SSE data lines, JSON, captured bytes. */
const MARK = /bench (\d+) (\d+)/g;

export const now = (): number => Number(process.hrtime.bigint());

/** The text every pushed message carries. */
export const markText = (seq: number): string => `bench ${seq} ${now()}`;

export interface DeliveryReport {
  /** Latency of messages that arrived on a connection that was open when they were pushed. */
  live: HistogramData;
  /** Latency of messages caught up after a reconnection (SSE `Last-Event-ID`, WebSocket `since`). */
  replayed: HistogramData;
  /** Distinct (learner, message) pairs received. */
  received: number;
  /** (learner, message) pairs never received. */
  missing: number;
  /** Learners missing at least one message. */
  learnersMissing: number;
  /** Messages received again by the same learner over the same technique. */
  duplicates: number;
  reconnects: number;
  /** Failed requests, refused handshakes, resets. */
  errors: number;
  /** Records the inspector announced as dropped (inspector only). */
  dropped: number;
  /** For a few learners that missed messages: which (`learner 12: 455-470, 601`). */
  missingSample: string[];
}

/** One technique's tally across the learners of this process. */
export class Delivery {
  readonly live = new Histogram();
  readonly replayed = new Histogram();
  private readonly seen = new Map<number, Uint8Array>();
  duplicates = 0;
  reconnects = 0;
  errors = 0;
  dropped = 0;
  private readonly expected: number;
  /** The inspector shows each message once per connection that carried it: only the first counts. */
  private readonly firstOnly: boolean;

  constructor(expected: number, firstOnly = false) {
    this.expected = expected;
    this.firstOnly = firstOnly;
  }

  /** Takes every teacher message found in `text`, received by `learner` now. `since` (ns): messages pushed earlier were replayed. */
  scan(learner: number, text: string, since = 0): void {
    if (!text.includes('bench ')) return;
    const at = now();
    let seen = this.seen.get(learner);
    if (!seen) {
      seen = new Uint8Array(this.expected + 1);
      this.seen.set(learner, seen);
    }
    for (const m of text.matchAll(MARK)) {
      const seq = Number(m[1]);
      if (seq === 0 || seq > this.expected) continue;
      if (seen[seq]) {
        if (!this.firstOnly) this.duplicates += 1;
        continue;
      }
      seen[seq] = 1;
      const t0 = Number(m[2]);
      (t0 < since ? this.replayed : this.live).record((at - t0) / 1e6);
    }
  }

  /** Learner ids this tally should have heard from (so a learner that never got a message counts). */
  report(learners: readonly number[], sent: number): DeliveryReport {
    let received = 0;
    let missing = 0;
    let learnersMissing = 0;
    const missingSample: string[] = [];
    for (const l of learners) {
      const seen = this.seen.get(l);
      let got = 0;
      if (seen) for (let s = 1; s <= sent; s++) got += seen[s] ?? 0;
      received += got;
      missing += sent - got;
      if (got < sent) {
        learnersMissing += 1;
        if (missingSample.length < 3) missingSample.push(`learner ${l}: ${gaps(seen, sent)}`);
      }
    }
    return {
      live: this.live.toJSON(),
      replayed: this.replayed.toJSON(),
      received,
      missing,
      learnersMissing,
      duplicates: this.duplicates,
      reconnects: this.reconnects,
      errors: this.errors,
      dropped: this.dropped,
      missingSample,
    };
  }
}

/** The seqs 1…sent not in `seen`, as ranges: `455-470, 601`. */
function gaps(seen: Uint8Array | undefined, sent: number): string {
  const out: string[] = [];
  let from = 0;
  for (let s = 1; s <= sent + 1; s++) {
    const missing = s <= sent && !seen?.[s];
    if (missing && from === 0) from = s;
    if (!missing && from !== 0) {
      out.push(from === s - 1 ? String(from) : `${from}-${s - 1}`);
      from = 0;
    }
  }
  return out.slice(0, 8).join(', ') + (out.length > 8 ? ', …' : '');
}
