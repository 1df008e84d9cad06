/**
 * One TCP connection, both directions: requests on 'in', responses on 'out', paired in order
 * (keep-alive, pipelining); after a 101 to WebSocket both directions switch to frames. Items come
 * out in arrival order as each completes, so a stream that never ends still shows live.
 */
import { ByteQueue } from './byte-queue.ts';
import type { Direction, Field } from './bytes.ts';
import { field } from './bytes.ts';
import { errorItem, wireError } from './errors.ts';
import { isEventStream } from './event-stream.ts';
import type { HttpMessage, HttpRequest } from './http-head.ts';
import { headerTokens, headerValues } from './http-head.ts';
import type { HttpHooks, Step } from './http-message.ts';
import { HttpDecoder } from './http-message.ts';
import type { WireLimits } from './limits.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { FrameDecoder } from './ws-frame.ts';
import type { HandshakeCheck } from './ws-handshake.ts';
import { checkHandshake, isWebSocketUpgrade } from './ws-handshake.ts';
import { MessageAssembler } from './ws-message.ts';
import { Undissected } from './undissected.ts';

export type Technique = 'http' | 'poll' | 'long-poll' | 'stream' | 'sse' | 'websocket';

/**
 * How a direction ended: `fin`, the sender's FIN; `rst`, a reset (RFC 9293 §3.10.7.4: nothing
 * more in either direction); `closed`, the socket was closed before anything more was seen
 * from that side (the server closed its socket first: the client's own FIN came too late).
 */
export type EndHow = 'fin' | 'rst' | 'closed';
const END_LABEL: Record<EndHow, string> = { fin: 'FIN', rst: 'RST', closed: 'closed' };

export interface ConnectionSummary {
  /** Method and request-target (as sent) of the first request. */
  method?: string;
  path?: string;
  /** Status of the first final response. */
  status?: number;
  technique: Technique;
  bytesIn: number;
  bytesOut: number;
  /** Requests seen. */
  exchanges: number;
  /** Items dropped to stay within maxItems. */
  droppedItems: number;
}

export interface ConnectionOptions {
  /** Shorthand for limits.maxItems. */
  maxItems?: number;
  limits?: Partial<WireLimits>;
}

/** What decodes one direction at a time: HTTP, then maybe WebSocket frames or nothing. */
interface Decoder {
  run(q: ByteQueue): Step;
  /** The stream ended (`how`); returns a note for the end item. */
  end(q: ByteQueue, t?: number, how?: EndHow): string | undefined;
}

interface DirectionState {
  readonly queue: ByteQueue;
  decoder: Decoder;
  bytes: number;
  ended: boolean;
  /** Time of the read being decoded. */
  now: number | undefined;
}

interface Pending {
  req: HttpRequest;
  /** The request decoder holds the bytes after it until this is answered (an upgrade request). */
  waiting: boolean;
  doneT?: number;
}

/** Dissects one connection; push each read/write as it happens, end() each direction at FIN. */
export class ConnectionDissector {
  /** Top-level items in arrival order (the oldest dropped past maxItems). */
  readonly items: Field[] = [];
  /** Called as each item completes. */
  onItem?: (item: Field) => void;
  /** Called when an emitted item changes: an HTTP message's bodyBytes/chunks/complete, an SSE event's CRLF. */
  onUpdate?: (item: Field) => void;
  private readonly limits: WireLimits;
  private readonly dirs: Record<Direction, DirectionState>;
  private readonly requestDecoder: HttpDecoder;
  private readonly pending: Pending[] = [];
  private requests = 0;
  private dropped = 0;
  private first: { method?: string; path?: string; status?: number } = {};
  private handshake: HandshakeCheck | undefined;
  private readonly seen = { websocket: false, sse: false, stream: false, longPoll: false, poll: false };
  private readonly paths = new Set<string>();

  constructor(opts: ConnectionOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    if (opts.maxItems !== undefined) this.limits.maxItems = opts.maxItems;
    const hooks = this.httpHooks();
    this.requestDecoder = new HttpDecoder('in', hooks, this.limits);
    const state = (decoder: Decoder): DirectionState => ({
      queue: new ByteQueue(),
      decoder,
      bytes: 0,
      ended: false,
      now: undefined,
    });
    this.dirs = { in: state(this.requestDecoder), out: state(new HttpDecoder('out', hooks, this.limits)) };
  }

  /** Decodes the next bytes read ('in') or written ('out') on the socket; `t` is their time in µs. */
  push(dir: Direction, bytes: Uint8Array, t?: number): void {
    const d = this.dirs[dir];
    d.bytes += bytes.length;
    if (d.ended || bytes.length === 0) return;
    // A copy: the caller may reuse its buffer (Node pools small Buffers).
    d.queue.push(new Uint8Array(bytes), t);
    d.now = t;
    this.pump(dir);
    if (d.queue.length > this.limits.maxPendingBytes) {
      const q = d.queue;
      const over = q.offset + this.limits.maxPendingBytes;
      const err = wireError(
        `more than ${this.limits.maxPendingBytes} bytes waiting undecoded`,
        over,
        over + 1,
      );
      this.emit(errorItem(dir, err, undefined, q.time));
      d.decoder = new Undissected(dir, (item) => this.emit(item), 'not dissected: too many bytes waiting');
      this.pump(dir);
    }
  }

  /**
   * That direction ended (`how`, FIN by default): ends a close-delimited body, reports what was
   * cut off, adds a 'fin' item labelled FIN, RST or closed.
   */
  end(dir: Direction, t?: number, how: EndHow = 'fin'): void {
    const d = this.dirs[dir];
    if (d.ended) return;
    d.ended = true;
    const note = d.decoder.end(d.queue, t, how);
    this.emit(field('fin', END_LABEL[how], dir, d.bytes, d.bytes, { note, t }));
  }

  /** Returns what the connection was: first request and status, technique, byte counts. */
  summary(): ConnectionSummary {
    const s = this.seen;
    const technique: Technique = s.websocket
      ? 'websocket'
      : s.sse
        ? 'sse'
        : s.longPoll
          ? 'long-poll'
          : s.stream
            ? 'stream'
            : s.poll
              ? 'poll'
              : 'http';
    return {
      ...this.first,
      technique,
      bytesIn: this.dirs.in.bytes,
      bytesOut: this.dirs.out.bytes,
      exchanges: this.requests,
      droppedItems: this.dropped,
    };
  }

  private emit(item: Field): void {
    this.items.push(item);
    if (this.items.length > this.limits.maxItems) {
      this.items.shift();
      this.dropped++;
    }
    this.onItem?.(item);
  }

  /** Runs the direction's decoder over its queue, following hand-overs (upgrade, stop). */
  private pump(dir: Direction): void {
    const d = this.dirs[dir];
    for (;;) {
      const decoder = d.decoder;
      const step = decoder.run(d.queue);
      if (step === 'stop') {
        d.decoder = new Undissected(
          dir,
          (item) => this.emit(item),
          'not dissected: a receiver stops at the protocol error above',
        );
      } else if (d.decoder === decoder) return;
    }
  }

  private httpHooks(): HttpHooks {
    return {
      emit: (item) => this.emit(item),
      update: (item) => {
        if (item.kind === 'http-response' && (item as HttpMessage).chunks >= 2) this.seen.stream = true;
        this.onUpdate?.(item);
      },
      head: (msg) => (msg.kind === 'http-request' ? this.requestHead(msg) : this.responseHead(msg)),
      headSent: (msg) => (msg.kind === 'http-response' ? this.afterResponseHead(msg) : 'body'),
      done: (msg) => {
        const p = this.pending.find((x) => x.req === msg);
        if (!p) return 'next';
        if (this.dirs.in.now !== undefined) p.doneT = this.dirs.in.now;
        // An upgrade (or CONNECT) request: what follows it depends on the answer.
        const upgrade =
          msg.kind === 'http-request' &&
          (msg.method === 'CONNECT' ||
            (headerValues(msg.headers, 'upgrade').length > 0 &&
              headerTokens(msg.headers, 'connection').includes('upgrade')));
        p.waiting = upgrade;
        return upgrade ? 'wait' : 'next';
      },
    };
  }

  private requestHead(req: HttpRequest): void {
    req.exchange = this.requests++;
    this.pending.push({ req, waiting: false });
    // Bounded: a client pipelining without end would otherwise grow this list forever.
    if (this.pending.length > this.limits.maxUnanswered) this.pending.shift();
    this.first.method ??= req.method;
    this.first.path ??= req.target;
    // The same resource asked for again on one connection: polling.
    const key = `${req.method} ${req.target.split('?')[0]}`;
    if (this.paths.has(key)) this.seen.poll = true;
    else if (this.paths.size < 64) this.paths.add(key);
  }

  private responseHead(res: HttpMessage): void {
    if (res.kind !== 'http-response') return;
    const p = this.pending[0];
    if (p) {
      res.exchange = p.req.exchange;
      res.requestMethod = p.req.method;
      const lastEventId = headerValues(p.req.headers, 'last-event-id')[0];
      if (lastEventId !== undefined) res.requestLastEventId = lastEventId;
      if (p.doneT !== undefined && res.t !== undefined && res.t - p.doneT >= this.limits.longPollMicros)
        this.seen.longPoll = true;
    }
    if (res.status >= 200 || res.status === 101) this.first.status ??= res.status;
    if (isEventStream(res.headers)) this.seen.sse = true;
    this.handshake = undefined;
    if (res.status === 101 && p && isWebSocketUpgrade(p.req.headers) && isWebSocketUpgrade(res.headers)) {
      this.handshake = checkHandshake(p.req, res);
    }
  }

  private afterResponseHead(res: HttpMessage): 'body' | 'switch' {
    if (res.kind !== 'http-response') return 'body';
    if (res.framing === 'close') this.seen.stream = true;
    if (res.status < 200 && res.status !== 101) return 'body';
    const p = this.pending.shift();
    for (const { dir, error } of this.handshake?.errors ?? [])
      this.emit(errorItem(dir, error, undefined, res.t));
    if (res.status === 101 || (p?.req.method === 'CONNECT' && res.status < 300)) {
      this.switchProtocols(res.status === 101 && isWebSocketUpgrade(res.headers), res.exchange);
      return 'switch';
    }
    if (p?.waiting && this.dirs.in.decoder === this.requestDecoder) {
      p.waiting = false;
      this.requestDecoder.resume();
      this.pump('in');
    }
    return 'body';
  }

  /** After a 101 (or a 2xx to CONNECT): both directions carry WebSocket frames, or something not dissected. */
  private switchProtocols(websocket: boolean, exchange: number | undefined): void {
    const emit = (item: Field) => this.emit(item);
    const inStopped = this.dirs.in.decoder !== this.requestDecoder;
    if (websocket) {
      this.seen.websocket = true;
      const deflate = this.handshake?.deflate;
      const assembler = (dir: Direction, fresh: boolean | undefined) =>
        new MessageAssembler(dir, this.limits, deflate ? { fresh: fresh === true } : undefined, exchange);
      this.dirs.out.decoder = new FrameDecoder(
        'out',
        emit,
        assembler('out', deflate?.serverNoContextTakeover),
        exchange,
      );
      if (!inStopped)
        this.dirs.in.decoder = new FrameDecoder(
          'in',
          emit,
          assembler('in', deflate?.clientNoContextTakeover),
          exchange,
        );
    } else {
      const reason = 'not dissected: the connection switched to another protocol';
      this.dirs.out.decoder = new Undissected('out', emit, reason);
      if (!inStopped) this.dirs.in.decoder = new Undissected('in', emit, reason);
    }
    if (!inStopped && !this.dirs.in.ended) this.pump('in');
  }
}
