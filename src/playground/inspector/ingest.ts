/**
 * Feeds channel messages to the model a few milliseconds at a time.
 *
 * The server sends records in batches of up to 256 KB, and decoding one record (base64, then
 * the dissector) costs tens to hundreds of microseconds: a batch applied in one go would hold
 * the main thread — and the learner's typing in the editor — for a noticeable moment. Here each
 * slice stops after `budgetMs` and yields (a MessageChannel task, so input events get their
 * turn in between), and the panel hears after each slice so it can render once per frame.
 */
import type { CaptureRecord, ChannelMessage } from './protocol.ts';

export interface IngestTarget {
  /** Applies a message that is not a batch of records (hello, dropped, live). */
  message(m: ChannelMessage): void;
  /** Applies one record. */
  record(r: CaptureRecord): void;
  /** A slice ended; `backlog` records still wait. */
  progress(backlog: number): void;
}

export class Ingest {
  private readonly queue: ChannelMessage[] = [];
  /** Next record of the batch at the head of the queue. */
  private at = 0;
  private scheduled = false;
  private stopped = false;
  private readonly channel = new MessageChannel();
  private readonly target: IngestTarget;
  private readonly budgetMs: number;
  /** Records received but not applied yet. */
  backlog = 0;

  constructor(target: IngestTarget, budgetMs = 6) {
    this.target = target;
    this.budgetMs = budgetMs;
    this.channel.port1.onmessage = () => this.run();
  }

  push(m: ChannelMessage): void {
    if (this.stopped) return;
    this.queue.push(m);
    if (m.type === 'records') this.backlog += m.records.length;
    this.kick();
  }

  private kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    this.channel.port2.postMessage(null);
  }

  private run(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const end = performance.now() + this.budgetMs;
    let n = 0;
    outer: while (this.queue.length > 0) {
      const m = this.queue[0]!;
      if (m.type !== 'records') {
        this.target.message(m);
        this.queue.shift();
        continue;
      }
      const records = m.records;
      while (this.at < records.length) {
        this.target.record(records[this.at++]!);
        this.backlog--;
        // Reading the clock costs too: look every 16 records.
        if ((++n & 15) === 0 && performance.now() > end) break outer;
      }
      this.queue.shift();
      this.at = 0;
    }
    const head = this.queue[0];
    if (head?.type === 'records' && this.at >= head.records.length) {
      this.queue.shift();
      this.at = 0;
    }
    this.target.progress(this.backlog);
    if (this.queue.length > 0) this.kick();
  }

  /** Drops what is queued and stops. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.channel.port1.close();
  }
}
