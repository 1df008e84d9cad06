/**
 * A small server for the capture and inspector tests: a bare http.Server with
 * the capture attached, a few `/lab/<session>/…` handlers that write known
 * bytes, a site page that must never be recorded, and the inspector channel.
 * Plus a raw TCP client and an inspector client that collects what it is sent.
 */
import http from 'node:http';
import net from 'node:net';
import { after } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { type Capture, createCapture } from '../../server/capture/index.ts';
import { type Config, config as defaults } from '../../server/config.ts';
import { createInspector, type Inspector, type InspectorOptions } from '../../server/inspect/index.ts';
import { parseLabPath } from '../../server/session-path.ts';

export interface Harness {
  readonly port: number;
  readonly capture: Capture;
  readonly inspector: Inspector;
  readonly server: http.Server;
  close(): Promise<void>;
}

export const PLAIN_BODY = 'hello, wire';
/** What the `texts` endpoint writes, each with its encoding (latin1 \xe9 is one byte, utf8 é two). */
export const TEXTS: Array<[string, BufferEncoding]> = [
  ['caf\u00e9 ', 'latin1'],
  ['caf\u00e9 中文 ', 'utf8'],
  ['776972650a', 'hex'],
  ['bGFi', 'base64'],
];
/** Larger than the capture copies into its arena, and not ASCII. */
export const LARGE_TEXT = '推送 '.repeat(2_000);
export const CHUNKS = ['first chunk\n', 'second, a bit longer chunk\n', 'third\n'];
export const SSE_EVENTS = [
  'id: 1\ndata: one\n\n',
  'id: 2\ndata: two\n\n',
  ': a comment\n\nid: 3\ndata: three\n\n',
];

/**
 * Starts the harness on a free loopback port; it closes when the test file ends. `inspectorOptions`
 * go to createInspector (a `movedFrom` hook standing in for the shared Redis layer).
 */
export async function startHarness(
  overrides: Partial<Config> = {},
  inspectorOptions: InspectorOptions = {},
): Promise<Harness> {
  const cfg: Config = { ...defaults, inspectorBatchMs: 5, inspectorSustainedBatchMs: 5, ...overrides };
  const capture = createCapture(cfg);
  const inspector = createInspector(cfg, capture, (req) => req.socket.remoteAddress ?? '', inspectorOptions);
  const server = http.createServer({ keepAliveTimeout: cfg.keepAliveTimeoutMs });
  (server as { keepAliveTimeoutBuffer?: number }).keepAliveTimeoutBuffer = 0; // Node 24 adds 1 s by default
  capture.attach(server);
  const echo = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://harness.invalid');
    if (url.pathname === '/index.html') {
      res.setHeader('Content-Type', 'text/html');
      res.end('<!doctype html><title>site page</title>');
      return;
    }
    const lab = parseLabPath(url.pathname);
    if (!lab.ok) {
      res.statusCode = 404;
      res.end('not here');
      return;
    }
    labHandler(lab.endpoint, url, req, res, capture);
  });
  server.on('upgrade', (req, socket, head) => {
    if (inspector.handleUpgrade(req, socket, head)) return;
    if ((req.url ?? '').endsWith('/echo')) {
      echo.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => {});
        ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      });
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  let closing: Promise<void> | undefined;
  const h: Harness = {
    port,
    capture,
    inspector,
    server,
    close() {
      closing ??= (async () => {
        await inspector.close();
        for (const ws of echo.clients) ws.terminate();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        capture.close();
      })();
      return closing;
    },
  };
  after(() => h.close());
  return h;
}

function labHandler(
  endpoint: string,
  url: URL,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  capture: Capture,
) {
  if (endpoint === 'unread') {
    // Reads nothing of the body: once Node's buffers are full, the rest waits in the kernel's.
    res.write('partial');
    setTimeout(() => req.socket.destroy(), 50);
    return;
  }
  const body: Buffer[] = [];
  req.on('data', (c: Buffer) => body.push(c));
  req.on('end', () => {
    switch (endpoint) {
      case 'plain':
        res.setHeader('Content-Type', 'text/plain');
        res.end(PLAIN_BODY);
        return;
      case 'length':
        res.end(`received ${Buffer.concat(body).length} bytes`);
        return;
      case 'chunked':
        writeSlowly(res, CHUNKS, () => res.end());
        return;
      case 'sse':
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
        writeSlowly(res, SSE_EVENTS, () => res.end());
        return;
      case 'texts': {
        // Strings written in several encodings: corked (one writev) and alone, small and large.
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.socket?.cork();
        for (const [text, encoding] of TEXTS) res.write(text, encoding);
        process.nextTick(() => {
          res.socket?.uncork();
          res.write(LARGE_TEXT);
          res.end('终');
        });
        return;
      }
      case 'bytes': {
        // `n` bytes of a repeating pattern, in writes of `size`, each a fresh Buffer (as real data is)
        const n = Number(url.searchParams.get('n') ?? 1024);
        const size = Number(url.searchParams.get('size') ?? 1024);
        res.setHeader('Content-Length', n);
        let left = n;
        const more = () => {
          while (left > 0) {
            const part = Buffer.alloc(Math.min(size, left), 'abcdefghijklmnopqrstuvwxyz');
            left -= part.length;
            if (!res.write(part)) return void res.once('drain', more);
          }
          res.end();
        };
        more();
        return;
      }
      case 'drip': {
        // `n` small writes, each in its own turn of the event loop (or `every` ms apart): `n` records
        const n = Number(url.searchParams.get('n') ?? 10);
        const every = Number(url.searchParams.get('every') ?? 0);
        let i = 0;
        const next = () => {
          if (i === n) return void res.end();
          res.write(`drop ${i++}\n`);
          if (every > 0) setTimeout(next, every);
          else setImmediate(next);
        };
        next();
        return;
      }
      case 'no-content':
        res.statusCode = 204;
        res.end();
        return;
      case 'note':
        capture.note(req.socket, 'bound test: this note names the bound that closed the connection');
        res.end('noted');
        return;
      case 'destroy':
        res.write('partial');
        setTimeout(() => req.socket.destroy(), 10);
        return;
      case 'reset':
        res.write('partial');
        setTimeout(() => req.socket.resetAndDestroy(), 10);
        return;
      case 'close':
        res.setHeader('Connection', 'close');
        res.end('bye');
        return;
      default:
        res.statusCode = 404;
        res.end('no such endpoint');
    }
  });
}

function writeSlowly(res: http.ServerResponse, parts: string[], done: () => void) {
  let i = 0;
  const next = () => {
    if (i === parts.length) return done();
    res.write(parts[i++]!);
    setTimeout(next, 5);
  };
  next();
}

/** A fresh, valid, random session id. */
export function sessionId(): string {
  return `c${crypto.randomUUID().replaceAll('-', '')}`;
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns true; throws with `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

/** A TCP client that keeps exactly what it sent and what it received. */
export class RawClient {
  readonly socket: net.Socket;
  private readonly sentParts: Buffer[] = [];
  private readonly gotParts: Buffer[] = [];
  ended = false;
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => this.gotParts.push(d));
    socket.on('end', () => {
      this.ended = true;
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  send(data: string | Buffer): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    this.sentParts.push(bytes);
    this.socket.write(bytes);
  }

  get sent(): Buffer {
    return Buffer.concat(this.sentParts);
  }

  get received(): Buffer {
    return Buffer.concat(this.gotParts);
  }

  /** Waits until what was received contains `text` (latin1) `times` times. */
  async waitFor(text: string, times = 1, timeoutMs?: number): Promise<void> {
    const what = `${JSON.stringify(text)} ×${times}`;
    await until(() => this.received.toString('latin1').split(text).length > times, what, timeoutMs);
  }

  async waitClosed(): Promise<void> {
    await until(() => this.closed, 'the socket to close');
  }
}

/** A request head for the harness. */
export function get(path: string, extra = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: raw-test\r\n${extra}\r\n`;
}

// ---- the inspector, as a client sees it

export interface WireRecord {
  seq: number;
  kind: 'open' | 'data' | 'end' | 'close' | 'timeout' | 'note' | 'moved';
  conn: number;
  t: number;
  dir?: 'in' | 'out';
  off?: number;
  b64?: string;
  /** Versions 2 and 3: how many bytes of the frame are this record's. */
  len?: number;
  how?: string;
  cause?: string;
  unseen?: boolean;
  unread?: number;
  before?: { in: number; out: number };
  by?: string;
  error?: string;
  text?: string;
  reused?: boolean;
  client?: { address: string; port: number };
  server?: { port: number };
}

export interface WireMessage {
  type: 'hello' | 'records' | 'dropped' | 'forgotten' | 'live';
  records?: WireRecord[];
  [key: string]: unknown;
}

/**
 * Reads a records frame of version 2 or 3 (docs/inspector-protocol.md) the way the spec says, into
 * the version 1 shape (`b64`), checking that its lengths add up to the frame exactly. Version 3's
 * data records, `[seq, conn, t, dir, off, len]`, become objects; `compact` counts them.
 */
function fromBinaryFrame(frame: Buffer): { msg: WireMessage; compact: number } {
  const headLength = frame.readUInt32BE(0);
  const msg = JSON.parse(frame.subarray(4, 4 + headLength).toString('utf8')) as WireMessage;
  let compact = 0;
  msg.records = (msg.records ?? []).map((r: WireRecord | unknown[]) => {
    if (!Array.isArray(r)) return r;
    compact += 1;
    if (r.length !== 6 || !r.every((n) => Number.isSafeInteger(n) && (n as number) >= 0))
      throw new Error(`version 3: a data record is six whole numbers, not ${JSON.stringify(r)}`);
    const [seq, conn, t, dir, off, len] = r as number[];
    if (dir !== 0 && dir !== 1) throw new Error(`version 3: dir is 0 or 1, not ${dir}`);
    return { seq: seq!, kind: 'data', conn: conn!, t: t!, dir: dir === 0 ? 'in' : 'out', off, len };
  });
  let at = 4 + headLength;
  for (const r of msg.records) {
    if (r.kind !== 'data') continue;
    if (r.b64 !== undefined || typeof r.len !== 'number')
      throw new Error('binary records: a data record has len, no b64');
    r.b64 = frame.subarray(at, at + r.len).toString('base64');
    at += r.len;
  }
  if (at !== frame.length)
    throw new Error(`binary records: the lengths add up to ${at}, the frame has ${frame.length}`);
  return { msg, compact };
}

/** Collects everything an inspector channel sends. */
export class InspectorClient {
  readonly ws: WebSocket;
  readonly messages: WireMessage[] = [];
  readonly records: WireRecord[] = [];
  closeCode = 0;
  closeReason = '';
  closed = false;
  /** Frames that came binary (the records of versions 2 and 3). */
  binaryFrames = 0;
  /** Data records that came as version 3's arrays. */
  compactRecords = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      let msg: WireMessage;
      if (isBinary) {
        const read = fromBinaryFrame(data as Buffer);
        msg = read.msg;
        this.binaryFrames += 1;
        this.compactRecords += read.compact;
      } else {
        msg = JSON.parse(String(data)) as WireMessage;
      }
      this.messages.push(msg);
      if (msg.type === 'records') this.records.push(...(msg.records ?? []));
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = String(reason);
      this.closed = true;
    });
    ws.on('error', () => {});
  }

  /** Opens `/inspect/<session>` (with `query`) and waits for the hello. */
  static async open(port: number, session: string, query = ''): Promise<InspectorClient> {
    const client = new InspectorClient(new WebSocket(`ws://127.0.0.1:${port}/inspect/${session}${query}`));
    await until(() => client.messages.length > 0 || client.closed, 'the inspector hello');
    return client;
  }

  get hello(): WireMessage | undefined {
    return this.messages.find((m) => m.type === 'hello');
  }

  get live(): boolean {
    return this.messages.some((m) => m.type === 'live');
  }

  /** Returns every captured byte of conn + dir, checking the offsets run without a gap. */
  bytes(conn: number, dir: 'in' | 'out'): Buffer {
    const parts: Buffer[] = [];
    let off = 0;
    for (const r of this.records) {
      if (r.kind !== 'data' || r.conn !== conn || r.dir !== dir) continue;
      if (r.off !== off) throw new Error(`conn ${conn} ${dir}: gap at ${off}, next record at ${r.off}`);
      const b = Buffer.from(r.b64 ?? '', 'base64');
      parts.push(b);
      off += b.length;
    }
    return Buffer.concat(parts);
  }

  /** Waits until the records received satisfy `check`. */
  async waitFor(check: (records: WireRecord[]) => boolean, what: string, timeoutMs?: number): Promise<void> {
    await until(() => check(this.records), what, timeoutMs);
  }

  /** Waits until conn + dir holds `length` bytes. */
  async waitBytes(conn: number, dir: 'in' | 'out', length: number): Promise<void> {
    await until(() => this.bytes(conn, dir).length >= length, `${length} bytes on conn ${conn} ${dir}`);
  }

  close(): void {
    this.ws.close();
  }
}
