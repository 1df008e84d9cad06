/**
 * GET /lab/<session>/news?since=ID — short polling a feed: what is new since the last message
 * I saw? The answer comes at once, often with nothing in it; the client asks again later.
 *
 *   → GET /lab/<session>/news?since=41
 *   ← 200 {"messages":[{"id":42,"type":"tick","time":"…","data":{"symbol":"WIRE","price":101.3}}],"last":42}
 */
import { bound } from './bounds.ts';
import { int, MAX_INT } from './query.ts';
import type { LabRequest } from './request.ts';

export const newsOptions = () => ({ since: int(0, MAX_INT) });

/** Answers the messages after `since` (all the feed keeps when absent), at once. */
export function news({ res, feed, query, socket, lab, session }: LabRequest<{ since?: number }>): void {
  feed.touch(); // someone polls: keep the ticker ticking for the next poll
  const since = query.since ?? 0;
  const { messages, missed } = feed.after(since);
  // `last` is what to send as `since` next time: the newest id here, or the feed's newest.
  const last = messages.at(-1)?.id ?? feed.lastId;
  if (missed > 0)
    lab.note(socket, `${bound(lab.cfg, 'feedKeep')}: ${missed} messages after id ${since} are gone`);
  const body = JSON.stringify(missed > 0 ? { messages, last, missed } : { messages, last });
  session.delivered += messages.length; // counted for a classroom dashboard
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}
