/**
 * GET /lab/<session>/sse — Server-Sent Events: one long `text/event-stream` response the browser's
 * EventSource reads, reconnecting by itself when it ends or breaks. Each event is a few
 * `field: value` lines and a blank line:
 *
 *   id: 43
 *   event: tick
 *   data: {"symbol":"WIRE","price":101.3}
 *
 * On reconnecting, EventSource sends the last `id:` it saw as the `Last-Event-ID` header, and the
 * stream resumes right after it: nothing lost, nothing twice.
 */
import { answerText } from './answer.ts';
import { bound } from './bounds.ts';
import type { FeedMessage } from './feed.ts';
import { sseEventBytes } from './message-text.ts';
import { openPush } from './push-response.ts';
import { int, MAX_INT, readIntHeader } from './query.ts';
import type { LabRequest } from './request.ts';

export const sseOptions = () => ({
  lastEventId: int(0, MAX_INT),
  retry: int(0, 3_600_000),
  count: int(1, MAX_INT),
});

type SseQuery = { lastEventId?: number; retry?: number; count?: number };

/** Streams the feed as SSE events, after `Last-Event-ID` (or `lastEventId=`) when given. */
export function sse(ctx: LabRequest<SseQuery>): void {
  const { req, res, query, feed, socket, lab } = ctx;
  // The header is what EventSource sends on reconnect; it wins over the query, which stays the
  // same on every reconnect because the URL does.
  const header = readIntHeader(req.headers['last-event-id'] as string | undefined, 'Last-Event-ID');
  if (!header.ok) {
    answerText(res, 400, header.error);
    return;
  }
  const after = header.value ?? query.lastEventId ?? feed.lastId; // neither: only new events

  const push = openPush(ctx, {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no', // tells an nginx in front not to buffer the stream
    },
    count: query.count,
    farewell: (why) => `: ${why}\n\n`, // a line starting with ":" is a comment: EventSource ignores it
  });

  // How long EventSource waits before reconnecting, in ms (it keeps this for later reconnects).
  if (query.retry !== undefined) push.write(`retry: ${query.retry}\n\n`);

  const event = (m: FeedMessage): void => push.send(sseEventBytes(m));

  const { messages, missed } = feed.after(after);
  if (missed > 0) {
    const why = `${bound(lab.cfg, 'feedKeep')}: ${missed} events after id ${after} are no longer kept`;
    lab.note(socket, why);
    push.write(`: ${why}\n\n`);
  }
  for (const m of messages) event(m);
  const unsubscribe = feed.subscribe(event);

  // Proxies and browsers close a connection that stays silent too long: a comment keeps it alive.
  const heartbeat = setInterval(() => push.write(':heartbeat\n\n'), lab.cfg.sseHeartbeatMs);
  push.onClose(() => {
    unsubscribe();
    clearInterval(heartbeat);
  });
}
