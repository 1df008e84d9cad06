/**
 * POST /lab/<session>/complete — an answer streamed token by token, the way chat APIs stream a
 * language model's reply. The question goes up as JSON in a POST body (EventSource cannot POST),
 * and the answer comes back as a `text/event-stream`, one small event per token:
 *
 *   → POST complete   Content-Type: application/json   {"prompt":"How do servers push?","max_tokens":40}
 *   ← 200  Content-Type: text/event-stream
 *
 *   data: {"token":"Good"}
 *
 *   data: {"token":" question"}
 *
 *   : keep-alive                     ← a comment, now and then: readers skip it
 *
 *   event: text                      ← a token holding a line break, sent as text: one data:
 *   data:                              line per line, joined again with "\n" by the reader
 *   data:
 *   data: A
 *
 *   data: [DONE]                     ← the sentinel: the answer is complete
 *
 * The words are made up (made-up-answer.ts), seeded by the session and the prompt. When the
 * reader goes away (fetch aborted), the server stops generating at once.
 */
import type { Config } from '../config.ts';
import { answerText } from './answer.ts';
import { bound } from './bounds.ts';
import { fnv1a, mulberry32 } from './prng.ts';
import { madeUpAnswer } from './made-up-answer.ts';
import { readPrompt } from './prompt.ts';
import { openPush } from './push-response.ts';
import { int, matching } from './query.ts';
import type { LabRequest } from './request.ts';
import { pieceSizes, SPLIT_EXPECTS, SPLIT_PATTERN } from './split-writes.ts';

export const completeOptions = (cfg: Config) => ({
  pace: int(cfg.completePaceMinMs, cfg.completePaceMaxMs),
  split: matching(SPLIT_PATTERN, SPLIT_EXPECTS),
});

type CompleteQuery = { pace?: number; split?: string };

/** One token as an SSE event: JSON data, or (holding a line break) text over several `data:` lines. */
function tokenEvent(token: string): string {
  if (!token.includes('\n')) return `data: ${JSON.stringify({ token })}\n\n`;
  // WHATWG HTML, event stream interpretation: a line break ends a field, so each line of the text
  // is a data: line of its own, and the reader joins them with "\n".
  const lines = token.split('\n').map((line) => `data: ${line}\n`);
  return `event: text\n${lines.join('')}\n`;
}

/** Reads the prompt, then streams the answer's tokens, one every `pace` ms, and `[DONE]`. */
export async function complete(ctx: LabRequest<CompleteQuery>): Promise<void> {
  const { req, res, query, socket, session, lab } = ctx;
  const read = await readPrompt(req, lab.cfg);
  if (!read.ok) {
    lab.note(socket, read.error);
    // A body left unread (too large) is not wanted: close the connection after the answer.
    answerText(res, read.status, read.error, read.status === 413 ? { Connection: 'close' } : {});
    return;
  }
  const tokens = madeUpAnswer(session.id, read.value.prompt, read.value.maxTokens);
  const pace = query.pace ?? lab.cfg.completePaceMs;
  const nth = `${session.id}/complete/${session.started.complete ?? 0}`;

  const push = openPush(ctx, {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no', // tells an nginx in front not to buffer the stream
    },
    farewell: (why) => `: ${why}\n\n`, // no [DONE] after it: the answer is not complete
    split: query.split === undefined ? undefined : pieceSizes(query.split, nth),
  });

  // Now and then a comment, as chat APIs send while the model thinks, so no proxy times out.
  const keepAlive = mulberry32(fnv1a(nth));
  push.write(': keep-alive\n\n');

  let sent = 0;
  const next = (): void => {
    if (sent === tokens.length) {
      push.send('data: [DONE]\n\n');
      push.end();
      return;
    }
    push.send(tokenEvent(tokens[sent++]!));
    if (keepAlive() < 1 / 8) push.write(': keep-alive\n\n');
    if (push.open) timer = setTimeout(next, pace);
  };
  let timer = setTimeout(next, pace);

  // The answer lives `completeMaxMs` at most, in a class too (push-response.ts caps the rest).
  const lifetime = setTimeout(
    () => push.end(`${bound(lab.cfg, 'completeMaxMs')} reached — answer ended after ${sent} tokens`),
    lab.cfg.completeMaxMs,
  );
  push.onClose(() => {
    clearTimeout(timer);
    clearTimeout(lifetime);
  });
  // The reader left before the end (an AbortController, a closed tab): nothing more is generated,
  // and the inspector says so. A cut asked for with drop= is the server's own doing.
  res.once('close', () => {
    const dropped = ctx.faults.drop !== undefined && sent >= ctx.faults.drop;
    if (!res.writableFinished && !dropped)
      lab.note(
        socket,
        `the client closed the connection: generation stopped after ${sent} of ${tokens.length} tokens`,
      );
  });
}
