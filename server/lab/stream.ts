/**
 * GET /lab/<session>/stream — comet, or HTTP streaming: one response that never seems to end,
 * each message written and flushed the moment it exists. With no Content-Length, Node sends it
 * `Transfer-Encoding: chunked`: every write below is one chunk on the wire (`1f\r\n…\r\n`).
 *
 * The default is the classic PHP loop this technique was taught with:
 *
 *   for ($i = 1; $i <= 9; $i++) {
 *     echo json_encode(['success' => 'ok', 'text' => "message $i"]), "\n";
 *     ob_flush(); flush();   // push it out now, not when the script ends
 *     sleep(1);
 *   }
 *
 * `source=feed` streams the session's feed instead; `format=script` wraps each message in a
 * `<script>` for a hidden "forever iframe", the way it was done before XHR streaming worked.
 * `split=` cuts the bytes at arbitrary places instead of one message per chunk (split-writes.ts);
 * `lang=` gives the classic messages text beyond ASCII, so a cut can fall inside a character.
 */
import type { Config } from '../config.ts';
import type { FeedMessage } from './feed.ts';
import { bound } from './bounds.ts';
import { openPush } from './push-response.ts';
import { int, MAX_INT, matching, oneOf } from './query.ts';
import type { LabRequest } from './request.ts';
import { pieceSizes, SPLIT_EXPECTS, SPLIT_PATTERN } from './split-writes.ts';

export const streamOptions = (cfg: Config) => ({
  count: int(1, MAX_INT),
  interval: int(0, cfg.maxStreamMs),
  format: oneOf('lines', 'script'),
  source: oneOf('classic', 'feed'),
  since: int(0, MAX_INT),
  split: matching(SPLIT_PATTERN, SPLIT_EXPECTS),
  lang: oneOf('en', 'zh'),
});

type StreamQuery = {
  count?: number;
  interval?: number;
  format?: 'lines' | 'script';
  source?: 'classic' | 'feed';
  since?: number;
  split?: string;
  lang?: 'en' | 'zh';
};

/** The classic message's text: ASCII by default; with `lang=`, an emoji and (zh) Han characters. */
const messageText = {
  classic: (i: number) => `message ${i}`,
  en: (i: number) => `📨 message ${i} ✅`,
  zh: (i: number) => `📨 第 ${i} 条消息`,
};

// Old browsers (IE, early WebKit) showed nothing of a streamed page before ~1 KiB had arrived.
const PADDING = `<!-- padding: old browsers waited for 1 KiB before running a streamed page ${' '.repeat(1024)} -->\n`;

/** Streams 9 (`count`) messages, one each second (`interval` ms), or the feed with `source=feed`. */
export function stream(ctx: LabRequest<StreamQuery>): void {
  const { query, feed, socket, lab } = ctx;
  const script = query.format === 'script';
  const fromFeed = query.source === 'feed';

  // One message as it goes on the wire: a JSON line, or a script tag calling the parent page.
  // In a script, "</script>" inside the data would end the tag early: JSON may escape "<" as \u003c.
  const frame = (value: unknown): string =>
    script
      ? `<script>parent.push(${JSON.stringify(value).replaceAll('<', '\\u003c')})</script>\n`
      : `${JSON.stringify(value)}\n`;

  const push = openPush(ctx, {
    headers: {
      'Content-Type': script ? 'text/html; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'Cache-Control': 'no-store',
    },
    count: query.count ?? (fromFeed ? undefined : 9),
    // When the server ends the stream itself, the last line (or an HTML comment) says why.
    farewell: (why) => (script ? `<!-- ${why} -->\n` : `${JSON.stringify({ ended: why })}\n`),
    // Seeded by the session and the stream's number in it: the nth stream of a session is cut
    // the same way on every run, like the ticker's prices.
    split:
      query.split === undefined
        ? undefined
        : pieceSizes(query.split, `${ctx.session.id}/stream/${ctx.session.started.stream ?? 0}`),
  });
  if (script) push.write(PADDING);

  if (fromFeed) {
    // Replay what came after `since`, then follow the feed live: nothing lost, nothing twice.
    const { messages, missed } = feed.after(query.since ?? feed.lastId);
    if (missed > 0) lab.note(socket, `${bound(lab.cfg, 'feedKeep')}: ${missed} messages are gone`);
    for (const m of messages) push.send(frame(m));
    const unsubscribe = feed.subscribe((m: FeedMessage) => push.send(frame(m)));
    push.onClose(unsubscribe);
    return;
  }

  // The classic loop: a message now, then one every `interval` ms, until `count` have gone.
  const interval = query.interval ?? 1000;
  let i = 0;
  const next = (): void => {
    i += 1;
    push.send(frame({ success: 'ok', text: messageText[query.lang ?? 'classic'](i) }));
    if (push.open) timer = setTimeout(next, interval);
  };
  let timer = setTimeout(next, 0);
  push.onClose(() => clearTimeout(timer));
}
