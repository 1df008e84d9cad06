/**
 * HTTP/1.1 heads (RFC 9112): reading lines out of the queue, turning a request line, status line
 * or field line into fields with byte ranges — or into the error at its offset — and the
 * request/response items a head becomes.
 */
import type { ByteQueue } from './byte-queue.ts';
import type { Direction, Field } from './bytes.ts';
import { field, latin1, utf8 } from './bytes.ts';
import type { WireError } from './errors.ts';
import { markError, wireError } from './errors.ts';

/** One line: its content (without the line end) and where it and its line end lie. */
export interface Line {
  bytes: Uint8Array;
  start: number;
  eolStart: number;
  end: number;
}

/** Reads lines out of a ByteQueue, remembering how far it looked so a long line is scanned once. */
export class LineReader {
  private scanned = 0;

  /** Returns the next line (consumed), null while its LF has not arrived, 'too-long' past `max` bytes. */
  read(q: ByteQueue, max: number): Line | null | 'too-long' {
    const lf = q.indexOf(0x0a, this.scanned);
    if (lf < 0 || lf >= max) {
      this.scanned = q.length;
      return q.length >= max ? 'too-long' : null;
    }
    this.scanned = 0;
    const start = q.offset;
    const raw = q.consume(lf + 1);
    const content = lf > 0 && raw[lf - 1] === 0x0d ? lf - 1 : lf;
    return { bytes: raw.subarray(0, content), start, eolStart: start + content, end: start + lf + 1 };
  }
}

/** Returns the 'eol' field for a line's CRLF (or bare LF, which RFC 9112 §2.2 lets recipients accept). */
export function eolField(line: Line, dir: Direction, kind = 'eol'): Field {
  const crlf = line.end - line.eolStart === 2;
  return field(kind, crlf ? 'CRLF' : 'LF', dir, line.eolStart, line.end, {
    note: crlf ? undefined : 'bare LF: RFC 9112 §2.2 lets a recipient accept it, a sender must send CRLF',
  });
}

/** A parsed line: its field, the values read from it, or the error that stops the parser. */
export interface ParsedLine {
  field: Field;
  parts: string[];
  error?: WireError;
  note?: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VERSION = /^HTTP\/\d\.\d$/;
// RFC 9110 §5.5: field values are VCHAR, SP, HTAB and obs-text; no other control bytes.
const BAD_VALUE_BYTE = /[\x00-\x08\x0a-\x1f\x7f]/;

/** Returns the request line `method SP request-target SP HTTP-version` (RFC 9112 §3) as fields; parts = [method, target, version]. */
export function parseRequestLine(line: Line, dir: Direction): ParsedLine {
  const text = latin1(line.bytes);
  const s = line.start;
  const f = field('request-line', text, dir, s, line.end, { children: [] });
  const fail = (message: string, at: number, len = 1): ParsedLine => {
    const error = wireError(message, s + at, s + at + len);
    markError(f, error);
    return { field: f, parts: [], error };
  };
  const cr = text.indexOf('\r');
  if (cr >= 0) return fail('bare CR inside the request line (RFC 9112 §2.2)', cr);
  const words = text.split(' ');
  if (words.length !== 3)
    return fail('a request line is method SP request-target SP HTTP-version (RFC 9112 §3)', 0, text.length);
  const [method, target, version] = words as [string, string, string];
  const tAt = method.length + 1;
  const vAt = tAt + target.length + 1;
  if (!TOKEN.test(method))
    return fail('the method must be a token (RFC 9110 §9.1)', 0, Math.max(method.length, 1));
  if (!/^[\x21-\x7e]+$/.test(target))
    return fail(
      'the request-target must be visible ASCII without spaces (RFC 9112 §3.2)',
      tAt,
      Math.max(target.length, 1),
    );
  if (!VERSION.test(version))
    return fail('the version must be HTTP/x.y (RFC 9112 §2.3)', vAt, Math.max(version.length, 1));
  f.children = [
    field('method', method, dir, s, s + method.length, { value: method }),
    field('target', target, dir, s + tAt, s + tAt + target.length, { value: target }),
    field('version', version, dir, s + vAt, s + vAt + version.length, { value: version }),
    eolField(line, dir),
  ];
  return { field: f, parts: [method, target, version] };
}

/** Returns the status line `HTTP-version SP status-code SP [reason-phrase]` (RFC 9112 §4) as fields; parts = [version, status, reason]. */
export function parseStatusLine(line: Line, dir: Direction): ParsedLine {
  const text = latin1(line.bytes);
  const s = line.start;
  const f = field('status-line', text, dir, s, line.end, { children: [] });
  const fail = (message: string, at: number, len = 1): ParsedLine => {
    const error = wireError(message, s + at, s + at + len);
    markError(f, error);
    return { field: f, parts: [], error };
  };
  const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/s.exec(text);
  if (!m) {
    if (!text.startsWith('HTTP/'))
      return fail('a response starts with HTTP/x.y (RFC 9112 §4)', 0, Math.min(5, Math.max(text.length, 1)));
    return fail(
      'a status line is HTTP-version SP 3-digit status SP reason (RFC 9112 §4)',
      0,
      text.length || 1,
    );
  }
  const [, version = '', status = '', reason] = m;
  const bad = reason === undefined ? -1 : reason.search(BAD_VALUE_BYTE);
  if (bad >= 0) return fail('control byte in the reason phrase (RFC 9112 §4)', 13 + bad);
  const children = [
    field('version', version, dir, s, s + 8, { value: version }),
    field('status', status, dir, s + 9, s + 12, { value: status }),
  ];
  if (reason) children.push(field('reason', reason, dir, s + 13, s + 13 + reason.length, { value: reason }));
  children.push(eolField(line, dir));
  f.children = children;
  const note =
    reason === undefined
      ? 'no SP after the status code: RFC 9112 §4 asks for one even with no reason'
      : undefined;
  if (note) f.note = note;
  return { field: f, parts: [version, status, reason ?? ''] };
}

/** Returns a field line `name ":" OWS value OWS` (RFC 9112 §5) as a 'header' (or 'trailer') field; parts = [name, value]. */
export function parseFieldLine(line: Line, dir: Direction, kind: 'header' | 'trailer'): ParsedLine {
  const text = latin1(line.bytes);
  const s = line.start;
  const colon = text.indexOf(':');
  const name = colon >= 0 ? text.slice(0, colon) : text;
  const f = field(kind, name || '(no name)', dir, s, line.end, { children: [] });
  const fail = (message: string, at: number, len = 1): ParsedLine => {
    const error = wireError(message, s + at, s + at + len);
    markError(f, error);
    return { field: f, parts: [], error };
  };
  if (text[0] === ' ' || text[0] === '\t')
    return fail('obsolete line folding: a field line may not start with whitespace (RFC 9112 §5.2)', 0);
  if (colon < 0) return fail('a field line needs a colon (RFC 9112 §5)', 0, text.length || 1);
  if (/[ \t]$/.test(name))
    return fail('no whitespace allowed between the field name and the colon (RFC 9112 §5.1)', colon - 1);
  if (!TOKEN.test(name)) return fail('the field name must be a token (RFC 9110 §5.1)', 0, Math.max(colon, 1));
  // RFC 9112 §5: optional whitespace around the value is not part of it.
  let vs = colon + 1;
  let ve = text.length;
  while (vs < ve && (text[vs] === ' ' || text[vs] === '\t')) vs++;
  while (ve > vs && (text[ve - 1] === ' ' || text[ve - 1] === '\t')) ve--;
  const bad = text.slice(vs, ve).search(BAD_VALUE_BYTE);
  if (bad >= 0) return fail('control byte in the field value (RFC 9110 §5.5)', vs + bad);
  const value = utf8(line.bytes.subarray(vs, ve));
  f.value = value;
  // Trailers use the same child kinds as headers: the UI draws them alike.
  const children = [field('header-name', name, dir, s, s + colon, { value: name })];
  if (ve > vs) children.push(field('header-value', value, dir, s + vs, s + ve, { value }));
  children.push(eolField(line, dir));
  f.children = children;
  return { field: f, parts: [name, value] };
}

/** Returns every value of header `name` (case-insensitive), in order. */
export function headerValues(headers: ReadonlyArray<readonly [string, string]>, name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** Returns the comma-separated list elements of header `name`, lower-cased and trimmed (RFC 9110 §5.6.1). */
export function headerTokens(headers: ReadonlyArray<readonly [string, string]>, name: string): string[] {
  return headerValues(headers, name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
}

/** Returns the media type of Content-Type, lower-cased, without parameters ('' when absent). */
export function mediaType(headers: ReadonlyArray<readonly [string, string]>): string {
  const v = headerValues(headers, 'content-type')[0] ?? '';
  return (v.split(';')[0] ?? '').trim().toLowerCase();
}

export type BodyFraming = 'length' | 'chunked' | 'close' | 'none';

interface HttpMessageHelpers {
  version: string;
  headers: Array<[string, string]>;
  /** How the body is delimited (RFC 9112 §6.3). */
  framing: BodyFraming;
  contentLength?: number;
  /** Decoded body bytes so far (updated in place while the body streams). */
  bodyBytes: number;
  /** Data chunks so far (chunked framing). */
  chunks: number;
  /** True once the whole body has arrived. */
  complete: boolean;
}

export interface HttpRequest extends Field, HttpMessageHelpers {
  kind: 'http-request';
  method: string;
  target: string;
}

export interface HttpResponse extends Field, HttpMessageHelpers {
  kind: 'http-response';
  status: number;
  reason: string;
  /** Method of the request this answers (HEAD and CONNECT change the framing). */
  requestMethod?: string;
  /** Last-Event-ID the request carried: an EventSource reconnecting starts from it. */
  requestLastEventId?: string;
}

export type HttpMessage = HttpRequest | HttpResponse;

/** Returns the item for a message whose start line was just read (helpers filled in as the head goes on). */
export function newMessage(
  parsed: ParsedLine,
  isRequest: boolean,
  start: number,
  end: number,
  t: number | undefined,
  leading: Field[],
): HttpMessage {
  const dir = parsed.field.dir;
  const kind = isRequest ? 'http-request' : 'http-response';
  const base = field(kind, parsed.field.label, dir, start, end, {
    t,
    children: [...leading, parsed.field],
    note: parsed.note,
  });
  const helpers: HttpMessageHelpers = {
    version: '',
    headers: [],
    framing: 'none',
    bodyBytes: 0,
    chunks: 0,
    complete: false,
  };
  const [a = '', b = '', c = ''] = parsed.parts;
  return isRequest
    ? { ...base, ...helpers, kind: 'http-request', version: c, method: a, target: b }
    : { ...base, ...helpers, kind: 'http-response', version: a, status: Number(b), reason: c };
}
