/**
 * `ws?auth=first`: the ticket comes in the first message instead of the URL, so it never sits in
 * a request line (logs, proxies, the inspector's list). The handshake is accepted without it; the
 * server then waits `authFirstMessageMs` for exactly
 *
 *   → {"type":"auth","ticket":"kq3…"}
 *   ← {"type":"auth","ok":true}          then the endpoint runs as usual
 *
 * and closes with 1008 (policy violation, RFC 6455 §7.4.1) when it does not come in time, comes
 * malformed, or carries a ticket that is not good. Until then the socket receives nothing: an
 * unauthenticated peer is told nothing of the feed.
 */
import type { RawData } from 'ws';
import { WebSocket } from 'ws';
import { bound } from './bounds.ts';
import type { LabSocket } from './request.ts';

type Handler<Q> = (ctx: LabSocket<Q>) => void | Promise<void>;

/** Runs `handle` at once, or after a good auth message when the query says `auth=first`. */
export function firstMessageAuth<Q>(handle: Handler<Q>): Handler<Q> {
  return (ctx) => {
    const url = new URL(ctx.req.url ?? '/', 'http://lab.invalid');
    if (url.searchParams.get('auth') !== 'first') return handle(ctx);
    const { ws, lab, socket, session } = ctx;
    /** Closes with `reason`; the inspector is told `note` (the whole story), or the reason. */
    const refuse = (reason: string, note = `auth=first: ${reason}`): void => {
      lab.note(socket, note);
      if (ws.readyState === WebSocket.OPEN) ws.close(1008, reason);
    };
    const timer = setTimeout(
      () =>
        refuse(`${bound(lab.cfg, 'authFirstMessageMs')}: no {"type":"auth","ticket":…} message came in time`),
      lab.cfg.authFirstMessageMs,
    );
    const offShutdown = lab.onShutdown(() => ws.close(1001, 'server shutting down'));
    const stopWaiting = (): void => {
      clearTimeout(timer);
      offShutdown();
    };
    ws.once('close', stopWaiting);
    ws.once('message', (data: RawData, isBinary: boolean) => {
      stopWaiting();
      if (ws.readyState !== WebSocket.OPEN) return;
      let ticket: unknown;
      try {
        const message = isBinary ? null : JSON.parse((data as Buffer).toString('utf8'));
        ticket = message?.type === 'auth' ? message.ticket : undefined;
      } catch {
        ticket = undefined;
      }
      if (typeof ticket !== 'string') {
        refuse('the first message must be {"type":"auth","ticket":"…"}');
        return;
      }
      const redeemed = lab.tickets.redeem(session.id, ticket);
      if (!redeemed.ok) {
        refuse(redeemed.short, redeemed.text);
        return;
      }
      ws.send(JSON.stringify({ type: 'auth', ok: true }));
      // Called at once, so the endpoint's own 'message' listener is in place for the next message.
      Promise.resolve(handle(ctx)).catch((err: unknown) => {
        lab.note(socket, `lab error: ${(err as Error)?.message ?? err}`);
        ws.close(1011, 'the lab failed on this connection');
      });
    });
  };
}
