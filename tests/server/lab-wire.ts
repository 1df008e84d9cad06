/**
 * Raw HTTP over node:net for the lab tests: writes a request byte for byte and reads the answer
 * as it arrives, decoding chunked framing itself, so tests can check what is on the wire and
 * when each chunk arrived. Also a small incremental SSE parser (WHATWG HTML event stream rules).
 */
import net from 'node:net';
import WebSocket from 'ws';

export interface RawChunk {
  /** The chunk's data (chunked framing removed). */
  readonly data: Buffer;
  /** The chunk's bytes as framed on the wire (`size\r\n data \r\n`). */
  readonly framed: Buffer;
  /** performance.now() when its last byte arrived. */
  readonly at: number;
}

export interface RawResponse {
  readonly status: number;
  readonly head: string;
  /** Header names lower-cased; repeated headers joined with ", ". */
  readonly headers: Record<string, string>;
  readonly chunked: boolean;
  /** Chunks as they arrived (for a Content-Length body: each read). */
  readonly chunks: RawChunk[];
  readonly body: Buffer;
  /** performance.now() at the request write, at the head, and at the end. */
  readonly sentAt: number;
  readonly headAt: number;
  readonly endAt: number;
  /** `complete`: last chunk / Content-Length reached. `cut`: the connection closed mid-body. */
  readonly end: 'complete' | 'cut';
  /** Every byte received, as received. */
  readonly wire: Buffer;
  /** Reads that arrived, with their times. */
  readonly reads: Array<{ bytes: number; at: number }>;
}

export interface RawOptions {
  /** Called with each chunk's data as it arrives. Return true to stop reading (the socket is destroyed). */
  onChunk?(data: Buffer, at: number): boolean | undefined;
  /** Give up after this many ms (rejects). Default 10 s. */
  timeoutMs?: number;
  /** Address to connect to. Default 127.0.0.1. */
  host?: string;
}

/** Builds a request: `GET /path HTTP/1.1` with Host, `Connection: close`, extra headers and body. */
export function request(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = '',
): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Sends `text` on a new connection to `port` and reads one response (to its end, or the cut). */
export function raw(port: number, text: string, options: RawOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, options.host ?? '127.0.0.1');
    const sentAt = performance.now();
    let wire = Buffer.alloc(0);
    let pending = Buffer.alloc(0);
    const reads: Array<{ bytes: number; at: number }> = [];
    const chunks: RawChunk[] = [];
    let head: { status: number; head: string; headers: Record<string, string>; at: number } | undefined;
    let chunked = false;
    let length = -1; // Content-Length, or -1: until close
    let got = 0;
    let done = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `no complete response within ${options.timeoutMs ?? 10_000} ms: ${wire.toString('latin1').slice(0, 300)}`,
        ),
      );
    }, options.timeoutMs ?? 10_000);

    const finish = (end: 'complete' | 'cut'): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (!head) {
        reject(
          new Error(`connection closed before a response head: ${JSON.stringify(wire.toString('latin1'))}`),
        );
        return;
      }
      resolve({
        ...head,
        headAt: head.at,
        chunked,
        chunks,
        body: Buffer.concat(chunks.map((c) => c.data)),
        sentAt,
        endAt: performance.now(),
        end,
        wire,
        reads,
      });
    };
    const take = (data: Buffer, framed: Buffer, at: number): void => {
      chunks.push({ data, framed, at });
      if (options.onChunk?.(data, at)) finish('cut');
    };

    socket.on('data', (bytes: Buffer) => {
      const at = performance.now();
      reads.push({ bytes: bytes.length, at });
      wire = Buffer.concat([wire, bytes]);
      pending = Buffer.concat([pending, bytes]);
      if (!head) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const text = pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(end + 4);
        const [statusLine = '', ...lines] = text.split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const colon = line.indexOf(':');
          const name = line.slice(0, colon).trim().toLowerCase();
          const value = line.slice(colon + 1).trim();
          headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
        }
        head = { status: Number(statusLine.split(' ')[1]), head: text, headers, at };
        chunked = /chunked/i.test(headers['transfer-encoding'] ?? '');
        length = headers['content-length'] === undefined ? -1 : Number(headers['content-length']);
        if (!chunked && (length === 0 || head.status === 204 || head.status === 304 || head.status === 101)) {
          return finish('complete');
        }
      }
      if (chunked) {
        for (;;) {
          const eol = pending.indexOf('\r\n');
          if (eol < 0) return;
          const size = Number.parseInt(pending.subarray(0, eol).toString('latin1'), 16);
          if (size === 0) {
            if (pending.length < eol + 4) return;
            return finish('complete');
          }
          if (pending.length < eol + 2 + size + 2) return;
          const framed = pending.subarray(0, eol + 2 + size + 2);
          take(pending.subarray(eol + 2, eol + 2 + size), framed, at);
          if (done) return;
          pending = pending.subarray(eol + 2 + size + 2);
        }
      }
      if (pending.length > 0) {
        got += pending.length;
        take(pending, pending, at);
        pending = Buffer.alloc(0);
      }
      if (length >= 0 && got >= length) finish('complete');
    });
    socket.on('error', () => finish('cut'));
    socket.on('close', () => finish(length < 0 && !chunked ? 'complete' : 'cut'));
    socket.write(text);
  });
}

export interface SseEvent {
  id: string;
  event: string;
  data: string;
}

/**
 * An incremental event-stream parser (WHATWG HTML §9.2.6): feed it text as it arrives; it
 * returns complete events and keeps comments. A partial event at a disconnect is discarded.
 */
export class SseParser {
  /** The id to resume after: set when an event is dispatched, not when its `id:` line is read. */
  lastEventId = '';
  private idBuffer = '';
  retry: number | undefined;
  readonly comments: string[] = [];
  private buffer = '';
  private data: string[] = [];
  private type = '';
  private sawData = false;

  push(text: string): SseEvent[] {
    this.buffer += text;
    const events: SseEvent[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      // A lone CR at the end may be the first half of CRLF: wait for more.
      if (!m || (m[0] === '\r' && m.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      if (line === '') {
        this.lastEventId = this.idBuffer;
        if (this.sawData)
          events.push({ id: this.lastEventId, event: this.type || 'message', data: this.data.join('\n') });
        this.data = [];
        this.type = '';
        this.sawData = false;
        continue;
      }
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1));
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') {
        this.data.push(value);
        this.sawData = true;
      } else if (field === 'event') this.type = value;
      else if (field === 'id' && !value.includes('\0')) this.idBuffer = value;
      else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
    }
    return events;
  }

  /** The connection ended: forget the event in progress, its `id:` line included. */
  reset(): void {
    this.idBuffer = this.lastEventId;
    this.buffer = '';
    this.data = [];
    this.type = '';
    this.sawData = false;
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Tries a WebSocket handshake to `url` that should be refused; resolves the HTTP status and body. */
export function refusedHandshake(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => reject(new Error('the handshake was accepted')));
    ws.on('error', () => {});
  });
}
