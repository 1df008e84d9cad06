/**
 * A live copy of the session's capture, kept while a lesson page is open, so checks can
 * look at one Run's traffic: `mark()` at Run, then `recordsSince(mark)` gives what came after.
 */
import type { CaptureRecord } from './facts.ts';

interface WireRecord {
  seq: number;
  kind: string;
  conn: number;
  t: number;
  dir?: 'in' | 'out';
  b64?: string;
  how?: string;
  text?: string;
}

/** Records kept at most; older ones go first (a check looks at the latest Run only). */
const MAX_RECORDS = 20_000;
const RECONNECT_MS = 1_000;

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export interface LiveCapture {
  /** The newest seq received: connections opened after it belong to what comes next. */
  mark(): number;
  /**
   * Every record after `mark`: of connections opened since, and of kept-alive ones the browser
   * reused (their next request starts a fresh message, so the dissector reads it from there).
   */
  recordsSince(mark: number): CaptureRecord[];
  close(): void;
}

/** Opens the session's inspector channel and keeps its records (resuming after a drop). */
export function openLiveCapture(session: string): LiveCapture {
  const records: CaptureRecord[] = [];
  let lastSeq = 0;
  let ws: WebSocket | null = null;
  let closed = false;

  const connect = () => {
    if (closed) return;
    const url = new URL(`/inspect/${encodeURIComponent(session)}?after=${lastSeq}`, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(url);
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as { type: string; records?: WireRecord[] };
      if (msg.type !== 'records') return;
      for (const r of msg.records ?? []) {
        if (r.seq <= lastSeq) continue;
        lastSeq = r.seq;
        const rec: CaptureRecord = { seq: r.seq, kind: r.kind, conn: r.conn, t: r.t };
        if (r.dir) rec.dir = r.dir;
        if (r.b64 !== undefined) rec.bytes = fromBase64(r.b64);
        if (r.how !== undefined) rec.how = r.how;
        if (r.text !== undefined) rec.text = r.text;
        records.push(rec);
      }
      if (records.length > MAX_RECORDS) records.splice(0, records.length - MAX_RECORDS);
    };
    ws.onclose = () => {
      ws = null;
      if (!closed) setTimeout(connect, RECONNECT_MS);
    };
  };
  connect();

  return {
    mark: () => lastSeq,
    recordsSince(mark) {
      return records.filter((r) => r.seq > mark);
    },
    close() {
      closed = true;
      ws?.close(1000);
    },
  };
}
