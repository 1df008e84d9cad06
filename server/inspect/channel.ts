/**
 * One open inspector: replays what its session kept after the reader's `after`,
 * then sends new records as they come, batched, in seq order — one cursor for
 * both, so nothing is sent twice and nothing is skipped without a `dropped`
 * message saying how much.
 *
 * A slow reader is never buffered without bound: while the socket holds more
 * than `maxBufferedBytes` unsent, nothing more is queued; when it drains, the
 * cursor resumes where it was — or, if the ring has moved past it meanwhile,
 * after a `dropped` message. A reader stuck that way for `stallMs` is closed
 * with 1008; it can reconnect with `?after=<last seq it has>`.
 */
import type { WebSocket } from 'ws';
import type { CaptureSubscription, Forgotten } from '../capture/index.ts';
import { monoUs, serverTime } from '../capture/index.ts';
import type { Turns } from '../turns.ts';
import {
  binaryRecordsFrame,
  droppedFrame,
  encodedSize,
  encodeRecord,
  forgottenFrame,
  helloFrame,
  liveFrame,
  type ProtocolVersion,
  recordsFrame,
} from './protocol.ts';

/** A batch frame is closed at about this many bytes of JSON. */
const FRAME_BYTES = 256 * 1024;
/** A channel that sent nothing for this many `batchMs` sends the next record at once. */
const QUIET_BATCHES = 5;
/**
 * Batches in a row (no quiet spell between) after which the window grows to `sustainedBatchMs`:
 * a class pushing 10 times a second sends a learner's panel a few frames a second, not ten.
 */
const SUSTAINED_AFTER = 3;
/** Data bytes waiting that end a batch early: a fast stream must not outrun the ring meanwhile. */
const EAGER_BYTES = 64 * 1024;
/** How often a paused channel looks whether its reader caught up (ws has no 'drain' event). */
const DRAIN_CHECK_MS = 25;

export interface ChannelLimits {
  readonly captureBytesPerSession: number;
  readonly captureBytesTotal: number;
  readonly inspectorsPerSession: number;
  readonly batchMs: number;
  /** The batch window once records have kept coming for SUSTAINED_AFTER batches. */
  readonly sustainedBatchMs: number;
  readonly maxBufferedBytes: number;
  readonly stallMs: number;
}

/** Where the reader is: the last seq it has (0: none), of which capture (null: not said). */
export interface ResumeFrom {
  readonly after: number;
  readonly capture: string | null;
  /** This process took the session over from another one (the hello says so). */
  readonly moved: boolean;
  /** The protocol version the reader asked for (1 when it did not say). */
  readonly version?: ProtocolVersion;
}

export class InspectorChannel {
  private readonly ws: WebSocket;
  private readonly sub: CaptureSubscription;
  private readonly limits: ChannelLimits;
  private readonly version: ProtocolVersion;
  /** Seq of the next record to send. */
  private cursor: number;
  private live = false;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  /**
   * What `timer` waits for: the end of a batch, the reader to drain, nothing (an immediate), or
   * its turn (`queued`: due, and waiting behind other channels' frames in `turns`).
   */
  private waiting: 'batch' | 'drain' | 'now' | 'queued' = 'now';
  private readonly turns: Turns | null;
  /** `capturedBytes()` as of the last record sent. */
  private sentBytes = 0;
  private lastFlushUs = 0;
  /** Batches sent in a row without a quiet spell between. */
  private streak = 0;
  /** Monotonic µs since the reader has been too far behind, 0 when it is not. */
  private behindSinceUs = 0;
  private done = false;
  /** The store forgot the session's log (maxSessions): to tell the reader at the next flush. */
  private forgot: Forgotten | null = null;
  /** Set after a `forgotten` frame: the last seq the reader has of the old log, until a new log begins. */
  private restartAfter: number | null = null;
  /** Called once when the channel ends, whatever the reason. */
  onEnd: (() => void) | null = null;

  /**
   * `turns`: where a frame that comes due goes (server/turns.ts) — a class's channels batch the
   * same pushes and come due together; without it, each is sent when due.
   */
  constructor(
    ws: WebSocket,
    sub: CaptureSubscription,
    limits: ChannelLimits,
    from: ResumeFrom,
    turns: Turns | null = null,
  ) {
    this.ws = ws;
    this.turns = turns;
    this.sub = sub;
    this.limits = limits;
    this.version = from.version ?? 1;
    const { after, moved } = from;
    const last = sub.lastSeq();
    // The session began again (forgotten when idle, the server restarted, another process took it
    // over), so its seqs restarted: an `after` beyond the newest record says so, and so does the
    // reader's capture id when the new capture already went past its `after`. Start over.
    const sameCapture = after === 0 || from.capture === null || from.capture === sub.captureId;
    const continued = after <= last && sameCapture;
    this.cursor = (continued ? after : 0) + 1;
    this.hello(after, continued, moved === true);
    ws.on('close', () => this.end());
    this.flush();
  }

  /** `moved`: this process took the session over from another (said on the first hello only). */
  private hello(after: number, continued: boolean, moved = false): void {
    this.ws.send(
      helloFrame({
        v: this.version,
        session: this.sub.session,
        serverTime: serverTime(),
        limits: this.limits,
        firstSeq: this.sub.firstSeq(),
        lastSeq: this.sub.lastSeq(),
        resume: { after, continued },
        capture: this.sub.captureId,
        ...(moved ? { moved: true as const } : {}),
      }),
    );
  }

  /**
   * The store forgot this session's log to stay within `maxSessions` (every log was watched):
   * the reader is told at once (scheduled: this is called from inside the capture), keeps what
   * it shows, and gets a new hello (`continued: false`) before the session's next records.
   */
  forgotten(info: Forgotten): void {
    if (this.done) return;
    this.forgot = info;
    if (this.timer === null) {
      this.waiting = 'now';
      this.timer = setImmediate(this.due);
    }
  }

  /**
   * The session has new records: send them at once after a quiet spell (the first bytes of a
   * Run show without delay), else gather for `batchMs` first. A class push reaches a learner's
   * SSE, WebSocket and long poll, and the poll's next request follows: gathered, that is one
   * frame (one socket write) per push, not one per record.
   */
  wake(): void {
    if (this.done) return;
    if (this.timer !== null) {
      // A burst does not wait for the batch to end: the ring could drop it before it is sent.
      if (this.waiting === 'batch' && this.sub.capturedBytes() - this.sentBytes >= EAGER_BYTES) {
        clearTimeout(this.timer as NodeJS.Timeout);
        this.waiting = 'now';
        this.timer = setImmediate(this.due);
      }
      return;
    }
    const quietMs = QUIET_BATCHES * this.limits.batchMs;
    const sinceMs = (monoUs() - this.lastFlushUs) / 1000;
    if (sinceMs >= quietMs) {
      this.streak = 0;
      this.waiting = 'now';
      this.timer = setImmediate(this.due);
    } else {
      this.streak += 1;
      this.waiting = 'batch';
      const { batchMs, sustainedBatchMs } = this.limits;
      this.timer = setTimeout(
        this.due,
        this.streak > SUSTAINED_AFTER ? Math.max(batchMs, sustainedBatchMs) : batchMs,
      );
    }
  }

  /** Closes the channel with a code and a reason (≤ 123 bytes, RFC 6455 §5.5). */
  close(code: number, reason: string): void {
    if (this.done) return;
    this.ws.close(code, reason);
    // A reader that stopped reading will not take the close frame either: cut it soon after.
    setTimeout(() => this.ws.terminate(), 1_000).unref();
    this.end();
  }

  /** The timer is done: flush now, or in this channel's turn when frames come due in a herd. */
  private readonly due = (): void => {
    if (this.turns === null) {
      this.flushNow();
      return;
    }
    this.waiting = 'queued'; // `timer` stays set: wake() and forgotten() leave it to the flush
    this.turns.run(this.flushNow);
  };

  private readonly flushNow = (): void => {
    this.timer = null;
    this.flush();
  };

  /** Sends what is due, as far as the reader keeps up. */
  private flush(): void {
    if (this.done) return;
    this.lastFlushUs = monoUs();
    const sub = this.sub;
    if (this.forgot !== null) {
      this.ws.send(forgottenFrame(this.forgot));
      this.restartAfter = this.cursor - 1;
      this.cursor = 1;
      this.sentBytes = 0;
      this.forgot = null;
    }
    if (this.restartAfter !== null && sub.lastSeq() >= 1) {
      // The session began a new log: a reader must start over, as after any forgotten session.
      this.hello(this.restartAfter, false);
      this.restartAfter = null;
    }
    for (;;) {
      if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
        this.behind();
        return;
      }
      this.behindSinceUs = 0;
      const first = sub.firstSeq();
      if (this.cursor < first) {
        this.ws.send(droppedFrame(sub.missedAfter(this.cursor - 1), first));
        this.cursor = first;
      }
      const last = sub.lastSeq();
      if (this.cursor > last) break;
      const version = this.version;
      const batch: string[] = [];
      const payloads: Buffer[] = [];
      let size = 0;
      while (this.cursor <= last && size < FRAME_BYTES) {
        const record = sub.at(this.cursor)!;
        batch.push(encodeRecord(record, version));
        if (version !== 1 && record.kind === 'data') payloads.push(record.bytes!);
        size += encodedSize(record, version);
        this.sentBytes = record.cum;
        this.cursor += 1;
      }
      if (version === 1) this.ws.send(recordsFrame(batch));
      else this.ws.send(binaryRecordsFrame(batch, payloads), { binary: true });
    }
    if (!this.live) {
      this.live = true;
      this.ws.send(liveFrame(this.cursor - 1));
    }
  }

  /** The reader is too far behind: wait for it, and give up after `stallMs`. */
  private behind(): void {
    const now = monoUs();
    if (this.behindSinceUs === 0) this.behindSinceUs = now;
    if (now - this.behindSinceUs > this.limits.stallMs * 1000) {
      this.close(1008, 'inspector fell behind; reconnect with ?after=<last seq you have> to resume');
      return;
    }
    if (this.timer === null) {
      this.waiting = 'drain';
      this.timer = setTimeout(this.due, DRAIN_CHECK_MS);
    }
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== null) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
    this.sub.close();
    this.onEnd?.();
  }
}
