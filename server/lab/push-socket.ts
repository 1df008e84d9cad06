/**
 * One WebSocket that the server pushes messages on (`ws`, `echo`), kept inside the bounds: it
 * counts messages against `drop=` and, outside a class, `maxStreamMessages`; closes after
 * `maxStreamMs` (outside a class: push-lifetime.ts); closes a reader that falls `maxBufferedBytes`
 * behind with a reason, cutting it if it does not catch up within `slowReaderGraceMs`; pings every
 * `wsPingMs` and cuts a peer that did not answer; and closes with 1001 when the server shuts down.
 * With `mute` (ws-plan.ts) it goes quiet after that many messages: no message, no ping, no answer,
 * and no close either, until `maxMuteMs` cuts it.
 */
import { bound } from './bounds.ts';
import { isCapped, startLifetime } from './push-lifetime.ts';
import type { LabSocket } from './request.ts';
import { keepAlive } from './heartbeat.ts';

export interface PushSocket {
  /** Sends one message (counted): a text frame, or a binary frame with `binary`. */
  send(data: string | Buffer, binary?: boolean): void;
  /** Starts the closing handshake with `code` and `reason`; tells the inspector `note`. */
  close(code: number, reason: string, note?: string): void;
  /** Runs `fn` once when the socket is closed, however it closed. */
  onClose(fn: () => void): void;
  readonly open: boolean;
  /** Sends one frame that is not a feed message (not counted): nothing once closed or muted. */
  reply(text: string): void;
  /** True once `mute` silenced it: whatever the client sends is ignored. */
  readonly muted: boolean;
}

/** Per-connection faults that override the query's (a `ws?plan=` step). */
export interface PushFaults {
  readonly drop?: number;
  /** After this many messages, go quiet without closing. */
  readonly mute?: number;
}

/** Watches the WebSocket of `ctx` against the bounds. */
export function openPushSocket(ctx: LabSocket<unknown>, own: PushFaults = {}): PushSocket {
  const { ws, socket, lab } = ctx;
  const faults = { ...ctx.faults, ...own };
  const { cfg } = lab;
  const capped = isCapped(ctx.session);
  let sent = 0;
  let muted = false;

  const cut = (why: string): void => {
    if (!life.open) return;
    lab.note(socket, why);
    life.finish();
    ws.terminate(); // destroys the socket: no close frame, the browser reports code 1006
  };
  /** Closes with `code` and `reason`; a peer that has not closed after `graceMs` is cut (`late` says why). */
  const closeWithin = (code: number, reason: string, note: string, graceMs: number, late?: string): void => {
    if (!life.open) return;
    lab.note(socket, note);
    life.finish();
    ws.close(code, reason); // RFC 6455 §5.5: a close reason fits in 123 bytes
    const timer = setTimeout(() => {
      if (late !== undefined) lab.note(socket, late);
      ws.terminate();
    }, graceMs);
    timer.unref();
    ws.once('close', () => clearTimeout(timer));
  };
  // A peer that never answers the close frame is cut after a second.
  const close = (code: number, reason: string, note = `${reason} — closed ${code}`): void =>
    closeWithin(code, reason, note, 1_000);

  const life = startLifetime(
    lab,
    capped,
    () => close(1008, `${bound(cfg, 'maxStreamMs')} reached`),
    () => close(1001, 'server shutting down'),
  );
  ws.once('close', () => life.finish());

  // Keepalive pings; a peer that has not answered one by the next is gone (heartbeat.ts).
  const stopPings = keepAlive(ws, cfg.wsPingMs, () =>
    cut(`${bound(cfg, 'wsPingMs')} reached — no pong to the last ping, connection cut`),
  );
  life.onClose(stopPings);

  // A half-open connection, played: the server goes quiet but keeps its socket, as one that hangs
  // or a NAT box that forgot the connection would. The page sees no close event; only a heartbeat
  // of its own finds out. `ws` would still answer a protocol ping by itself: that is turned off.
  const mute = (): void => {
    muted = true;
    stopPings();
    (ws as unknown as { _autoPong: boolean })._autoPong = false;
    lab.note(
      socket,
      `fault: mute=${faults.mute} — after ${sent} messages the server says nothing more and answers nothing, but keeps the connection open`,
    );
    const timer = setTimeout(
      () => cut(`${bound(cfg, 'maxMuteMs')} reached — the muted connection was still open, connection cut`),
      cfg.maxMuteMs,
    );
    life.onClose(() => clearTimeout(timer));
  };
  if (faults.mute === 0) mute();

  return {
    send(data, binary = false) {
      if (!life.open || muted) return;
      sent += 1;
      ctx.session.delivered += 1;
      if (faults.drop !== undefined && sent >= faults.drop) {
        lab.note(socket, `fault: drop=${faults.drop} — connection cut after ${sent} messages`);
        life.finish();
        // Cut once this message has reached the socket: no close frame, the browser reports 1006.
        ws.send(data, { binary }, () => ws.terminate());
        setTimeout(() => ws.terminate(), 1_000).unref();
        return;
      }
      ws.send(data, { binary });
      if (ws.bufferedAmount > cfg.maxBufferedBytes) {
        // No more messages; the close frame waits behind what the reader has not read, and a
        // reader that only paused for a while reads the reason in it.
        const why = `${bound(cfg, 'maxBufferedBytes')} reached — reader fell ${ws.bufferedAmount} bytes behind`;
        closeWithin(
          1008,
          why,
          `${why}, closed 1008`,
          cfg.slowReaderGraceMs,
          `${bound(cfg, 'slowReaderGraceMs')} reached — the reader did not catch up, connection cut`,
        );
      } else if (capped && sent >= cfg.maxStreamMessages) {
        close(1008, `${bound(cfg, 'maxStreamMessages')} reached`);
      } else if (sent === faults.mute) mute();
    },
    reply(text) {
      if (life.open && !muted) ws.send(text);
    },
    get muted() {
      return muted;
    },
    close,
    onClose: life.onClose,
    get open() {
      return life.open;
    },
  };
}
