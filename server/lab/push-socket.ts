/**
 * One WebSocket that the server pushes messages on (`ws`, `echo`), kept inside the bounds: it
 * counts messages against `drop=` and `maxStreamMessages`, closes after `maxStreamMs`, cuts a
 * reader that falls `maxBufferedBytes` behind, and closes with 1001 when the server shuts down.
 */
import { bound } from './bounds.ts';
import { startLifetime } from './push-lifetime.ts';
import type { LabSocket } from './request.ts';

export interface PushSocket {
  /** Sends one message (counted): a text frame, or a binary frame with `binary`. */
  send(data: string | Buffer, binary?: boolean): void;
  /** Starts the closing handshake with `code` and `reason`; tells the inspector `note`. */
  close(code: number, reason: string, note?: string): void;
  /** Runs `fn` once when the socket is closed, however it closed. */
  onClose(fn: () => void): void;
  readonly open: boolean;
}

/** Watches the WebSocket of `ctx` against the bounds. */
export function openPushSocket(ctx: LabSocket<unknown>): PushSocket {
  const { ws, socket, lab, faults } = ctx;
  const { cfg } = lab;
  let sent = 0;

  const cut = (why: string): void => {
    if (!life.open) return;
    lab.note(socket, why);
    life.finish();
    ws.terminate(); // destroys the socket: no close frame, the browser reports code 1006
  };
  const close = (code: number, reason: string, note = `${reason} — closed ${code}`): void => {
    if (!life.open) return;
    lab.note(socket, note);
    life.finish();
    ws.close(code, reason); // RFC 6455 §5.5: a close reason fits in 123 bytes
    // A peer that never answers the close frame is cut after a second.
    setTimeout(() => ws.terminate(), 1_000).unref();
  };

  const life = startLifetime(
    lab,
    () => close(1008, `${bound(cfg, 'maxStreamMs')} reached`),
    () => close(1001, 'server shutting down'),
  );
  ws.once('close', () => life.finish());

  return {
    send(data, binary = false) {
      if (!life.open) return;
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
        cut(
          `${bound(cfg, 'maxBufferedBytes')} reached — reader fell ${ws.bufferedAmount} bytes behind, connection cut`,
        );
      } else if (sent >= cfg.maxStreamMessages) {
        close(1008, `${bound(cfg, 'maxStreamMessages')} reached`);
      }
    },
    close,
    onClose: life.onClose,
    get open() {
      return life.open;
    },
  };
}
