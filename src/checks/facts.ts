/**
 * The facts of a Run, from the records of the session's capture: every connection's bytes are
 * dissected (`src/wire/`) and read back as exchanges, SSE events and WebSocket frames — what
 * a lesson's checks look at.
 */
import type {
  Field,
  HttpRequest,
  HttpResponse,
  SseEvent as WireSseEvent,
  WsFrame as WireWsFrame,
  WsMessage as WireWsMessage,
} from '../wire/index.ts';
import { ConnectionDissector } from '../wire/index.ts';
import type { ConnectionFacts, ConsoleEntry, HttpExchange, SseEvent, WireFacts, WsFrame } from './types.ts';

/** One record of the inspector channel (docs/inspector-protocol.md), bytes already decoded. */
export interface CaptureRecord {
  seq: number;
  kind: string;
  conn: number;
  t: number;
  dir?: 'in' | 'out';
  bytes?: Uint8Array;
  how?: string;
  text?: string;
}

const BODY_TEXT_LIMIT = 256 * 1024;

/**
 * The bytes one direction of a connection carried, as the records brought them, so a body can be
 * read back byte-exact by the offsets the dissector gives its fields. A body is decoded from its
 * bytes, not from each chunk's text: a chunk may end in the middle of a UTF-8 character.
 */
class ByteLog {
  private readonly pieces: { start: number; bytes: Uint8Array }[] = [];
  private total = 0;

  push(bytes: Uint8Array): void {
    this.pieces.push({ start: this.total, bytes });
    this.total += bytes.length;
  }

  /** The bytes in [start, end) of this direction's stream (as many as were recorded). */
  slice(start: number, end: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, Math.min(end, this.total) - start));
    for (const p of this.pieces) {
      const from = Math.max(start, p.start);
      const to = Math.min(end, p.start + p.bytes.length);
      if (from < to) out.set(p.bytes.subarray(from - p.start, to - p.start), from - start);
    }
    return out;
  }
}

/** One exchange's body bytes in each direction, gathered before they are decoded. */
interface BodyBytes {
  in: Uint8Array[];
  out: Uint8Array[];
}

/** Dissects the records and returns the facts the checks read. */
export function factsFromRecords(
  records: readonly CaptureRecord[],
  console: readonly ConsoleEntry[] = [],
): WireFacts {
  const conns = new Map<
    number,
    { dissector: ConnectionDissector; facts: ConnectionFacts; bytes: Record<'in' | 'out', ByteLog> }
  >();
  const conn = (id: number) => {
    let c = conns.get(id);
    if (!c) {
      c = {
        dissector: new ConnectionDissector(),
        facts: { conn: id, technique: 'http', bytesIn: 0, bytesOut: 0, closed: false, notes: [] },
        bytes: { in: new ByteLog(), out: new ByteLog() },
      };
      conns.set(id, c);
    }
    return c;
  };
  for (const r of records) {
    const c = conn(r.conn);
    if (r.kind === 'data' && r.dir && r.bytes) {
      c.dissector.push(r.dir, r.bytes, r.t);
      c.bytes[r.dir].push(r.bytes);
    } else if (r.kind === 'end' && r.dir) c.dissector.end(r.dir, r.t);
    else if (r.kind === 'close') {
      c.facts.closed = true;
      if (r.how !== undefined) c.facts.how = r.how;
    } else if (r.kind === 'note' && r.text) c.facts.notes.push(r.text);
  }

  const facts: WireFacts = {
    exchanges: [],
    sseEvents: [],
    wsFrames: [],
    connections: [],
    console: [...console],
  };
  for (const [id, { dissector, facts: cf, bytes }] of [...conns].sort((a, b) => a[0] - b[0])) {
    const summary = dissector.summary();
    cf.technique = summary.technique;
    cf.bytesIn = summary.bytesIn;
    cf.bytesOut = summary.bytesOut;
    facts.connections.push(cf);
    readItems(id, dissector.items, bytes, facts);
  }
  // In time order, whatever connection carried them: a kept-alive connection the browser
  // reused can carry the Run's latest request.
  const byTime = (a: { t: number }, b: { t: number }) => a.t - b.t;
  facts.exchanges.sort(byTime);
  facts.sseEvents.sort(byTime);
  facts.wsFrames.sort(byTime);
  return facts;
}

function readItems(
  conn: number,
  items: readonly Field[],
  wire: Record<'in' | 'out', ByteLog>,
  facts: WireFacts,
): void {
  const byExchange = new Map<number, HttpExchange>();
  const bodies = new Map<HttpExchange, BodyBytes>();
  const exchange = (n: number): HttpExchange | undefined => byExchange.get(n);
  for (const item of items) {
    const n = item.exchange ?? -1;
    switch (item.kind) {
      case 'http-request': {
        const req = item as HttpRequest;
        const target = new URL(req.target, 'http://lab.invalid');
        const ex: HttpExchange = {
          conn,
          method: req.method,
          path: target.pathname,
          endpoint: target.pathname.replace(/^\/lab\/[^/]+\//, ''),
          query: Object.fromEntries(target.searchParams),
          requestHeaders: headerRecord(req.headers),
          requestBody: '',
          responseHeaders: {},
          chunks: 0,
          responseBody: '',
          responseBodyBytes: 0,
          complete: false,
          t: req.t ?? 0,
        };
        byExchange.set(n, ex);
        bodies.set(ex, { in: [], out: [] });
        facts.exchanges.push(ex);
        break;
      }
      case 'http-response': {
        const res = item as HttpResponse;
        const ex = exchange(n);
        // 1xx are interim answers, except 101: the WebSocket handshake's final one.
        if (!ex || (res.status < 200 && res.status !== 101)) break;
        ex.status = res.status;
        ex.responseHeaders = headerRecord(res.headers);
        ex.framing = res.framing;
        ex.chunks = res.chunks;
        ex.complete = res.complete;
        break;
      }
      case 'body':
      case 'chunk': {
        const ex = exchange(n);
        if (!ex) break;
        const data = item.kind === 'body' ? item : item.children?.find((c) => c.kind === 'chunk-data');
        if (data) bodies.get(ex)?.[item.dir].push(wire[item.dir].slice(data.start, data.end));
        if (data && item.kind === 'chunk' && item.dir === 'out' && data.end > data.start) {
          ex.chunkData ??= [];
          ex.chunkData.push({ t: item.t ?? 0, text: decodeUtf8([wire.out.slice(data.start, data.end)]) });
        }
        break;
      }
      case 'sse-event': {
        const ev = item as WireSseEvent;
        if (!ev.dispatched) break;
        const out: SseEvent = {
          conn,
          t: ev.t ?? 0,
          type: ev.type,
          data: ev.value ?? '',
          lastEventId: ev.lastEventId,
        };
        if (ev.retry !== undefined) out.retry = ev.retry;
        facts.sseEvents.push(out);
        break;
      }
      case 'ws-frame': {
        const f = item as WireWsFrame;
        const frame: WsFrame = {
          conn,
          t: f.t ?? 0,
          dir: f.dir,
          opcode: f.opcode,
          fin: f.fin,
          masked: f.masked,
          length: f.length,
        };
        if (f.rsv1) frame.rsv1 = true;
        const payload = f.children?.find((c) => c.kind === 'ws-payload');
        if (f.opcode === 0x8) {
          const code = payload?.children?.find((c) => c.kind === 'ws-close-code')?.value;
          if (code !== undefined) frame.closeCode = Number.parseInt(code, 10);
          const reason = payload?.children?.find((c) => c.kind === 'ws-close-reason')?.value;
          if (reason !== undefined) frame.text = reason;
        } else if (f.opcode === 0x1 || f.opcode === 0x0) {
          if (payload?.value !== undefined) frame.text = payload.value;
        }
        facts.wsFrames.push(frame);
        break;
      }
      case 'ws-message': {
        // A compressed message: its last frame (just pushed) gets the inflated size and text.
        const m = item as WireWsMessage;
        if (!m.compressed) break;
        const last = facts.wsFrames.findLast((x) => x.conn === conn && x.dir === m.dir);
        if (!last) break;
        last.inflatedLength = m.length;
        if (m.type === 'text' && m.value !== undefined) last.text = m.value;
        else delete last.text;
        break;
      }
      default:
        break;
    }
  }
  // Bodies are decoded whole, so a character cut between two chunks reads as itself.
  for (const [ex, body] of bodies) {
    ex.requestBody = clip(decodeUtf8(body.in));
    ex.responseBody = clip(decodeUtf8(body.out));
    ex.responseBodyBytes = body.out.reduce((sum, b) => sum + b.length, 0);
  }
  // Helpers on the head items change as bodies stream: read them once more at the end.
  for (const item of items) {
    if (item.kind !== 'http-response') continue;
    const res = item as HttpResponse;
    const ex = exchange(item.exchange ?? -1);
    if (ex && (res.status >= 200 || res.status === 101)) {
      ex.chunks = res.chunks;
      ex.complete = res.complete;
    }
  }
}

function headerRecord(headers: ReadonlyArray<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  }
  return out;
}

/** Decodes pieces of one body as UTF-8 (WHATWG Encoding: bad bytes become U+FFFD), at most BODY_TEXT_LIMIT bytes. */
function decodeUtf8(pieces: readonly Uint8Array[]): string {
  const decoder = new TextDecoder();
  let text = '';
  let read = 0;
  for (const p of pieces) {
    if (read >= BODY_TEXT_LIMIT) break;
    text += decoder.decode(p.subarray(0, BODY_TEXT_LIMIT - read), { stream: true });
    read += p.length;
  }
  return text + decoder.decode();
}

function clip(text: string): string {
  return text.length > BODY_TEXT_LIMIT ? text.slice(0, BODY_TEXT_LIMIT) : text;
}
