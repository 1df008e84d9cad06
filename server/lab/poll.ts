/**
 * GET /lab/<session>/poll?since=ID&timeout=MS — long polling: the server holds the request until
 * there is something after `since`, then answers; after `timeout` with nothing, it answers 204
 * and the client simply asks again. One answer per request, no message lost in between, because
 * the next request says where the last one stopped.
 *
 *   → GET /lab/<session>/poll?since=42
 *     … (held until message 43 exists)
 *   ← 200 {"messages":[{"id":43,…}],"last":43}
 *
 * When messages come faster than `pollBatchMs` apart (a class's pushes), a held poll gathers
 * what arrives in the `pollBatchMs` after the first one and answers them together: fewer
 * requests for the same messages. A message after a quiet spell still answers at once.
 */
import type { Config } from '../config.ts';
import { bound } from './bounds.ts';
import type { FeedMessage, FeedSlice } from './feed.ts';
import { pollAnswerText } from './message-text.ts';
import { int, MAX_INT } from './query.ts';
import type { LabRequest } from './request.ts';

export const pollOptions = (cfg: Config) => ({
  since: int(0, MAX_INT),
  timeout: int(0, cfg.maxPollTimeoutMs),
});

/** Answers the messages after `since` as soon as there are any, else 204 after `timeout` ms. */
export function poll({
  res,
  feed,
  query,
  socket,
  lab,
  session,
}: LabRequest<{ since?: number; timeout?: number }>): void {
  feed.touch();
  const since = query.since ?? 0;
  const timeout = query.timeout ?? lab.cfg.pollTimeoutMs;

  const answer = ({ messages, missed }: FeedSlice): void => {
    const last = messages.at(-1)?.id ?? feed.lastId;
    if (missed > 0)
      lab.note(socket, `${bound(lab.cfg, 'feedKeep')}: ${missed} messages after id ${since} are gone`);
    const body = pollAnswerText(messages, last, missed);
    session.delivered += messages.length; // counted for a classroom dashboard
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': body.bytes,
      'Cache-Control': 'no-store',
    });
    res.end(body.text);
  };

  const now = feed.after(since);
  if (now.messages.length > 0) {
    answer(now);
    return;
  }

  // Hold the request: the first new message answers it (or starts gathering), or the timer does.
  let gathering: NodeJS.Timeout | undefined;
  let answered = false;
  const unsubscribe = feed.subscribe((message) => {
    if (gathering !== undefined) return; // already gathering: the answer takes this one too
    const batchMs = lab.cfg.pollBatchMs;
    if (batchMs > 0 && msSincePrevious(message) < batchMs) {
      clearTimeout(timer); // the answer is due within batchMs anyway
      // A class's held polls all gather from the same push and come due together: their
      // answers are spread over turns (server/turns.ts), not written in one stretch.
      gathering = setTimeout(() => lab.turns.run(newMessages), batchMs);
      return;
    }
    newMessages();
  });
  function newMessages(): void {
    if (answered) return; // answered meanwhile (the server shutting down), or the client left
    stopWaiting();
    answer(feed.after(since));
  }
  const nothingNew = (): void => {
    if (gathering !== undefined) {
      newMessages(); // shutting down mid-gathering: answer what came
      return;
    }
    stopWaiting();
    res.writeHead(204, { 'Cache-Control': 'no-store' }); // No Content: "nothing new yet, ask again"
    res.end();
  };
  const timer = setTimeout(nothingNew, timeout);
  const unregister = lab.onShutdown(nothingNew); // shutting down: 204, and the client asks again later
  res.once('close', stopWaiting); // the client gave up, or its connection was cut
  function stopWaiting(): void {
    answered = true;
    unsubscribe(); // every step here may run twice (answered, then closed): each is harmless again
    clearTimeout(timer);
    clearTimeout(gathering);
    unregister();
    res.off('close', stopWaiting);
  }

  /** Returns ms between the message before `m` and `m` (Infinity when that one is not kept). */
  function msSincePrevious(m: FeedMessage): number {
    if (m.id <= 1) return Number.POSITIVE_INFINITY;
    const previous = feed.after(m.id - 2).messages[0];
    if (previous === undefined || previous.id !== m.id - 1) return Number.POSITIVE_INFINITY;
    return Date.parse(m.time) - Date.parse(previous.time);
  }
}
