/**
 * A feed message as the SSE stream and the WebSocket write it, and a long poll's answer, made once
 * per message (or answer) rather than once per reader: a class room's message reaches hundreds of
 * streams, sockets and held polls in one loop, and each would otherwise stringify it again.
 *
 * One slot per form: readers hear of a message one after the other, so the text asked for is
 * nearly always the one made last, and nothing is kept for messages gone by.
 */
import type { FeedMessage } from './feed.ts';

/** Returns `form(m)`, remembering the last message's. */
function lastOne<T>(form: (m: FeedMessage) => T): (m: FeedMessage) => T {
  let last: FeedMessage | null = null;
  let made: T | undefined;
  return (m) => {
    if (m !== last) {
      made = form(m);
      last = m;
    }
    return made as T;
  };
}

/** The message as one SSE event: `id`, `event`, and a `data:` line for each line of its text. */
export const sseEventText = lastOne((m) => {
  // A chat message is sent as the text itself; a tick (or a JSON chat) as JSON.
  const text = m.type === 'chat' && typeof m.data === 'string' ? m.data : JSON.stringify(m.data);
  // A field cannot hold a line break, so each line of the message gets its own `data:` line;
  // EventSource joins them with "\n" (WHATWG HTML, "event stream interpretation").
  const data = text
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('');
  return `id: ${m.id}\nevent: ${m.type}\n${data}\n`;
});

/** The message as the JSON text of one WebSocket frame. */
export const messageJson = lastOne((m) => JSON.stringify(m));

/**
 * The SSE event and the WebSocket frame's text as UTF-8 bytes, encoded once for every reader: a
 * string written to hundreds of sockets would be measured and encoded again for each. Shared by
 * all of them, so nothing may write into these Buffers.
 */
export const sseEventBytes = lastOne((m) => Buffer.from(sseEventText(m)));
export const messageJsonBytes = lastOne((m) => Buffer.from(messageJson(m)));

/** A long poll's answer: its JSON text and how many bytes that is in UTF-8. */
export interface PollAnswerText {
  readonly text: string;
  readonly bytes: number;
}

let lastAnswer: {
  first: FeedMessage | undefined;
  final: FeedMessage | undefined;
  count: number;
  last: number;
  answer: PollAnswerText;
} | null = null;

/**
 * A long poll's answer, `{"messages":[…],"last":N}`, made once for the held polls of a class that
 * come due together with the same messages (a push batched for 300 learners) rather than once per
 * poll. The messages a feed hands out are its kept objects, in id order, so the same first and
 * last object and the same count are the same messages. An answer that says some are gone
 * (`missed`) is made each time: it is rare, and its count may differ poll by poll.
 */
export function pollAnswerText(messages: readonly FeedMessage[], last: number, missed = 0): PollAnswerText {
  const first = messages[0];
  const final = messages.at(-1);
  if (missed > 0) return answerOf(JSON.stringify({ messages, last, missed }));
  const kept = lastAnswer;
  if (
    kept !== null &&
    kept.first === first &&
    kept.final === final &&
    kept.count === messages.length &&
    kept.last === last
  )
    return kept.answer;
  const answer = answerOf(JSON.stringify({ messages, last }));
  lastAnswer = { first, final, count: messages.length, last, answer };
  return answer;
}

function answerOf(text: string): PollAnswerText {
  return { text, bytes: Buffer.byteLength(text) };
}
