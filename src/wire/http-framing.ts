/**
 * Where an HTTP/1.1 body ends (RFC 9112 §6.3): no body, Content-Length, chunked, or the end of
 * the connection — decided from the head and, for a response, the request it answers.
 */
import { headerTokens, headerValues } from './http-head.ts';
import type { BodyFraming, HttpMessage } from './http-head.ts';

export interface Framing {
  framing: BodyFraming;
  length?: number;
  /** Why the body cannot be delimited; the parser stops (RFC 9112 §6.3 treats it as unrecoverable). */
  error?: string;
  /** The header at fault (lower-case), for the error's byte range. */
  header?: string;
  note?: string;
}

/** Returns how the body of `msg` is delimited, per the ordered rules of RFC 9112 §6.3. */
export function bodyFraming(msg: HttpMessage): Framing {
  const headers = msg.headers;
  if (msg.kind === 'http-response') {
    // Rule 1: HEAD responses, 1xx, 204 and 304 end at the blank line.
    if (msg.requestMethod === 'HEAD')
      return { framing: 'none', note: 'answers HEAD: no body, whatever the headers say (RFC 9112 §6.3)' };
    if (msg.status < 200) return { framing: 'none' };
    if (msg.status === 204 || msg.status === 304)
      return { framing: 'none', note: `${msg.status}: never has a body (RFC 9112 §6.3)` };
    // Rule 2: a 2xx to CONNECT turns the connection into a tunnel.
    if (msg.requestMethod === 'CONNECT' && msg.status < 300) return { framing: 'none' };
  }
  const codings = headerTokens(headers, 'transfer-encoding');
  const lengths = headerValues(headers, 'content-length');
  if (codings.length > 0) {
    // Rule 3: Transfer-Encoding wins over Content-Length; chunked must be the last coding.
    const chunked = codings[codings.length - 1] === 'chunked';
    const notes: string[] = [];
    if (lengths.length > 0)
      notes.push(
        'Transfer-Encoding overrides Content-Length; sending both is a request-smuggling red flag (RFC 9112 §6.3)',
      );
    if (codings.length > 1) notes.push(`body coded ${codings.join(', ')}: shown as received`);
    const note = notes.length > 0 ? notes.join('; ') : undefined;
    if (chunked) return note ? { framing: 'chunked', note } : { framing: 'chunked' };
    if (msg.kind === 'http-request') {
      return {
        framing: 'none',
        error: 'a request with Transfer-Encoding must end with chunked (RFC 9112 §6.3)',
        header: 'transfer-encoding',
      };
    }
    return {
      framing: 'close',
      note: 'Transfer-Encoding without chunked: the body runs until the connection closes (RFC 9112 §6.3)',
    };
  }
  if (lengths.length > 0) {
    // Rule 5: every Content-Length value must be the same decimal number (RFC 9110 §8.6 allows "42, 42").
    const values = lengths.flatMap((v) => v.split(',')).map((v) => v.trim());
    const first = values[0] ?? '';
    if (!/^\d+$/.test(first) || values.some((v) => v !== first) || Number(first) > Number.MAX_SAFE_INTEGER) {
      return {
        framing: 'none',
        error: `invalid Content-Length "${lengths.join(', ')}" (RFC 9112 §6.3)`,
        header: 'content-length',
      };
    }
    return { framing: 'length', length: Number(first) };
  }
  // Rules 6 and 7: a request without either has no body; a response runs to the end of the connection.
  if (msg.kind === 'http-request') return { framing: 'none' };
  return {
    framing: 'close',
    note: 'no Content-Length and not chunked: the body ends when the server closes (RFC 9112 §6.3)',
  };
}
