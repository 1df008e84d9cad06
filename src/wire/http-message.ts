/**
 * HTTP/1.1 messages on one direction of a connection (RFC 9112): the head, then the body framed
 * by Content-Length, chunked coding, or the end of the connection — message after message, for
 * keep-alive and pipelining. The head is an item as soon as its blank line arrives; the body
 * follows as 'body' / 'chunk' / 'sse-event' items.
 */
import type { ByteQueue } from './byte-queue.ts';
import type { EndHow } from './connection.ts';
import type { Direction, Field } from './bytes.ts';
import { byteCount, field, Retained, shownValue } from './bytes.ts';
import { ChunkedDecoder } from './chunked.ts';
import type { WireError } from './errors.ts';
import { errorItem, markError, wireError } from './errors.ts';
import { EventStreamParser, isEventStream } from './event-stream.ts';
import type { HttpMessage, Line } from './http-head.ts';
import {
  eolField,
  headerValues,
  LineReader,
  mediaType,
  newMessage,
  parseFieldLine,
  parseRequestLine,
  parseStatusLine,
} from './http-head.ts';
import { bodyFraming } from './http-framing.ts';
import type { WireLimits } from './limits.ts';

// The item types live with the head that makes them; re-exported for callers importing them from here.
export type { BodyFraming, HttpMessage, HttpRequest, HttpResponse } from './http-head.ts';

/** What a decoder's run returns: needs more bytes, stopped at an error, or handed over to another decoder. */
export type Step = 'more' | 'stop' | 'yield';

/** How the connection takes part: pairing, WebSocket upgrades, where items go. */
export interface HttpHooks {
  emit(item: Field): void;
  update(item: Field): void;
  /** A head is parsed, before it is emitted: pair it with its request, annotate it. */
  head(msg: HttpMessage): void;
  /** The head was emitted; 'switch' when the bytes after it are another protocol. */
  headSent(msg: HttpMessage): 'body' | 'switch';
  /** The message ended; 'wait' holds the bytes after it until `resume()` (an upgrade request). */
  done(msg: HttpMessage): 'next' | 'wait';
}

type State = 'START_LINE' | 'HEADER_LINE' | 'BODY_LENGTH' | 'BODY_CHUNKED' | 'BODY_CLOSE' | 'WAIT';

/** Decodes the requests (dir 'in') or responses (dir 'out') of one connection. */
export class HttpDecoder {
  private state: State = 'START_LINE';
  private readonly lines = new LineReader();
  private readonly dir: Direction;
  private readonly hooks: HttpHooks;
  private readonly limits: WireLimits;
  // The message being read.
  private msg: HttpMessage | undefined;
  private leading: Field[] = [];
  private started = false;
  private start = 0;
  private t: number | undefined;
  private headBytes = 0;
  // Its body.
  private remaining = 0;
  private bodyStart = 0;
  private bodyT: number | undefined;
  private body: Retained | undefined;
  private chunked: ChunkedDecoder | undefined;
  private events: EventStreamParser | undefined;

  constructor(dir: Direction, hooks: HttpHooks, limits: WireLimits) {
    this.dir = dir;
    this.hooks = hooks;
    this.limits = limits;
  }

  /** Decodes what the queue holds, message after message. */
  run(q: ByteQueue): Step {
    for (;;) {
      switch (this.state) {
        case 'START_LINE':
        case 'HEADER_LINE': {
          if (q.length === 0) return 'more';
          if (!this.started) {
            this.started = true;
            this.start = q.offset;
            this.t = q.time;
          }
          const budget = this.limits.maxHeadBytes - this.headBytes;
          const line = this.lines.read(q, budget);
          if (line === null) return 'more';
          if (line === 'too-long') {
            const err = wireError(
              `head longer than ${this.limits.maxHeadBytes} bytes`,
              q.offset,
              q.offset + budget,
            );
            return this.fail(err, this.msg);
          }
          this.headBytes += line.end - line.start;
          const step = this.state === 'START_LINE' ? this.startLine(line) : this.fieldLine(line);
          if (step) return step;
          break;
        }
        case 'BODY_LENGTH':
        case 'BODY_CLOSE': {
          if (q.length === 0) return 'more';
          const max = this.state === 'BODY_LENGTH' ? this.remaining : q.length;
          this.bodyT ??= q.time;
          const offset = q.offset;
          const t = q.time;
          const piece = q.take(max);
          this.remaining -= piece.length;
          this.bodyData(piece, offset, t);
          if (this.state === 'BODY_LENGTH' && this.remaining === 0) {
            this.emitBody();
            this.finish();
          }
          break;
        }
        case 'BODY_CHUNKED': {
          const step = this.chunked!.run(q);
          if (step !== 'done') return step;
          this.finish();
          break;
        }
        case 'WAIT':
          return 'more';
      }
    }
  }

  /** Lets a decoder held after an upgrade request go on with HTTP (the server did not switch). */
  resume(): void {
    if (this.state === 'WAIT') this.state = 'START_LINE';
  }

  /** The stream ended (FIN): ends a close-delimited body, reports what was cut off. Returns a note for the FIN. */
  end(q: ByteQueue, t?: number, how: EndHow = 'fin'): string | undefined {
    const msg = this.msg;
    const cutOff = (start: number, end: number, note: string, partial?: Field): void => {
      const children = partial ? [partial] : undefined;
      this.hooks.emit(
        field('incomplete', 'incomplete message', this.dir, start, end, {
          note,
          t: this.t ?? t,
          exchange: msg?.exchange,
          children,
        }),
      );
    };
    const tail = q.offset + q.length;
    switch (this.state) {
      case 'START_LINE':
      case 'HEADER_LINE':
        if (this.started) {
          const partial =
            msg ??
            (this.leading.length > 0
              ? field('head', 'head', this.dir, this.start, this.leading.at(-1)!.end, {
                  children: this.leading,
                })
              : undefined);
          cutOff(this.start, tail, 'the stream ended in the middle of a head', partial);
        }
        return undefined;
      case 'BODY_LENGTH': {
        const got = msg!.bodyBytes;
        cutOff(
          this.bodyStart,
          this.bodyStart + got,
          `the stream ended after ${got} of ${msg!.contentLength} body bytes (RFC 9112 §8: an incomplete message)`,
        );
        this.events?.end();
        return undefined;
      }
      case 'BODY_CHUNKED':
        cutOff(
          msg!.end,
          tail,
          'the stream ended before the last chunk (RFC 9112 §8: an incomplete message)',
          this.chunked!.partial(),
        );
        this.events?.end();
        return undefined;
      case 'BODY_CLOSE':
        this.emitBody();
        this.finish();
        if (how === 'rst')
          return 'a reset ends the body: with neither Content-Length nor chunked coding, nothing tells whether it was whole (RFC 9112 §6.3, §8)';
        return 'FIN ends the body: the response had neither Content-Length nor chunked coding (RFC 9112 §6.3)';
      case 'WAIT':
        if (q.length > 0) {
          this.hooks.emit(
            field('unparsed', `${q.length} bytes not dissected`, this.dir, q.offset, tail, {
              note: 'sent after an upgrade request that was never answered',
              t: q.time,
            }),
          );
        }
        return undefined;
    }
  }

  private startLine(line: Line): Step | undefined {
    const dir = this.dir;
    if (line.bytes.length === 0) {
      // RFC 9112 §2.2: a server should ignore at least one empty line before the request line.
      this.leading.push(eolField(line, dir, 'empty-line'));
      this.leading.at(-1)!.note = 'empty line before the start line: ignored (RFC 9112 §2.2)';
      return undefined;
    }
    const isRequest = dir === 'in';
    const parsed = isRequest ? parseRequestLine(line, dir) : parseStatusLine(line, dir);
    this.msg = newMessage(parsed, isRequest, this.start, line.end, this.t, this.leading);
    if (parsed.error) return this.fail(parsed.error, this.msg);
    this.state = 'HEADER_LINE';
    return undefined;
  }

  private fieldLine(line: Line): Step | undefined {
    const msg = this.msg!;
    msg.end = line.end;
    if (line.bytes.length > 0) {
      const parsed = parseFieldLine(line, this.dir, 'header');
      msg.children!.push(parsed.field);
      if (parsed.error) return this.fail(parsed.error, msg);
      msg.headers.push([parsed.parts[0]!, parsed.parts[1]!]);
      return undefined;
    }
    msg.children!.push(field('blank-line', 'end of head', this.dir, line.start, line.end));
    this.hooks.head(msg);
    const framing = bodyFraming(msg);
    msg.framing = framing.framing;
    if (framing.length !== undefined) msg.contentLength = framing.length;
    if (framing.note) msg.note = msg.note ? `${msg.note}; ${framing.note}` : framing.note;
    this.hooks.emit(msg);
    if (framing.error) {
      const culprit = msg.children!.find(
        (c) => c.kind === 'header' && c.label.toLowerCase() === framing.header,
      );
      const at = culprit ?? msg;
      const err = wireError(framing.error, at.start, at.end);
      markError(at, err);
      return this.fail(err);
    }
    if (this.hooks.headSent(msg) === 'switch') {
      this.reset();
      return 'yield';
    }
    this.startBody(msg);
    return undefined;
  }

  private startBody(msg: HttpMessage): void {
    this.bodyStart = msg.end;
    this.bodyT = undefined;
    const text = textual(mediaType(msg.headers));
    const coded = headerValues(msg.headers, 'content-encoding').some(
      (v) => v.trim().toLowerCase() !== 'identity',
    );
    if (msg.kind === 'http-response' && msg.framing !== 'none' && isEventStream(msg.headers) && !coded) {
      this.events = new EventStreamParser(
        this.dir,
        this.hooks,
        this.limits,
        msg.exchange,
        msg.requestLastEventId,
      );
    }
    switch (msg.framing) {
      case 'none':
        this.finish();
        return;
      case 'length':
        this.remaining = msg.contentLength!;
        this.body = new Retained(this.limits.maxValueBytes);
        this.state = 'BODY_LENGTH';
        if (this.remaining === 0) this.finish();
        return;
      case 'close':
        this.body = new Retained(this.limits.maxValueBytes);
        this.state = 'BODY_CLOSE';
        return;
      case 'chunked': {
        const hooks = {
          emit: (item: Field) => this.hooks.emit(item),
          data: (piece: Uint8Array, offset: number, t: number | undefined) => this.bodyData(piece, offset, t),
          chunk: () => {
            msg.chunks++;
            this.hooks.update(msg);
          },
        };
        this.chunked = new ChunkedDecoder(this.dir, hooks, this.limits, msg.exchange, text);
        this.state = 'BODY_CHUNKED';
        return;
      }
    }
  }

  private bodyData(piece: Uint8Array, offset: number, t: number | undefined): void {
    const msg = this.msg!;
    msg.bodyBytes += piece.length;
    this.body?.add(piece);
    this.events?.data(piece, offset, t);
    this.hooks.update(msg);
  }

  private emitBody(): void {
    const msg = this.msg!;
    const body = this.body;
    if (!body || body.total === 0) return;
    const type = mediaType(msg.headers);
    const shown = shownValue(body.bytes(), body.total, textual(type));
    const label = `body ${byteCount(body.total)}${type ? ` (${type})` : ''}`;
    this.hooks.emit(
      field('body', label, this.dir, this.bodyStart, this.bodyStart + body.total, {
        ...shown,
        t: this.bodyT,
        exchange: msg.exchange,
      }),
    );
  }

  /** The message is complete: tell the connection, then read the next one (or wait). */
  private finish(): void {
    const msg = this.msg!;
    msg.complete = true;
    this.hooks.update(msg);
    this.events?.end();
    this.reset();
    this.state = this.hooks.done(msg) === 'wait' ? 'WAIT' : 'START_LINE';
  }

  private reset(): void {
    this.msg = undefined;
    this.leading = [];
    this.started = false;
    this.headBytes = 0;
    this.body = undefined;
    this.chunked = undefined;
    this.events = undefined;
  }

  private fail(err: WireError, partial?: Field): 'stop' {
    this.hooks.emit(errorItem(this.dir, err, partial, this.t));
    return 'stop';
  }
}

/** Returns true for media types that are text, 'auto' (show as text if it is UTF-8) for the rest. */
function textual(type: string): true | 'auto' {
  return /^text\/|json|xml|javascript|x-www-form-urlencoded/.test(type) ? true : 'auto';
}
