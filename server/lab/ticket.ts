/**
 * POST /lab/<session>/ticket — a one-time ticket for opening `ws` or `sse` (tickets.ts):
 *
 *   → POST /lab/<session>/ticket
 *   ← 200 {"ticket":"kq3…","expiresIn":30}
 *   → GET /lab/<session>/ws?ticket=kq3…   (once, within 30 s)
 *
 * POST, not GET: a GET may be prefetched, cached or repeated by the browser, and each one would
 * spend a ticket or hand one to a cache.
 */
import { answerText } from './answer.ts';
import type { LabRequest } from './request.ts';

export function ticket({ res, socket, session, lab }: LabRequest): void {
  const issued = lab.tickets.issue(session.id);
  if (!issued.ok) {
    lab.note(socket, issued.text);
    answerText(res, 429, issued.text, { 'Retry-After': String(issued.retryAfterS) });
    return;
  }
  const answer = JSON.stringify({ ticket: issued.ticket, expiresIn: issued.expiresInS });
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(answer),
    'Cache-Control': 'no-store', // a ticket must never be served twice from a cache
  });
  res.end(answer);
}
