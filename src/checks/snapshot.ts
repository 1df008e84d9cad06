/**
 * Reads what the session's capture holds right now: opens the inspector channel, takes the
 * replay up to `live`, and closes. Used by the exercise checks after a Run.
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

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The records the server keeps for `session`; rejects when the channel fails or takes over `timeoutMs`. */
export function captureSnapshot(
  session: string,
  { origin = location.href, timeoutMs = 5_000 }: { origin?: string; timeoutMs?: number } = {},
): Promise<CaptureRecord[]> {
  return new Promise((resolve, reject) => {
    const url = new URL(`/inspect/${encodeURIComponent(session)}`, origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    const records: CaptureRecord[] = [];
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error('The capture did not answer in time.'));
    }, timeoutMs);
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as { type: string; records?: WireRecord[] };
      if (msg.type === 'records') {
        for (const r of msg.records ?? []) {
          const rec: CaptureRecord = { seq: r.seq, kind: r.kind, conn: r.conn, t: r.t };
          if (r.dir) rec.dir = r.dir;
          if (r.b64 !== undefined) rec.bytes = fromBase64(r.b64);
          if (r.how !== undefined) rec.how = r.how;
          if (r.text !== undefined) rec.text = r.text;
          records.push(rec);
        }
      } else if (msg.type === 'live') {
        clearTimeout(timer);
        ws.close(1000);
        resolve(records);
      }
    };
    ws.onerror = () => {
      clearTimeout(timer);
      reject(new Error('The capture channel could not be opened.'));
    };
  });
}
