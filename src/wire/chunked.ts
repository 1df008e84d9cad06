/**
 * The chunked transfer coding (RFC 9112 §7.1): size line (with extensions), data, CRLF, …, the
 * last chunk and trailers. Each chunk becomes an item as soon as its CRLF arrives, so a stream
 * that never ends (comet) still shows every chunk live; the data goes on to the body's reader.
 */
import type { ByteQueue } from './byte-queue.ts';
import type { Direction, Field } from './bytes.ts';
import { byteCount, field, hex, latin1, Retained, shownValue } from './bytes.ts';
import type { WireError } from './errors.ts';
import { errorItem, markError, wireError } from './errors.ts';
import type { Line } from './http-head.ts';
import { eolField, LineReader, parseFieldLine } from './http-head.ts';
import type { WireLimits } from './limits.ts';

export interface ChunkedHooks {
  emit(item: Field): void;
  /** Decoded body bytes, as they arrive, at their raw offset. */
  data(piece: Uint8Array, offset: number, t: number | undefined): void;
  /** A chunk item was emitted. */
  chunk(): void;
}

type State = 'CHUNK_SIZE' | 'CHUNK_DATA' | 'CHUNK_CRLF' | 'TRAILERS';

// RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )
const EXTENSION =
  /^[ \t]*;[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?:[ \t]*=[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[^"\\]|\\.)*"))?/;

/** Decodes one chunked body; `run` returns 'done' after the trailers' blank line. */
export class ChunkedDecoder {
  private state: State = 'CHUNK_SIZE';
  private readonly lines = new LineReader();
  private readonly dir: Direction;
  private readonly hooks: ChunkedHooks;
  private readonly limits: WireLimits;
  private readonly exchange: number | undefined;
  private readonly text: boolean | 'auto';
  /** The chunk (or last chunk) being read, with its t. */
  private item: Field | undefined;
  private itemT: number | undefined;
  private size = 0;
  private remaining = 0;
  private dataStart = 0;
  private data: Retained;
  private trailerBytes = 0;

  constructor(
    dir: Direction,
    hooks: ChunkedHooks,
    limits: WireLimits,
    exchange: number | undefined,
    text: boolean | 'auto',
  ) {
    this.dir = dir;
    this.hooks = hooks;
    this.limits = limits;
    this.exchange = exchange;
    this.text = text;
    this.data = new Retained(limits.maxValueBytes);
  }

  /** Decodes what the queue holds; returns 'more' when it needs bytes, 'done' at the end, 'stop' after an error. */
  run(q: ByteQueue): 'more' | 'done' | 'stop' {
    for (;;) {
      if (q.length === 0) return 'more';
      switch (this.state) {
        case 'CHUNK_SIZE': {
          if (!this.item) this.itemT = q.time;
          const start = q.offset;
          const line = this.lines.read(q, this.limits.maxHeadBytes);
          if (line === null) return 'more';
          if (line === 'too-long') {
            return this.fail(
              wireError(
                `chunk-size line longer than ${this.limits.maxHeadBytes} bytes`,
                start,
                start + this.limits.maxHeadBytes,
              ),
            );
          }
          const err = this.sizeLine(line);
          if (err) return this.fail(err);
          break;
        }
        case 'CHUNK_DATA': {
          const t = q.time;
          const offset = q.offset;
          const piece = q.take(this.remaining);
          this.remaining -= piece.length;
          this.data.add(piece);
          this.hooks.data(piece, offset, t);
          if (this.remaining === 0) this.state = 'CHUNK_CRLF';
          break;
        }
        case 'CHUNK_CRLF': {
          const err = this.chunkEnd(q);
          if (err === 'more') return 'more';
          if (err) return this.fail(err);
          break;
        }
        case 'TRAILERS': {
          const budget = this.limits.maxHeadBytes - this.trailerBytes;
          const line = this.lines.read(q, budget);
          if (line === null) return 'more';
          if (line === 'too-long') {
            return this.fail(
              wireError(
                `trailers longer than ${this.limits.maxHeadBytes} bytes`,
                q.offset,
                q.offset + budget,
              ),
            );
          }
          this.trailerBytes += line.end - line.start;
          const item = this.item!;
          item.end = line.end;
          if (line.bytes.length === 0) {
            item.children!.push(field('blank-line', 'end of chunked body', this.dir, line.start, line.end));
            this.hooks.emit(item);
            this.item = undefined;
            return 'done';
          }
          const parsed = parseFieldLine(line, this.dir, 'trailer');
          item.children!.push(parsed.field);
          if (parsed.error) return this.fail(parsed.error);
          item.label = `last chunk + ${item.children!.filter((c) => c.kind === 'trailer').length} trailer(s)`;
          break;
        }
      }
    }
  }

  /** Returns the chunk cut off by the end of the stream (data received so far), if one was started. */
  partial(): Field | undefined {
    const item = this.item;
    if (item && this.state === 'CHUNK_DATA') {
      const received = this.size - this.remaining;
      item.children!.push(
        field(
          'chunk-data',
          `${received} of ${byteCount(this.size)}`,
          this.dir,
          this.dataStart,
          this.dataStart + received,
        ),
      );
      item.end = this.dataStart + received;
    }
    return item;
  }

  /** RFC 9112 §7.1: chunk-size (hex) [ chunk-ext ] CRLF; size 0 is the last chunk. */
  private sizeLine(line: Line): WireError | undefined {
    const dir = this.dir;
    const text = latin1(line.bytes);
    const digits = /^[0-9A-Fa-f]+/.exec(text)?.[0];
    if (!digits) {
      this.item = field('chunk', 'chunk', dir, line.start, line.end, {
        t: this.itemT,
        exchange: this.exchange,
        children: [],
      });
      return wireError(
        'a chunk starts with its size in hex digits (RFC 9112 §7.1)',
        line.start,
        line.start + 1,
      );
    }
    const significant = digits.replace(/^0+(?=.)/, '');
    const sizeField = field('chunk-size', '', dir, line.start, line.start + digits.length);
    const children = [sizeField];
    this.item = field('chunk', '', dir, line.start, line.end, {
      t: this.itemT,
      exchange: this.exchange,
      children,
    });
    if (significant.length > 13) {
      return markErr(sizeField, wireError('chunk size too large to handle', sizeField.start, sizeField.end));
    }
    const size = Number.parseInt(significant, 16);
    sizeField.label = `chunk size ${hex(size)} = ${size}`;
    sizeField.value = String(size);
    let pos = digits.length;
    while (pos < text.length) {
      const m = EXTENSION.exec(text.slice(pos));
      if (!m) {
        if (/^[ \t]+$/.test(text.slice(pos))) break; // trailing whitespace: lenient, as most parsers are
        return wireError(
          'bad chunk extension: expected ";name[=value]" (RFC 9112 §7.1.1)',
          line.start + pos,
          line.start + pos + 1,
        );
      }
      const at = line.start + pos + m[0].indexOf(';');
      const value =
        m[2] === undefined
          ? undefined
          : m[2].startsWith('"')
            ? m[2].slice(1, -1).replace(/\\(.)/g, '$1')
            : m[2];
      const label = value === undefined ? `extension ${m[1]}` : `extension ${m[1]}=${value}`;
      children.push(
        field('chunk-ext', label, dir, at, line.start + pos + m[0].length, {
          value,
          note: 'chunk extensions carry per-chunk metadata; most recipients ignore them (RFC 9112 §7.1.1)',
        }),
      );
      pos += m[0].length;
    }
    children.push(eolField(line, dir));
    const item = this.item;
    if (size === 0) {
      item.kind = 'last-chunk';
      item.label = 'last chunk';
      this.state = 'TRAILERS';
      this.trailerBytes = 0;
      return undefined;
    }
    item.label = `chunk ${byteCount(size)}`;
    this.size = size;
    this.remaining = size;
    this.dataStart = line.end;
    this.data.clear();
    this.state = 'CHUNK_DATA';
    return undefined;
  }

  /** RFC 9112 §7.1: the data is followed by CRLF; returns 'more' until it is there. */
  private chunkEnd(q: ByteQueue): WireError | 'more' | undefined {
    const at = q.offset;
    const b0 = q.byteAt(0);
    let len = 0;
    if (b0 === 0x0a) len = 1;
    else if (b0 === 0x0d) {
      if (q.length < 2) return 'more';
      if (q.byteAt(1) === 0x0a) len = 2;
    }
    const item = this.item!;
    const shown = shownValue(this.data.bytes(), this.data.total, this.text);
    item.children!.push(
      field(
        'chunk-data',
        `${byteCount(this.size)} of data`,
        this.dir,
        this.dataStart,
        this.dataStart + this.size,
        shown,
      ),
    );
    item.end = this.dataStart + this.size;
    if (len === 0) {
      return wireError(
        `chunk data must end with CRLF: the size line said ${this.size} bytes (RFC 9112 §7.1)`,
        at,
        at + 1,
      );
    }
    q.consume(len);
    item.children!.push(
      field('chunk-crlf', len === 2 ? 'CRLF' : 'LF', this.dir, at, at + len, {
        note: len === 2 ? undefined : 'bare LF: a sender must send CRLF (RFC 9112 §7.1)',
      }),
    );
    item.end = at + len;
    this.hooks.emit(item);
    this.hooks.chunk();
    this.item = undefined;
    this.state = 'CHUNK_SIZE';
    return undefined;
  }

  private fail(err: WireError): 'stop' {
    const partial = this.item;
    if (partial) {
      const culprit = partial.children?.find((c) => c.error);
      if (!culprit && err.start >= partial.start && err.end <= partial.end) markError(partial, err);
    }
    this.hooks.emit(errorItem(this.dir, err, partial, this.itemT));
    this.item = undefined;
    return 'stop';
  }
}

function markErr(f: Field, err: WireError): WireError {
  markError(f, err);
  return err;
}
