/**
 * Builds inspector-channel records (protocol v1) for made-up connections: the bytes each way
 * with their times, as the server's capture would send them.
 */
import type { CaptureRecord, Dir } from '../../../src/playground/inspector/protocol.ts';

const enc = new TextEncoder();

/** Bytes of a string: UTF-8. */
export function bytes(s: string): Uint8Array {
  return enc.encode(s);
}

/** Base64 of bytes. */
export function b64(data: Uint8Array): string {
  return Buffer.from(data).toString('base64');
}

/** A WebSocket frame (RFC 6455 §5.2), masked with `mask` when given (client frames). */
export function wsFrame(opcode: number, payload: Uint8Array, mask?: number[], fin = true): Uint8Array {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = new Uint8Array(head + (mask ? 4 : 0) + len);
  out[0] = (fin ? 0x80 : 0) | opcode;
  if (len < 126) out[1] = len;
  else if (len < 65536) {
    out[1] = 126;
    out[2] = len >> 8;
    out[3] = len & 0xff;
  } else {
    out[1] = 127;
    new DataView(out.buffer).setBigUint64(2, BigInt(len));
  }
  let at = head;
  if (mask) {
    out[1]! |= 0x80;
    out.set(mask, at);
    at += 4;
  }
  for (let i = 0; i < len; i++) out[at + i] = mask ? payload[i]! ^ mask[i % 4]! : payload[i]!;
  return out;
}

/** Writes records for connections one call at a time, numbering seqs and tracking offsets. */
export class RecordWriter {
  readonly records: CaptureRecord[] = [];
  private seq: number;
  private readonly offs = new Map<string, number>();

  /** `afterSeq`: the seq the first record follows (to continue a capture already applied). */
  constructor(afterSeq = 0) {
    this.seq = afterSeq;
  }

  open(conn: number, t: number, port = 50_000 + conn): this {
    this.records.push({
      seq: ++this.seq,
      kind: 'open',
      conn,
      t,
      client: { address: '127.0.0.1', port },
      server: { port: 4321 },
    });
    return this;
  }

  data(conn: number, t: number, dir: Dir, data: Uint8Array | string): this {
    const b = typeof data === 'string' ? bytes(data) : data;
    const key = `${conn}:${dir}`;
    const off = this.offs.get(key) ?? 0;
    this.offs.set(key, off + b.length);
    this.records.push({ seq: ++this.seq, kind: 'data', conn, t, dir, off, b64: b64(b) });
    return this;
  }

  /** Skips `n` bytes of a direction, as if the capture lost them. */
  skip(conn: number, dir: Dir, n: number): this {
    const key = `${conn}:${dir}`;
    this.offs.set(key, (this.offs.get(key) ?? 0) + n);
    return this;
  }

  end(conn: number, t: number, dir: Dir): this {
    this.records.push({ seq: ++this.seq, kind: 'end', conn, t, dir });
    return this;
  }

  close(
    conn: number,
    t: number,
    how: 'fin' | 'reset' | 'timeout' | 'destroyed' = 'fin',
    by: 'client' | 'server' = 'client',
  ): this {
    this.records.push({ seq: ++this.seq, kind: 'close', conn, t, how, by });
    return this;
  }

  note(conn: number, t: number, text: string): this {
    this.records.push({ seq: ++this.seq, kind: 'note', conn, t, text });
    return this;
  }
}

export const SSE_REQUEST =
  'GET /lab/s3ss10n_x/sse HTTP/1.1\r\nHost: 127.0.0.1:4321\r\nAccept: text/event-stream\r\n\r\n';
export const SSE_HEAD =
  'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n';

/** An HTTP/1.1 chunk carrying `text`. */
export function chunk(text: string): string {
  return `${bytes(text).length.toString(16)}\r\n${text}\r\n`;
}

export const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const WS_REQUEST = `GET /lab/s3ss10n_x/echo HTTP/1.1\r\nHost: 127.0.0.1:4321\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${WS_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
export const WS_SWITCHED =
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';
