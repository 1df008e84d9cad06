/**
 * Reads what the session's capture holds right now: opens the inspector channel, takes the
 * replay up to `live`, and closes. Used by the exercise checks for a Run's final verdict.
 */
import { type ChannelRecord, fromChannel } from './channel-record.ts';
import type { CaptureRecord } from './facts.ts';

/**
 * The records the server keeps for `session` (only those after seq `after`, when given); rejects
 * when the channel fails or takes over `timeoutMs`.
 */
export function captureSnapshot(
  session: string,
  {
    origin = location.href,
    timeoutMs = 5_000,
    after,
  }: { origin?: string; timeoutMs?: number; after?: number } = {},
): Promise<CaptureRecord[]> {
  return new Promise((resolve, reject) => {
    const url = new URL(`/inspect/${encodeURIComponent(session)}`, origin);
    if (after !== undefined && after > 0) url.searchParams.set('after', String(after));
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    const records: CaptureRecord[] = [];
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error('The capture did not answer in time.'));
    }, timeoutMs);
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as { type: string; records?: ChannelRecord[] };
      if (msg.type === 'records') {
        for (const r of msg.records ?? []) {
          records.push(fromChannel(r));
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
