/**
 * One HTTP response that carries many messages (comet `stream`, `sse`), kept inside the bounds.
 *
 * The handler decides the bytes: it calls `send()` with one message exactly as it goes on the
 * wire. This file decides when they go: at once as a chunk of their own (Transfer-Encoding:
 * chunked, because no Content-Length is known), or all at the end with `buffer=1`. It counts
 * messages against `count=`, `drop=` and, outside a class, `maxStreamMessages`; ends the stream
 * after `maxStreamMs` (outside a class: push-lifetime.ts); and ends the stream of a reader that
 * falls `maxBufferedBytes` behind, cutting it if it does not catch up within `slowReaderGraceMs`.
 * With `split`, what it writes is cut into pieces that go out one by one (split-writes.ts).
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { bound } from './bounds.ts';
import { isCapped, startLifetime } from './push-lifetime.ts';
import type { LabRequest } from './request.ts';
import { splitWrites } from './split-writes.ts';

export interface PushOptions {
  /** The response head: Content-Type above all. */
  headers: OutgoingHttpHeaders;
  /** End properly after this many messages (the `count=` option). */
  count?: number | undefined;
  /** How this format tells the reader why the server ends the stream (an SSE comment, a JSON line…). */
  farewell(why: string): string;
  /** Cut the bytes into pieces of these sizes, one every `splitGapMs` (the `split=` option). */
  split?: (() => number) | undefined;
}

export interface PushResponse {
  /** Writes one message (counted): text, or its UTF-8 bytes when they are made once for many readers. */
  send(text: string | Buffer): void;
  /** Writes bytes that are not a message: padding, comments, `retry:`. */
  write(text: string): void;
  /** Ends the response properly (the last chunk); with `why`, says it first in the format's words. */
  end(why?: string): void;
  /** Runs `fn` once when the response is over, however it ended (unsubscribe, clear timers). */
  onClose(fn: () => void): void;
  /** False once ended, cut or closed by the reader. */
  readonly open: boolean;
}

/** Starts a pushed response for `ctx` (the head goes out at once unless `buffer=1`). */
export function openPush(ctx: LabRequest<unknown>, options: PushOptions): PushResponse {
  const { res, socket, lab, faults } = ctx;
  const { cfg } = lab;
  const held: string[] = []; // buffer=1: everything waits here until the end
  let heldBytes = 0;
  let sent = 0;
  const capped = isCapped(ctx.session);
  const pieces =
    options.split && !faults.buffer ? splitWrites(res, options.split, cfg.splitGapMs) : undefined;

  const cut = (why: string): void => {
    if (!life.open) return;
    lab.note(socket, why);
    life.finish();
    socket.destroy(); // no last chunk: the reader sees the connection end mid-response
  };
  let ending = false; // split: the last pieces are still going out one by one
  const end = (why?: string): void => {
    if (!life.open) return;
    if (pieces && !why && pieces.queued > 0) {
      // No more messages; the proper end follows the last piece. Until then the stream's bounds
      // (maxStreamMs, shutdown, a reader falling behind) still end it with a reason, at once.
      if (!ending) pieces.drain(() => end());
      ending = true;
      return;
    }
    if (why) lab.note(socket, why);
    const last = why ? options.farewell(why) : '';
    life.finish();
    if (faults.buffer) {
      // The buffering pitfall: nothing was sent until now, so the whole stream arrives at once.
      const body = held.join('') + last;
      res.writeHead(200, { ...options.headers, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    } else if (pieces) {
      pieces.flush(); // a bound ends the stream now: what is still queued goes at once, uncut
      res.end(last);
    } else {
      res.end(last); // chunked: writes `0\r\n\r\n`, the proper end of the stream
    }
  };
  const write = (text: string | Buffer): void => {
    if (!life.open || ending) return;
    if (faults.buffer) {
      held.push(String(text));
      heldBytes += Buffer.byteLength(text);
      if (heldBytes > cfg.maxBufferedBytes)
        end(`${bound(cfg, 'maxBufferedBytes')} reached — held response sent`);
      return;
    }
    if (pieces) pieces.write(text);
    else res.write(text);
    // Node queues what the socket cannot take yet; a reader that stops reading would grow it forever.
    const queued = res.writableLength + (pieces?.queued ?? 0);
    if (queued > cfg.maxBufferedBytes) fellBehind(queued);
  };
  /**
   * The reader has `queued` bytes it has not read: it gets no more messages, and the reason comes
   * last, behind what it has not read yet (a reader that was only busy for a while reads it). One
   * that has not read to the end within `slowReaderGraceMs` is cut, so its queue leaves memory.
   */
  const fellBehind = (queued: number): void => {
    end(`${bound(cfg, 'maxBufferedBytes')} reached — reader fell ${queued} bytes behind, stream ended`);
    const grace = setTimeout(() => {
      lab.note(
        socket,
        `${bound(cfg, 'slowReaderGraceMs')} reached — the reader did not catch up, connection cut`,
      );
      socket.destroy();
    }, cfg.slowReaderGraceMs);
    grace.unref();
    // Bytes handed to the kernel may still be unread, so the connection closes after the response:
    // a reader that has read it all reads the FIN and closes too, and only then is it caught up.
    res.once('finish', () => socket.end());
    socket.once('close', () => clearTimeout(grace));
  };

  if (!faults.buffer) {
    res.writeHead(200, options.headers);
    res.flushHeaders(); // the head goes now: EventSource fires `open`, fetch() resolves
  }
  const life = startLifetime(
    lab,
    capped,
    () => end(`${bound(cfg, 'maxStreamMs')} reached — stream ended`),
    () => end('server shutting down'),
  );
  res.once('close', () => {
    life.finish(); // the reader went away (or the socket was cut)
    pieces?.stop();
  });

  return {
    send(text) {
      if (!life.open || ending) return;
      sent += 1;
      ctx.session.delivered += 1;
      if (faults.drop !== undefined && sent >= faults.drop && !faults.buffer) {
        lab.note(socket, `fault: drop=${faults.drop} — connection cut after ${sent} messages`);
        life.finish();
        // Cut once this message has reached the socket: the reader gets it whole, then no proper end.
        const destroy = () => socket.destroy();
        if (pieces) {
          pieces.write(text, destroy);
          pieces.drain(() => setTimeout(destroy, 1_000).unref()); // or a little later, if it never does
        } else {
          res.write(text, destroy);
          setTimeout(destroy, 1_000).unref(); // or a little later, if it never does
        }
        return;
      }
      write(text);
      if (faults.drop !== undefined && sent >= faults.drop) {
        cut(`fault: drop=${faults.drop} — connection cut after ${sent} messages (nothing sent: buffer=1)`);
      } else if (options.count !== undefined && sent >= options.count) {
        end();
      } else if (capped && sent >= cfg.maxStreamMessages) {
        end(`${bound(cfg, 'maxStreamMessages')} reached — stream ended`);
      }
    },
    write,
    end,
    onClose: life.onClose,
    get open() {
      return life.open && !ending;
    },
  };
}
