/**
 * text/event-stream, exactly as a browser's EventSource reads it (WHATWG HTML §9.2.6,
 * "interpreting an event stream"). It is fed the decoded body — after de-chunking — piece by
 * piece, each piece with its raw offset, so every line, field and event maps back to the bytes on
 * the wire even when a chunk boundary cuts through it.
 */
import type { Direction, Field, Range } from './bytes.ts';
import {
  extendField,
  field,
  preview,
  RangeList,
  Retained,
  rangedField,
  sliceRanges,
  truncationNote,
  utf8,
} from './bytes.ts';
import { headerValues } from './http-head.ts';
import type { WireLimits } from './limits.ts';

export interface SseEvent extends Field {
  kind: 'sse-event';
  /** False when the block ended without data (nothing reaches onmessage), or the stream ended first. */
  dispatched: boolean;
  /** Event type: the `event` field, or 'message'. */
  type: string;
  /** The EventSource's last event ID after this block (`id` fields persist across events). */
  lastEventId: string;
  /** Reconnection time set by a `retry` field in this block, in ms. */
  retry?: number;
}

export interface EventStreamHooks {
  emit(item: Field): void;
  /** An emitted item changed: the LF of its CRLF arrived in a later read. */
  update(item: Field): void;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const RULE = 'WHATWG HTML §9.2.6';

/**
 * Returns the field over logical bytes [from, to) of a line laid out over `ranges`: straight from
 * the one range when the line came in one piece (no slice arrays made only to be read once).
 */
function slicedField(
  kind: string,
  label: string,
  dir: Direction,
  ranges: readonly Range[],
  from: number,
  to: number,
  extra: Parameters<typeof field>[5],
): Field {
  const only = ranges.length === 1 ? ranges[0]! : undefined;
  if (only !== undefined && from < to && only[0] + to <= only[1])
    return field(kind, label, dir, only[0] + from, only[0] + to, extra);
  return rangedField(kind, label, dir, sliceRanges(ranges, from, to), extra);
}

/** The field names of the spec, as bytes: a stream names one of them on nearly every line. */
const KNOWN_NAMES = ['data', 'id', 'event', 'retry'].map((name) => ({
  name,
  bytes: Uint8Array.from(name, (c) => c.charCodeAt(0)),
}));

/** Returns bytes [from, end) as a field name: one of the spec's without decoding, else UTF-8. */
function fieldName(bytes: Uint8Array, from: number, end: number): string {
  const length = end - from;
  known: for (const k of KNOWN_NAMES) {
    if (k.bytes.length !== length) continue;
    for (let i = 0; i < length; i++) if (bytes[from + i] !== k.bytes[i]) continue known;
    return k.name;
  }
  return utf8(bytes.subarray(from, end));
}

/** Returns true when the headers say the body is an event stream. */
export function isEventStream(headers: ReadonlyArray<readonly [string, string]>): boolean {
  const type = headerValues(headers, 'content-type')[0] ?? '';
  return (type.split(';')[0] ?? '').trim().toLowerCase() === 'text/event-stream';
}

/** Reads one event stream; emits an 'sse-event' item per block of lines ended by a blank line. */
export class EventStreamParser {
  private readonly dir: Direction;
  private readonly hooks: EventStreamHooks;
  private readonly limits: WireLimits;
  private readonly exchange: number | undefined;
  // The line being read: its first bytes, length, raw ranges, where its first colon is.
  private line: Retained;
  private lineRanges: RangeList;
  private lineStarted = false;
  private colonAt = -1;
  private firstLine = true;
  // A CR ended the last line: an LF right after it belongs to that line end (even in the next read).
  private afterCR = false;
  private lastLine: Field | undefined;
  private lastItem: SseEvent | undefined;
  // The block: lines since the last blank line.
  private lines: Field[] = [];
  private unlisted = 0;
  private blockRanges: RangeList;
  private blockStarted = false;
  private blockT: number | undefined;
  // The buffers of the spec.
  private dataBuffer = '';
  private dataTruncated = false;
  private eventType = '';
  private idBuffer = '';
  private lastEventId = '';
  private retry: number | undefined;

  /** `lastEventId`: the Last-Event-ID a reconnecting EventSource sent; it carries on from there (as Chromium does). */
  constructor(
    dir: Direction,
    hooks: EventStreamHooks,
    limits: WireLimits,
    exchange?: number,
    lastEventId = '',
  ) {
    this.dir = dir;
    this.idBuffer = lastEventId;
    this.lastEventId = lastEventId;
    this.hooks = hooks;
    this.limits = limits;
    this.exchange = exchange;
    this.line = this.newLine();
    this.lineRanges = new RangeList(limits.maxRanges);
    this.blockRanges = new RangeList(limits.maxRanges);
  }

  /** Reads the next decoded body bytes; `offset` is where the first of them lies in the raw stream. */
  data(bytes: Uint8Array, offset: number, t?: number): void {
    let i = 0;
    while (i < bytes.length) {
      if (this.afterCR) {
        this.afterCR = false;
        // WHATWG HTML §9.2.5: end-of-line = CRLF / LF / CR; a CR then LF is one line end.
        if (bytes[i] === LF) {
          this.completeCRLF(offset + i);
          i++;
          continue;
        }
      }
      let j = i;
      while (j < bytes.length && bytes[j] !== LF && bytes[j] !== CR) j++;
      if (j > i) this.append(bytes.subarray(i, j), offset + i, t);
      if (j === bytes.length) break;
      this.endLine(offset + j, t, bytes[j] === CR ? 'CR' : 'LF');
      this.afterCR = bytes[j] === CR;
      i = j + 1;
    }
  }

  /** The stream ended: an unfinished block is discarded, as the spec says; it is still listed. */
  end(): void {
    if (this.lineStarted) {
      const ranges = this.lineRanges.list;
      const partial = rangedField('sse-line', 'unterminated line', this.dir, ranges, {
        note: 'no line end before the stream ended: never processed',
      });
      this.pushLine(partial, ranges);
    }
    if (this.blockStarted) {
      this.emitBlock(
        false,
        'stream ended before a blank line',
        `the stream ended before the blank line: the event is discarded (${RULE})`,
      );
    }
    this.lineStarted = false;
    this.line.clear();
    this.lineRanges.clear();
  }

  /** A line keeps a little more than a value, so the field name fits beside a full-size value. */
  private newLine(): Retained {
    return new Retained(this.limits.maxValueBytes + 256);
  }

  private startLine(t: number | undefined): void {
    if (this.lineStarted) return;
    this.lineStarted = true;
    if (!this.blockStarted) {
      this.blockStarted = true;
      this.blockT = t;
    }
  }

  private append(piece: Uint8Array, offset: number, t: number | undefined): void {
    this.startLine(t);
    if (this.colonAt < 0) {
      const c = piece.indexOf(COLON);
      if (c >= 0) this.colonAt = this.line.total + c;
    }
    this.line.add(piece);
    this.lineRanges.add(offset, offset + piece.length);
  }

  private endLine(at: number, t: number | undefined, eol: 'CR' | 'LF'): void {
    this.startLine(t);
    const dir = this.dir;
    const bytes = this.line.bytes();
    const length = this.line.total;
    const content = this.lineRanges.list;
    const children: Field[] = [];
    let from = 0;
    // WHATWG HTML §9.2.5: the stream is UTF-8 decoded, which strips one leading BOM.
    if (this.firstLine && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      from = 3;
      children.push(
        slicedField('sse-bom', 'BOM (stripped)', dir, content, 0, 3, {
          note: 'a leading U+FEFF is removed once (WHATWG HTML §9.2.5)',
        }),
      );
    }
    this.firstLine = false;
    let label: string;
    let note: string | undefined;
    const blank = length === from;
    if (blank) label = 'blank line → dispatch';
    else if (bytes[from] === COLON) {
      // WHATWG HTML §9.2.6: a line starting with a colon is a comment, ignored.
      const text = utf8(bytes.subarray(from + 1));
      label = `comment: ${preview(text.trimStart())}`;
      children.push(slicedField('sse-comment', 'comment', dir, content, from, length, { value: text }));
    } else {
      // WHATWG HTML §9.2.6: name up to the first colon (or the whole line), value after it minus one space.
      const colon = this.colonAt;
      const nameEnd = colon >= 0 ? colon : length;
      const name = fieldName(bytes, from, nameEnd);
      let valueStart = nameEnd + 1;
      if (colon >= 0 && bytes[valueStart] === SPACE) valueStart++;
      const value = colon >= 0 ? utf8(bytes.subarray(Math.min(valueStart, bytes.length))) : '';
      note = this.apply(name, value);
      label = colon >= 0 ? `${name}: ${preview(value)}` : `${name} (no colon: value "")`;
      children.push(slicedField('sse-field-name', name, dir, content, from, nameEnd, { value: name }));
      if (colon >= 0 && valueStart < length) {
        const valueNote = truncationNote(Math.max(bytes.length - valueStart, 0), length - valueStart);
        children.push(
          slicedField('sse-field-value', preview(value), dir, content, valueStart, length, {
            value,
            note: valueNote,
          }),
        );
      }
    }
    children.push(field('eol', eol, dir, at, at + 1));
    // The line's ranges and its end, merged: reused for the next line (rangedField copies them).
    const lineRanges = this.lineRanges;
    lineRanges.add(at, at + 1);
    const lineField = rangedField('sse-line', label, dir, lineRanges.list, { note, children });
    this.pushLine(lineField, lineRanges.list);
    this.lastLine = lineField;
    this.lastItem = undefined;
    this.line.clear();
    lineRanges.clear();
    this.lineStarted = false;
    this.colonAt = -1;
    if (blank) this.dispatch();
  }

  private pushLine(line: Field, ranges: readonly Range[]): void {
    if (this.lines.length < this.limits.maxSseLines) this.lines.push(line);
    else this.unlisted++;
    for (const [s, e] of ranges) this.blockRanges.add(s, e);
  }

  /** The LF of a CRLF: it joins the line end (and the item) the CR already closed. */
  private completeCRLF(at: number): void {
    const line = this.lastLine;
    if (!line) return;
    const eol = line.children?.at(-1);
    if (eol) {
      extendField(eol, at, at + 1);
      eol.label = 'CRLF';
    }
    extendField(line, at, at + 1);
    if (this.lastItem) {
      extendField(this.lastItem, at, at + 1);
      this.hooks.update(this.lastItem);
    } else this.blockRanges.add(at, at + 1);
  }

  /** Applies one field (WHATWG HTML §9.2.6, "process the field"); returns a note when it is ignored. */
  private apply(name: string, value: string): string | undefined {
    switch (name) {
      case 'event':
        this.eventType = value;
        return undefined;
      case 'data': {
        // Data lines are joined with LF; the last LF goes at dispatch.
        const room = this.limits.maxValueBytes - this.dataBuffer.length;
        const add = value + '\n';
        if (add.length > room) this.dataTruncated = true;
        this.dataBuffer += add.slice(0, Math.max(room, 0));
        return undefined;
      }
      case 'id':
        if (value.includes('\0')) return `id containing NUL: ignored (${RULE})`;
        this.idBuffer = value;
        return undefined;
      case 'retry':
        if (!/^[0-9]+$/.test(value)) return `retry is not only ASCII digits: ignored (${RULE})`;
        this.retry = Number.parseInt(value, 10);
        return `reconnection time ${this.retry} ms`;
      default:
        return `unknown field "${name}": ignored (${RULE})`;
    }
  }

  /** WHATWG HTML §9.2.6, "dispatch the event". */
  private dispatch(): void {
    // Step 1: the last event ID is set even when nothing is dispatched.
    this.lastEventId = this.idBuffer;
    // Step 2: an empty data buffer dispatches nothing.
    if (this.dataBuffer === '') {
      const comments =
        this.lines.length > 1 &&
        this.lines.slice(0, -1).every((l) => l.children?.some((c) => c.kind === 'sse-comment'));
      const label = comments
        ? 'comment (nothing dispatched)'
        : this.lines.length === 1
          ? 'blank line (nothing dispatched)'
          : 'no data (nothing dispatched)';
      this.lastItem = this.emitBlock(
        false,
        label,
        `the data buffer is empty: no event is dispatched (${RULE})`,
      );
      return;
    }
    this.lastItem = this.emitBlock(true, '', undefined);
  }

  private emitBlock(dispatched: boolean, label: string, note: string | undefined): SseEvent {
    // Step 3: one trailing LF is removed from the data.
    const data = this.dataBuffer.endsWith('\n') ? this.dataBuffer.slice(0, -1) : this.dataBuffer;
    const type = this.eventType || 'message';
    let notes = note;
    const more = (text: string) => {
      notes = notes === undefined ? text : `${notes}; ${text}`;
    };
    if (this.dataTruncated) more(`data cut to the first ${this.limits.maxValueBytes} characters`);
    if (this.unlisted > 0) more(`${this.unlisted} more lines not listed`);
    if (this.blockRanges.approximate) more('ranges merged: too many to list');
    const item = rangedField(
      'sse-event',
      dispatched ? `${type}: "${preview(data)}"` : label,
      this.dir,
      this.blockRanges.list,
      {
        value: dispatched ? data : undefined,
        note: notes || undefined,
        t: this.blockT,
        exchange: this.exchange,
        children: this.lines,
      },
    ) as SseEvent;
    item.dispatched = dispatched;
    item.type = type;
    item.lastEventId = this.lastEventId;
    if (this.retry !== undefined) item.retry = this.retry;
    this.hooks.emit(item);
    // Step 5: the data and event type buffers are reset (the ID buffer is not).
    this.dataBuffer = '';
    this.dataTruncated = false;
    this.eventType = '';
    this.retry = undefined;
    this.lines = [];
    this.unlisted = 0;
    this.blockRanges.clear();
    this.blockStarted = false;
    return item;
  }
}
