/**
 * A feed message as the SSE stream and the WebSocket write it, made once per message rather than
 * once per reader: a class room's message reaches hundreds of streams and sockets in one loop,
 * and each would otherwise stringify it again.
 *
 * One slot per form: readers hear of a message one after the other, so the text asked for is
 * nearly always the one made last, and nothing is kept for messages gone by.
 */
import type { FeedMessage } from './feed.ts';

/** Returns `text(m)`, remembering the last message's text. */
function lastOne(text: (m: FeedMessage) => string): (m: FeedMessage) => string {
  let last: FeedMessage | null = null;
  let made = '';
  return (m) => {
    if (m !== last) {
      made = text(m);
      last = m;
    }
    return made;
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
