/**
 * Where one HTTP/1.1 message ends and the next begins, on each direction of a
 * socket — so every captured byte can be given to the session of the request
 * (or response) it belongs to.
 *
 * Not a full parser: it reads request lines, status lines and the few headers
 * that decide framing (RFC 9112 §6: Content-Length, Transfer-Encoding, and
 * Upgrade/Connection for §7.8 protocol switches), counts body bytes, and skips
 * the rest. Incremental like `ws`'s receiver: a state per thing it waits for,
 * resumable at any split of the input. When the bytes make no sense it stops
 * attributing them to anyone ("blind") rather than guess: a guess could show
 * one session's bytes to another.
 */
import { BodyCounter, Framing, LineReader } from './http-framing.ts';

/** Who owns a byte: a session id, or null (site pages, the inspector, bytes we cannot place). */
export type Owner = string | null;

/** One request seen on a connection, paired in order with the response that answers it. */
export interface Exchange {
  readonly owner: Owner;
  readonly method: string;
}

/** Receives the attribution of each pushed chunk, in byte order. */
export interface RangeSink {
  /** Bytes [start, end) of the current chunk belong to `owner`. */
  bytes(owner: Owner, start: number, end: number): void;
  /** Bytes [start, end) begin a request line whose target is not complete yet: keep them aside. */
  hold(start: number, end: number): void;
  /** The bytes held so far belong to `owner`. */
  release(owner: Owner): void;
}

/** Returns the session a request target (`/lab/<session>/…`) belongs to, or null. */
export type OwnerOfTarget = (target: string) => Owner;

/** Requests pipelined ahead of their responses before we stop following the connection. */
const MAX_PENDING = 1024;

/** What a request direction waits for next. */
const S = { LINE: 0, HEADERS: 1, BODY: 2, TUNNEL: 3, BLIND: 4 } as const;

/**
 * Follows the client→server direction: request line, head, body; then the next
 * request. After an Upgrade or CONNECT request every later byte belongs to that
 * request's session (the server hands the socket over to the upgrade handler).
 */
export class RequestBoundaries {
  private state: number = S.LINE;
  private owner: Owner = null;
  private method = '';
  private holding = false;
  private readonly line = new LineReader();
  private readonly framing = new Framing();
  private readonly body = new BodyCounter();
  private readonly pending: Exchange[];
  private readonly ownerOf: OwnerOfTarget;

  constructor(pending: Exchange[], ownerOf: OwnerOfTarget) {
    this.pending = pending;
    this.ownerOf = ownerOf;
  }

  /** True when no later byte in this direction can belong to a session (nothing left to follow). */
  get silent(): boolean {
    return (this.state === S.TUNNEL || this.state === S.BLIND) && this.owner === null;
  }

  /** Returns the session of the request being received (or the tunnel), null if none. */
  get current(): Owner {
    return this.owner;
  }

  /** Attributes every byte of `chunk` through `sink`, in order. */
  push(chunk: Buffer, sink: RangeSink): void {
    const end = chunk.length;
    let pos = 0;
    let runStart = 0; // first byte not yet given to anyone
    while (pos < end) {
      if (this.state === S.LINE) {
        const next = this.line.read(chunk, pos);
        if (this.line.tooLong) {
          this.state = S.BLIND;
          this.owner = null;
          if (this.holding) sink.release(null);
          this.holding = false;
          continue;
        }
        if (next === -1) break; // the line goes on in the next chunk
        pos = next;
        const text = this.line.take();
        if (text === '') continue; // RFC 9112 §2.2: empty lines before a request line are ignored
        this.requestLine(text);
        if (this.holding) sink.release(this.owner);
        this.holding = false;
      } else if (this.state === S.HEADERS) {
        const whole = this.line.text === '' ? this.framing.wholeLine(chunk, pos) : -1;
        if (whole !== -1) {
          pos = whole;
          if (this.framing.ended && this.headComplete()) runStart = this.endMessage(sink, runStart, pos);
          continue;
        }
        const next = this.line.read(chunk, pos);
        if (this.line.tooLong) this.state = S.BLIND;
        else if (next === -1) pos = end;
        else {
          pos = next;
          const text = this.line.take();
          if (text !== '') this.framing.header(text);
          else if (this.headComplete()) runStart = this.endMessage(sink, runStart, pos);
        }
      } else if (this.state === S.BODY) {
        pos = this.body.consume(chunk, pos);
        if (this.body.failed) this.state = S.BLIND;
        else if (this.body.done) {
          this.state = S.LINE;
          runStart = this.endMessage(sink, runStart, pos);
        }
      } else {
        // TUNNEL keeps its owner to the end; BLIND gives what is left to nobody.
        if (this.state === S.BLIND && this.owner !== null) {
          runStart = this.endMessage(sink, runStart, pos);
          this.owner = null;
        }
        pos = end;
      }
    }
    if (runStart === end) return;
    if (this.state === S.LINE) {
      sink.hold(runStart, end); // the start of a request line: its session is not known yet
      this.holding = true;
    } else {
      sink.bytes(this.owner, runStart, end);
    }
  }

  /** Gives bytes [runStart, pos) to the current owner; returns `pos`, where the next run starts. */
  private endMessage(sink: RangeSink, runStart: number, pos: number): number {
    if (runStart < pos) sink.bytes(this.owner, runStart, pos);
    return pos;
  }

  /** Reads `METHOD SP request-target SP HTTP-version` (RFC 9112 §3) and queues the exchange. */
  private requestLine(text: string): void {
    const sp1 = text.indexOf(' ');
    const sp2 = text.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 <= sp1 + 1 || this.pending.length >= MAX_PENDING) {
      this.owner = null;
      this.state = S.BLIND;
      return;
    }
    this.method = text.slice(0, sp1);
    this.owner = this.ownerOf(text.slice(sp1 + 1, sp2));
    this.pending.push({ owner: this.owner, method: this.method });
    this.framing.reset();
    this.state = S.HEADERS;
  }

  /** Decides what follows a complete request head; returns true when the message ends with it. */
  private headComplete(): boolean {
    const f = this.framing;
    if (this.method === 'CONNECT' || (f.upgrade && f.connectionUpgrade)) {
      this.state = S.TUNNEL;
    } else if (f.bad || f.otherCoding || (f.chunked && f.contentLength !== -1)) {
      this.state = S.BLIND; // Node answers 400 and closes; what follows the head is nobody's
    } else if (f.chunked) {
      this.body.chunkedBody();
      this.state = S.BODY;
    } else if (f.contentLength > 0) {
      this.body.fixed(f.contentLength);
      this.state = S.BODY;
    } else {
      this.state = S.LINE; // RFC 9112 §6.3: a request with neither header has no body
      return true;
    }
    return false;
  }
}

/** What a response direction waits for next. */
const R = { STATUS: 0, STATUS_LINE: 1, HEADERS: 2, BODY: 3, TO_CLOSE: 4 } as const;

/**
 * Follows the server→client direction. Each response belongs to the oldest
 * request still waiting (responses come in request order, RFC 9112 §9.3.2);
 * interim 1xx responses do not end the wait; 101 turns the rest of the
 * direction into the upgraded protocol, still the request's session.
 */
export class ResponseBoundaries {
  private state: number = R.STATUS;
  private owner: Owner = null;
  private exchange: Exchange | undefined;
  private status = 0;
  private readonly line = new LineReader();
  private readonly framing = new Framing();
  private readonly body = new BodyCounter();
  private readonly pending: Exchange[];

  constructor(pending: Exchange[]) {
    this.pending = pending;
  }

  /** True when the rest of this direction is a tunnel or close-delimited body that belongs to nobody. */
  get silent(): boolean {
    return this.state === R.TO_CLOSE && this.owner === null;
  }

  /** Returns the session of the response being sent, else of the next request waiting, else undefined. */
  get current(): Owner | undefined {
    if (this.state !== R.STATUS) return this.owner;
    return this.pending[0]?.owner;
  }

  /** Attributes every byte of `chunk` through `sink`, in order. */
  push(chunk: Buffer, sink: RangeSink): void {
    const end = chunk.length;
    let pos = 0;
    let runStart = 0;
    while (pos < end) {
      if (this.state === R.STATUS) {
        if (runStart < pos) sink.bytes(this.owner, runStart, pos);
        runStart = pos;
        this.exchange = this.pending[0];
        this.owner = this.exchange ? this.exchange.owner : null;
        this.state = R.STATUS_LINE;
      } else if (this.state === R.STATUS_LINE || this.state === R.HEADERS) {
        const whole =
          this.state === R.HEADERS && this.line.text === '' ? this.framing.wholeLine(chunk, pos) : -1;
        if (whole !== -1) {
          pos = whole;
          if (this.framing.ended) this.headComplete();
          continue;
        }
        const next = this.line.read(chunk, pos);
        if (this.line.tooLong || next === -1) {
          if (this.line.tooLong) this.state = R.TO_CLOSE;
          pos = end;
          break;
        }
        pos = next;
        const text = this.line.take();
        if (this.state === R.STATUS_LINE) this.statusLine(text);
        else if (text !== '') this.framing.header(text);
        else this.headComplete();
      } else if (this.state === R.BODY) {
        pos = this.body.consume(chunk, pos);
        if (this.body.failed) this.state = R.TO_CLOSE;
        else if (this.body.done) this.state = R.STATUS;
      } else {
        pos = end; // TO_CLOSE: a tunnel, or a body delimited by the connection closing
      }
    }
    if (runStart < end) sink.bytes(this.owner, runStart, end);
  }

  /** Reads `HTTP-version SP status-code SP [reason]` (RFC 9112 §4). */
  private statusLine(text: string): void {
    const m = /^HTTP\/\d\.\d (\d{3})(?: |$)/.exec(text);
    if (!m) {
      // Not HTTP: whatever the server writes from here on answers this request.
      this.state = R.TO_CLOSE;
      this.pending.shift();
      return;
    }
    this.status = Number(m[1]);
    this.framing.reset();
    this.state = R.HEADERS;
  }

  /** Decides what follows a complete response head. */
  private headComplete(): void {
    const status = this.status;
    const f = this.framing;
    if (status >= 100 && status < 200 && status !== 101) {
      this.state = R.STATUS; // interim response: the final one is still to come
      return;
    }
    this.pending.shift();
    const method = this.exchange?.method;
    if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) {
      this.state = R.TO_CLOSE;
    } else if (method === 'HEAD' || status === 204 || status === 304) {
      this.state = R.STATUS; // RFC 9112 §6.3 rule 1: never a body
    } else if (f.chunked) {
      this.body.chunkedBody();
      this.state = R.BODY;
    } else if (f.otherCoding || f.contentLength === -1 || f.bad) {
      this.state = R.TO_CLOSE; // §6.3 rules 4 and 8: the body runs until the connection closes
    } else {
      this.body.fixed(f.contentLength);
      this.state = f.contentLength === 0 ? R.STATUS : R.BODY;
    }
  }
}
