/**
 * WS /lab/<session>/ws — the feed over a WebSocket: after the handshake, both sides may send at
 * any time. The server sends each feed message as one text frame of JSON; text the client sends
 * joins the feed as a chat message (and so comes back to every reader, this one included).
 *
 *   ← {"id":43,"type":"tick","time":"…","data":{"symbol":"WIRE","price":101.3}}
 *   → hello
 *   ← {"id":44,"type":"chat","time":"…","data":"hello"}
 *
 * With `echo=1` the client's messages, text and binary, come straight back instead. The text `ping`
 * is answered `pong` on this socket alone: a heartbeat page code can see, unlike protocol pings.
 * `mute=N` and `plan=` play a server that stops answering or restarts (ws-plan.ts). With
 * `deflate=1` (or `deflate=notakeover`) the frames are compressed: the handshake and the choice
 * of server are in deflate.ts; this handler sends and reads messages the same either way.
 */
import type { RawData } from 'ws';
import type { Config } from '../config.ts';
import { bound } from './bounds.ts';
import { deflateOption } from './deflate.ts';
import { appendQuietly, type FeedMessage } from './feed.ts';
import { messageJsonBytes } from './message-text.ts';
import { openPushSocket } from './push-socket.ts';
import { int, MAX_INT } from './query.ts';
import type { LabSocket } from './request.ts';
import { nextPlanStep, planOption } from './ws-plan.ts';

export const wsFeedOptions = (cfg: Config) => ({
  since: int(0, MAX_INT),
  echo: int(0, 1),
  deflate: deflateOption(),
  mute: int(0, MAX_INT),
  plan: planOption(cfg),
});

/** Follows the feed (after `since`, or only new messages) and appends what the client says. */
export function wsFeed(
  ctx: LabSocket<{ since?: number; echo?: number; mute?: number; plan?: string }>,
): void {
  const { ws, feed, query } = ctx;
  const step =
    query.plan === undefined ? undefined : nextPlanStep(ctx.session, query.plan, query.since !== undefined);
  const push = openPushSocket(ctx, {
    mute: step?.kind === 'mute' ? step.after : query.mute,
    ...(step?.kind === 'drop' ? { drop: step.after } : {}),
  });
  if (step?.kind === 'down') {
    // RFC 6455 §7.4.1 (IANA registry): 1013 Try Again Later — as a server that is restarting.
    push.close(1013, 'plan: down — the server is restarting; try again later');
    return;
  }

  const forward = (m: FeedMessage): void => push.send(messageJsonBytes(m)); // one message, one text frame
  for (const m of feed.after(query.since ?? feed.lastId).messages) forward(m);
  const unsubscribe = feed.subscribe(forward);
  push.onClose(unsubscribe);

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (push.muted) return; // a server that stopped answering: nothing it is sent has any effect
    const bytes = data as Buffer; // binaryType 'nodebuffer': always one Buffer per message
    if (query.echo === 1) {
      // back as it came: same bytes, same opcode
      push.send(bytes, isBinary);
      return;
    }
    // RFC 6455 §7.4.1: 1003 means "I cannot accept this kind of data".
    if (isBinary) {
      push.close(1003, 'binary messages are echoed with echo=1; the feed takes text');
      return;
    }
    // What one socket adds to a feed reaches every reader of it (a whole class, in a class room), so
    // it takes from the session's request bucket, like a `send` POST: a loop of ws.send() cannot
    // drown the room. Past the rate the socket is closed, naming the bound.
    if (!ctx.session.bucket.take()) {
      push.close(
        1008,
        `${bound(ctx.lab.cfg, 'requestsPerSecond')} reached: send at most ${ctx.lab.cfg.requestsPerSecond} messages a second`,
      );
      return;
    }
    const text = bytes.toString('utf8');
    if (text === 'ping') push.reply('pong');
    else appendQuietly(feed, text);
  });
}
