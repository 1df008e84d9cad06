/**
 * GET /lab/<session>/time — short polling at its simplest: ask, get an answer at once, ask again.
 *
 *   → GET /lab/<session>/time
 *   ← 200 {"time":"2025-01-01T12:00:00.000Z","seq":1}
 */
import type { LabRequest } from './request.ts';

/** Answers the server's clock and how many times this session asked (`seq`). */
export function time({ res, session }: LabRequest): void {
  session.timeSeq += 1;
  const body = JSON.stringify({ time: new Date().toISOString(), seq: session.timeSeq });
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    // Every poll must reach the server: a cached answer would look like time standing still.
    'Cache-Control': 'no-store',
  });
  res.end(body);
}
