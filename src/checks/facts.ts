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

/** Dissects the records and returns the facts the checks read. */
export function factsFromRecords(
  records: readonly CaptureRecord[],
  console: readonly ConsoleEntry[] = [],
): WireFacts {
  const conns = new Map<number, { dissector: ConnectionDissector; facts: ConnectionFacts }>();
  const conn = (id: number) => {
    let c = conns.get(id);
    if (!c) {
      c = {
        dissector: new ConnectionDissector(),
        facts: { conn: id, technique: 'http', bytesIn: 0, bytesOut: 0, closed: false, notes: [] },
      };
      conns.set(id, c);
    }
    return c;
  };
  for (const r of records) {
    const c = conn(r.conn);
    if (r.kind === 'data' && r.dir && r.bytes) c.dissector.push(r.dir, r.bytes, r.t);
    else if (r.kind === 'end' && r.dir) c.dissector.end(r.dir, r.t);
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
  for (const [id, { dissector, facts: cf }] of [...conns].sort((a, b) => a[0] - b[0])) {
    const summary = dissector.summary();
    cf.technique = summary.technique;
    cf.bytesIn = summary.bytesIn;
    cf.bytesOut = summary.bytesOut;
    facts.connections.push(cf);
    readItems(id, dissector.items, facts);
  }
  // In time order, whatever connection carried them: a kept-alive connection the browser
  // reused can carry the Run's latest request.
  const byTime = (a: { t: number }, b: { t: number }) => a.t - b.t;
  facts.exchanges.sort(byTime);
  facts.sseEvents.sort(byTime);
  facts.wsFrames.sort(byTime);
  return facts;
}

function readItems(conn: number, items: readonly Field[], facts: WireFacts): void {
  const byExchange = new Map<number, HttpExchange>();
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
          complete: false,
          t: req.t ?? 0,
        };
        byExchange.set(n, ex);
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
        const text = item.kind === 'body' ? (item.value ?? '') : (childValue(item, 'chunk-data') ?? '');
        if (item.dir === 'in') ex.requestBody = clip(ex.requestBody + text);
        else ex.responseBody = clip(ex.responseBody + text);
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
      default:
        break;
    }
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

function childValue(item: Field, kind: string): string | undefined {
  return item.children?.find((c) => c.kind === kind)?.value;
}

function clip(text: string): string {
  return text.length > BODY_TEXT_LIMIT ? text.slice(0, BODY_TEXT_LIMIT) : text;
}
