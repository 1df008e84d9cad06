/**
 * Keepalive pings on one WebSocket, and dead-peer detection (RFC 6455 §5.5.2–3: a ping asks for a
 * pong, and browsers answer by themselves). A peer that has not answered one ping by the next is
 * gone — a laptop shut, Wi-Fi lost — and without pings its socket would stay open until TCP gives
 * up, many minutes later. The pings also keep an idle socket alive through a NAT or a proxy that
 * forgets a connection with no traffic (nginx's `proxy_read_timeout` is 60 s by default).
 *
 * The lab's own `ws` and `echo` (push-socket.ts) and the learner's handlers' sockets
 * (mine-socket.ts) use it.
 */
import type { WebSocket } from 'ws';

/**
 * Pings `ws` every `everyMs`; calls `dead` once if a ping went unanswered until the next one.
 * Returns what stops it (it also stops when the socket closes).
 */
export function keepAlive(ws: WebSocket, everyMs: number, dead: () => void): () => void {
  let answered = true;
  const pinger = setInterval(() => {
    if (!answered) {
      clearInterval(pinger);
      dead();
      return;
    }
    answered = false;
    if (ws.readyState === ws.OPEN) ws.ping();
  }, everyMs);
  const pong = (): void => {
    answered = true;
  };
  ws.on('pong', pong);
  const stop = (): void => {
    clearInterval(pinger);
    ws.off('pong', pong);
  };
  ws.once('close', stop);
  return stop;
}
