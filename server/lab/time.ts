/**
 * GET /lab/<session>/time — short polling at its simplest: ask, get an answer at once, ask again.
 *
 *   → GET /lab/<session>/time
 *   ← 200 {"time":"2025-01-01T12:00:00.000Z","seq":1}
 *
 * `lang=en` or `lang=zh` adds the time said in words, with an emoji: text whose characters are
 * not its bytes (UTF-8 writes a Han character in 3 bytes, an emoji in 4; JavaScript counts the
 * emoji as 2 UTF-16 code units), so Content-Length and `text.length` part ways.
 */
import { oneOf } from './query.ts';
import type { LabRequest } from './request.ts';

export const timeOptions = () => ({ lang: oneOf('en', 'zh') });

type TimeQuery = { lang?: 'en' | 'zh' };

/** The clock time (UTC) in words. */
const said = {
  en: (hms: string) => `It is ${hms} UTC 🕒`,
  zh: (hms: string) => `现在是协调世界时 ${hms} 🕒`,
};

/** Answers the server's clock and how many times this session asked (`seq`). */
export function time({ res, session, query }: LabRequest<TimeQuery>): void {
  session.timeSeq += 1;
  const now = new Date().toISOString();
  const answer: { time: string; seq: number; text?: string } = { time: now, seq: session.timeSeq };
  if (query.lang) answer.text = said[query.lang](now.slice(11, 19));
  const body = JSON.stringify(answer);
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    // Bytes, not characters: Buffer.byteLength counts the UTF-8 bytes res.end() will write.
    'Content-Length': Buffer.byteLength(body),
    // Every poll must reach the server: a cached answer would look like time standing still.
    'Cache-Control': 'no-store',
  });
  res.end(body);
}
