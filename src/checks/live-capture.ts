/**
 * A live copy of the session's capture, kept while a lesson page is open, so checks can
 * look at one Run's traffic: `mark()` at Run, then `recordsSince(mark)` gives what came after.
 */
import { shareChannel } from '../playground/inspector/shared-channel.ts';
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

/**
 * Reads the session's inspector channel (the one the page's panel reads too: shared-channel.ts)
 * and keeps its records; the channel resumes by itself after a drop.
 */
export function openLiveCapture(session: string): LiveCapture {
  const records: CaptureRecord[] = [];
  let lastSeq = 0;
  const channel = shareChannel({
    session,
    resumeAfter: () => lastSeq,
    onMessage(m) {
      // The server began the session again (restarted, forgotten, taken over by another process):
      // its seqs start at 1 again, so what we kept belongs to no Run of this capture.
      if (m.type === 'hello' && m.resume?.continued === false && lastSeq > 0) {
        records.length = 0;
        lastSeq = 0;
      }
      if (m.type !== 'records') return;
      for (const r of m.records as ChannelRecord[]) {
        if (r.seq <= lastSeq) continue;
        lastSeq = r.seq;
        records.push(fromChannel(r));
      }
      if (records.length > MAX_RECORDS) records.splice(0, records.length - MAX_RECORDS);
    },
    onState() {},
  });

  return {
    mark: () => lastSeq,
    recordsSince(mark) {
      return records.filter((r) => r.seq > mark);
    },
    close() {
      channel.close();
    },
  };
}
