/**
 * Writes a capture as HAR 1.2 (the HTTP Archive format browsers export from their network
 * panel): one entry per request/response exchange, built from the dissectors' items and the
 * captured bytes. WebSocket messages go in Chrome's `_webSocketMessages` extension
 * ({type: 'send' | 'receive', time, opcode, data}), so Chrome's DevTools and HAR viewers
 * show them.
 *
 * Spec: w3c.github.io/web-performance/specs/HAR/Overview.html (HAR 1.2).
 */
import { concat, type Field } from '../../wire/bytes.ts';
import type { HttpMessage, HttpRequest, HttpResponse } from '../../wire/http-message.ts';

export type Dir = 'in' | 'out';

/** What the HAR writer needs of one connection. */
export interface HarConnection {
  id: string;
  /** The dissector's top-level items, in arrival order. */
  items: readonly Field[];
  /** The kept bytes of a direction in [from, to) (shorter when some are no longer kept). */
  bytes(dir: Dir, from: number, to: number): Uint8Array;
  /** Capture time (µs) of the open and the close, when known. */
  openT?: number | undefined;
  closeT?: number | undefined;
  serverIp?: string | undefined;
  /** How the connection ended (FIN or RST, by whom), as the panel says it: the last entry's comment. */
  ending?: string | undefined;
}

export interface HarOptions {
  /** Scheme, host and port the requests went to: `http://192.168.1.20:4321`. */
  origin: string;
  /** Wall-clock ms (Unix epoch) of a capture time in µs. */
  wallMs(t: number): number;
  creatorVersion?: string;
  comment?: string;
}

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarWebSocketMessage {
  type: 'send' | 'receive';
  /** Seconds since the Unix epoch, with fraction. */
  time: number;
  opcode: number;
  data: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    postData?: { mimeType: string; text: string; encoding?: string };
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    content: { size: number; mimeType: string; text?: string; encoding?: string; comment?: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: {
    blocked: number;
    dns: number;
    connect: number;
    send: number;
    wait: number;
    receive: number;
    ssl: number;
  };
  serverIPAddress?: string;
  connection: string;
  comment?: string;
  _resourceType?: string;
  _webSocketMessages?: HarWebSocketMessage[];
}

export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    pages: [];
    entries: HarEntry[];
    comment?: string;
  };
}

/** Builds the HAR document for these connections, entries in the order the requests started. */
export function buildHar(conns: readonly HarConnection[], opts: HarOptions): Har {
  const entries: Array<{ t: number; entry: HarEntry }> = [];
  for (const c of conns) {
    let last: HarEntry | undefined;
    for (const ex of exchanges(c.items)) {
      const entry = toEntry(c, ex, opts);
      if (entry) entries.push({ t: ex.req.t ?? 0, entry });
      last = entry ?? last;
    }
    if (last && c.ending) last.comment = last.comment ? `${last.comment}. ${c.ending}` : c.ending;
  }
  entries.sort((a, b) => a.t - b.t);
  const log: Har['log'] = {
    version: '1.2',
    creator: { name: 'Wire Lab', version: opts.creatorVersion ?? '0.1.0' },
    pages: [],
    entries: entries.map((e) => e.entry),
  };
  if (opts.comment) log.comment = opts.comment;
  return { log };
}

interface Exchange {
  req: HttpRequest;
  res: HttpResponse | undefined;
  /** Items of this exchange other than the two heads (bodies, chunks, events, frames, messages). */
  rest: Field[];
}

/** Groups items by `exchange`: a request head, its response head, and what followed them. */
function exchanges(items: readonly Field[]): Exchange[] {
  const byIndex = new Map<number, Exchange>();
  const pending: Field[] = [];
  for (const item of items) {
    const k = item.exchange ?? (item as HttpMessage).exchange;
    if (item.kind === 'http-request' && typeof k === 'number') {
      byIndex.set(k, { req: item as HttpRequest, res: undefined, rest: [] });
      continue;
    }
    if (typeof k !== 'number') continue;
    const ex = byIndex.get(k);
    if (!ex) {
      pending.push(item);
      continue;
    }
    if (item.kind === 'http-response' && (item as HttpResponse).status >= 200 && !ex.res)
      ex.res = item as HttpResponse;
    else if (item.kind === 'http-response' && (item as HttpResponse).status === 101)
      ex.res = item as HttpResponse;
    else if (item.kind !== 'http-response') ex.rest.push(item);
  }
  return [...byIndex.values()];
}

function toEntry(c: HarConnection, ex: Exchange, opts: HarOptions): HarEntry | undefined {
  const { req, res } = ex;
  const t0 = req.t ?? c.openT;
  if (t0 === undefined) return undefined;
  const wall = (t: number) => opts.wallMs(t);
  const url = absoluteUrl(opts.origin, req.target);
  const reqBody = bodyOf(c, ex.rest, 'in');
  const resBody = bodyOf(c, ex.rest, 'out');
  const times = ex.rest.map((f) => f.t).filter((t): t is number => typeof t === 'number');
  const resT = res?.t;
  const lastT = Math.max(t0, resT ?? t0, ...times, res ? (c.closeT ?? t0) : t0);
  const reqType = header(req.headers, 'content-type');
  const resType = header(res?.headers ?? [], 'content-type');

  const entry: HarEntry = {
    startedDateTime: new Date(wall(t0)).toISOString(),
    time: round((lastT - t0) / 1000),
    request: {
      method: req.method,
      url,
      httpVersion: req.version || 'HTTP/1.1',
      cookies: [],
      headers: req.headers.map(([name, value]) => ({ name, value })),
      queryString: queryOf(url),
      headersSize: req.end - req.start,
      bodySize: reqBody.wireSize,
    },
    response: {
      status: res?.status ?? 0,
      statusText: res?.reason ?? '',
      httpVersion: res?.version || 'HTTP/1.1',
      cookies: [],
      headers: (res?.headers ?? []).map(([name, value]) => ({ name, value })),
      content: { size: resBody.size, mimeType: resType ?? 'x-unknown' },
      redirectURL: header(res?.headers ?? [], 'location') ?? '',
      headersSize: res ? res.end - res.start : -1,
      bodySize: res ? resBody.wireSize : -1,
    },
    cache: {},
    timings: {
      blocked: -1,
      dns: -1,
      connect: -1,
      ssl: -1,
      send: 0,
      wait: round(Math.max(0, ((resT ?? t0) - t0) / 1000)),
      receive: round(Math.max(0, (lastT - (resT ?? t0)) / 1000)),
    },
    connection: c.id,
  };
  if (c.serverIp) entry.serverIPAddress = c.serverIp;
  if (reqBody.size > 0)
    entry.request.postData = {
      mimeType: reqType ?? 'application/octet-stream',
      ...content(reqBody.bytes, reqType),
    };
  if (resBody.size > 0) Object.assign(entry.response.content, content(resBody.bytes, resType));
  if (resBody.missing > 0)
    entry.response.content.comment = `${resBody.missing} body bytes were no longer kept by the inspector`;
  if (!res) entry.comment = 'no response was captured';

  if (res?.status === 101) {
    entry._resourceType = 'websocket';
    entry._webSocketMessages = wsMessages(ex.rest, wall);
  }
  return entry;
}

/** The body bytes of one direction of an exchange: decoded size, bytes on the wire, and what is kept. */
function bodyOf(
  c: HarConnection,
  items: readonly Field[],
  dir: Dir,
): { size: number; wireSize: number; bytes: Uint8Array; missing: number } {
  const parts: Uint8Array[] = [];
  let size = 0;
  let first = -1;
  let last = -1;
  for (const f of items) {
    if (f.dir !== dir || (f.kind !== 'body' && f.kind !== 'chunk')) continue;
    if (first < 0) first = f.start;
    last = f.end;
    const data = f.kind === 'body' ? f : f.children?.find((k) => k.kind === 'chunk-data');
    if (!data) continue;
    size += data.end - data.start;
    parts.push(c.bytes(dir, data.start, data.end));
  }
  const bytes = concat(parts);
  return { size, wireSize: first < 0 ? 0 : last - first, bytes, missing: size - bytes.length };
}

/** HAR content: text when the media type is textual and the bytes are UTF-8, else base64. */
function content(bytes: Uint8Array, type: string | undefined): { text: string; encoding?: string } {
  if (isTextual(type)) {
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
    } catch {
      // not UTF-8 after all: base64 below
    }
  }
  return { text: toBase64(bytes), encoding: 'base64' };
}

/** Chrome's `_webSocketMessages`: data messages as they were sent or received, and control frames. */
function wsMessages(items: readonly Field[], wall: (t: number) => number): HarWebSocketMessage[] {
  const out: HarWebSocketMessage[] = [];
  for (const f of items) {
    if (typeof f.t !== 'number') continue;
    const type = f.dir === 'in' ? 'send' : 'receive';
    const time = wall(f.t) / 1000;
    if (f.kind === 'ws-message') {
      const text = (f as { type?: string }).type === 'text';
      out.push({
        type,
        time,
        opcode: text ? 1 : 2,
        data: text ? (f.value ?? '') : hexToBase64(f.value ?? ''),
      });
    } else if (f.kind === 'ws-frame') {
      const opcode = (f as { opcode?: number }).opcode ?? 0;
      if (opcode < 8) continue; // data frames are in their messages
      const code = findKind(f, 'ws-close-code')?.value;
      const reason = findKind(f, 'ws-close-reason')?.value;
      out.push({
        type,
        time,
        opcode,
        data: opcode === 8 && code ? `${code}${reason ? ` ${reason}` : ''}` : '',
      });
    }
  }
  return out;
}

function findKind(f: Field, kind: string): Field | undefined {
  if (f.kind === kind) return f;
  for (const c of f.children ?? []) {
    const hit = findKind(c, kind);
    if (hit) return hit;
  }
  return undefined;
}

function header(headers: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  const h = headers.find(([n]) => n.toLowerCase() === name);
  return h?.[1].trim();
}

function absoluteUrl(origin: string, target: string): string {
  try {
    return new URL(target, origin).href;
  } catch {
    return origin + target;
  }
}

function queryOf(url: string): HarNameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function isTextual(type: string | undefined): boolean {
  if (!type) return false;
  const t = type.toLowerCase();
  return t.startsWith('text/') || /json|javascript|xml|x-www-form-urlencoded|event-stream/.test(t);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Base64 of bytes (btoa works in browsers and in Node ≥ 16). */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return btoa(s);
}

/** The dissector shows binary payloads as hex pairs ('01 ff …'); Chrome's HAR wants base64. */
function hexToBase64(hex: string): string {
  const pairs = hex.replace(/…/g, '').trim().split(/\s+/).filter(Boolean);
  const bytes = Uint8Array.from(pairs, (p) => Number.parseInt(p, 16) & 0xff);
  return toBase64(bytes);
}
