/**
 * A live copy of the session's capture, kept while a lesson page is open, so checks can
 * look at one Run's traffic: `mark()` at Run, then `recordsSince(mark)` gives what came after.
 */
import { createBackoff } from '../playground/backoff.ts';
import { type ChannelRecord, fromChannel } from './channel-record.ts';
import type { CaptureRecord } from './facts.ts';

/** Records kept at most; older ones go first (a check looks at the latest Run only). */
const MAX_RECORDS = 20_000;

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
  // Jittered, so a class's pages do not all come back at the same moment (backoff.ts).
  const backoff = createBackoff({ baseMs: 1_000, capMs: 8_000 });

  const connect = () => {
    if (closed) return;
    const url = new URL(`/inspect/${encodeURIComponent(session)}?after=${lastSeq}`, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(url);
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as { type: string; records?: ChannelRecord[] };
      if (msg.type === 'live') backoff.reset();
      if (msg.type !== 'records') return;
      for (const r of msg.records ?? []) {
        if (r.seq <= lastSeq) continue;
        lastSeq = r.seq;
        records.push(fromChannel(r));
      }
      if (records.length > MAX_RECORDS) records.splice(0, records.length - MAX_RECORDS);
    };
    ws.onclose = () => {
      ws = null;
      if (!closed) setTimeout(connect, backoff.next());
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
