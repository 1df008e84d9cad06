/**
 * The output model every dissector shares — a tree of fields, each mapped to the bytes it was
 * decoded from — and the small byte helpers they use. See README.md for the model.
 */
import { Utf8Validator } from './utf8.ts';

/** `in` = client → server (requests), `out` = server → client (responses). */
export type Direction = 'in' | 'out';

/** A half-open byte range [start, end) in one direction's stream. */
export type Range = [start: number, end: number];

export interface FieldError {
  message: string;
  /** The WebSocket close code the spec assigns to this failure (1002, 1007, 1009…). */
  code?: number;
}

export interface Field {
  /** What the field is: 'header', 'chunk-size', 'ws-opcode'… (README.md lists them all). */
  kind: string;
  /** Short English text for the tree: 'Content-Type', 'opcode 0x1 text'. */
  label: string;
  dir: Direction;
  /** Absolute offset of the first byte in this direction's stream (inclusive). */
  start: number;
  /** Absolute offset after the last byte (exclusive). */
  end: number;
  /** The exact bytes when they are not contiguous (an SSE event across chunks); [start, end) spans them. */
  ranges?: Range[];
  /** Bit fields: [first bit, bit count] counted from the most significant bit of the byte at `start`. */
  bits?: [number, number];
  /** Decoded value for display (header value, unmasked text, computed accept key). */
  value?: string;
  /** Teaching annotation, citing the rule. */
  note?: string;
  /** The protocol error found at this field. */
  error?: FieldError;
  children?: Field[];
  /** Top-level items only: time (µs) of the read or write that carried the first byte. */
  t?: number;
  /** Top-level items only: which request/response exchange on the connection (0-based). */
  exchange?: number;
}

type Extra = { [K in keyof Field]?: Field[K] | undefined };

/** Returns a Field; optional properties given as `undefined` are left out, so trees compare cleanly. */
export function field(
  kind: string,
  label: string,
  dir: Direction,
  start: number,
  end: number,
  extra?: Extra,
): Field {
  const f: Field = { kind, label, dir, start, end };
  if (extra) {
    // for…in, not Object.entries: an SSE event makes a dozen fields, and an array of pairs per
    // field was most of the dissector's garbage (docs/performance.md, "One SSE record").
    const into = f as unknown as Record<string, unknown>;
    const from = extra as Record<string, unknown>;
    for (const key in from) {
      const value = from[key];
      if (value !== undefined) into[key] = value;
    }
  }
  return f;
}

/** Returns a Field covering `ranges` (start/end span them; `ranges` is set only when there are several). */
export function rangedField(
  kind: string,
  label: string,
  dir: Direction,
  ranges: Range[],
  extra?: Extra,
): Field {
  const first = ranges[0];
  const last = ranges[ranges.length - 1];
  const f = field(kind, label, dir, first ? first[0] : 0, last ? last[1] : 0, extra);
  if (ranges.length > 1) f.ranges = ranges.map((r): Range => [r[0], r[1]]);
  return f;
}

/** Grows a field (and its `ranges`) to also cover [start, end). */
export function extendField(f: Field, start: number, end: number): void {
  if (f.end === start) {
    f.end = end;
    const last = f.ranges?.[f.ranges.length - 1];
    if (last) last[1] = end;
    return;
  }
  f.ranges ??= [[f.start, f.end]];
  f.ranges.push([start, end]);
  f.end = end;
}

/** Returns the raw ranges holding logical bytes [from, to) of a sequence laid out over `ranges`. */
export function sliceRanges(ranges: readonly Range[], from: number, to: number): Range[] {
  const only = ranges.length === 1 ? ranges[0]! : undefined;
  if (only !== undefined && from < to && only[0] + to <= only[1]) {
    // The common case (a line in one read), without the growable array below: the dissector
    // slices every SSE field this way (docs/performance.md, "One SSE record").
    return [[only[0] + from, only[0] + to]];
  }
  const out: Range[] = [];
  let pos = 0;
  for (const [s, e] of ranges) {
    const len = e - s;
    const a = Math.max(from, pos);
    const b = Math.min(to, pos + len);
    if (a < b) out.push([s + (a - pos), s + (b - pos)]);
    pos += len;
    if (pos >= to) break;
  }
  if (out.length === 0) {
    // An empty slice still has a position: where `from` falls.
    let at = ranges[0]?.[0] ?? 0;
    pos = 0;
    for (const [s, e] of ranges) {
      if (from <= pos + (e - s)) {
        at = s + (from - pos);
        break;
      }
      pos += e - s;
      at = e;
    }
    out.push([at, at]);
  }
  return out;
}

/** A list of ranges that merges touching ones and, past `cap` entries, widens the last one instead of growing. */
export class RangeList {
  readonly list: Range[] = [];
  /** True once the cap made the last range cover bytes that are not part of the sequence. */
  approximate = false;
  private readonly cap: number;

  constructor(cap: number) {
    this.cap = cap;
  }

  /** Empties the list for the next sequence (fields copy the ranges they keep, so it can be reused). */
  clear(): void {
    this.list.length = 0;
    this.approximate = false;
  }

  add(start: number, end: number): void {
    if (start === end) return;
    const last = this.list[this.list.length - 1];
    if (last && (last[1] === start || this.list.length >= this.cap)) {
      if (last[1] !== start) this.approximate = true;
      last[1] = end;
    } else {
      this.list.push([start, end]);
    }
  }
}

/**
 * Keeps the first `cap` bytes of a stream of pieces for display, and counts all of them. The
 * pieces are kept as they are, not copied: they must not change afterwards (a dissector's own
 * copies of what was pushed to it, which nothing writes into).
 */
export class Retained {
  private readonly parts: Uint8Array[] = [];
  private readonly cap: number;
  kept = 0;
  total = 0;

  constructor(cap: number) {
    this.cap = cap;
  }

  add(piece: Uint8Array): void {
    this.total += piece.length;
    const take = Math.min(this.cap - this.kept, piece.length);
    if (take > 0) {
      this.parts.push(take === piece.length ? piece : piece.subarray(0, take));
      this.kept += take;
    }
  }

  /** Forgets the pieces, to keep the next value. */
  clear(): void {
    this.parts.length = 0;
    this.kept = 0;
    this.total = 0;
  }

  get truncated(): boolean {
    return this.total > this.kept;
  }

  /** Returns the kept bytes as one array. */
  bytes(): Uint8Array {
    return concat(this.parts);
  }
}

/** Returns the pieces joined into one array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ignoreBOM keeps a leading EF BB BF visible: display shows the bytes as they are.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Returns the bytes decoded as UTF-8, invalid sequences as U+FFFD. */
export function utf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

/** Returns the bytes as a string of code points 0–255, one per byte (ISO-8859-1). */
export function latin1(bytes: Uint8Array): string {
  // One call for a line (a chunk size, a header): no spread, no iterator, only the string.
  if (bytes.length <= 8192) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}

/** Returns the bytes of an ASCII/latin1 string. */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Returns '1 byte', '2 bytes'. */
export function byteCount(n: number): string {
  return n === 1 ? '1 byte' : `${n} bytes`;
}

/** Returns '0x1a'-style hex for a number. */
export function hex(n: number): string {
  return '0x' + n.toString(16);
}

/** Returns space-separated hex of the first `max` bytes, with '…' when there are more. */
export function hexBytes(bytes: Uint8Array, max = 64): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? shown + ' …' : shown;
}

/** Returns text cut to `max` characters with '…', newlines shown as ⏎, for one-line labels. */
export function preview(text: string, max = 40): string {
  const flat = text.replace(/\r\n|\r|\n/g, '⏎');
  return flat.length > max ? flat.slice(0, max) + '…' : flat;
}

/** Returns the note for a value cut to what was kept, or undefined when nothing was cut. */
export function truncationNote(kept: number, total: number): string | undefined {
  return total > kept ? `showing the first ${kept} of ${total} bytes` : undefined;
}

/**
 * Returns what to show for kept bytes: UTF-8 text when `text` is true (or, for 'auto', when they
 * are valid UTF-8), else hex; `note` says when only the first bytes were kept.
 */
export function shownValue(
  kept: Uint8Array,
  total: number,
  text: boolean | 'auto',
): { value: string; note?: string } {
  const asText = text === 'auto' ? new Utf8Validator().write(kept) < 0 : text;
  const value = asText ? utf8(kept) : hexBytes(kept, 256);
  const note = truncationNote(kept.length, total);
  return note === undefined ? { value } : { value, note };
}
