/**
 * WebSockets to a learner's handler (`onWebSocket({ open, message, close })`), on the lab's own
 * WebSocketServer: each message goes to the sandbox (a binary one as a Uint8Array), each
 * `ws.send()` comes back as a frame (binary for bytes). The socket is pinged every `wsPingMs` like
 * the lab's own (heartbeat.ts). Refusals accept the handshake and close at once (a browser can
 * read a close code and reason, never a refused handshake's status), as the lab's other
 * WebSockets do.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import type { Config } from '../config.ts';
import type { SandboxPool } from '../sandbox/pool.ts';
import type { GuestRequest } from '../sandbox/protocol.ts';
import { bound } from './bounds.ts';
import type { Feed } from './feed.ts';
import { keepAlive } from './heartbeat.ts';
import type { LabRuntime } from './request.ts';

/** A WebSocket handshake to `mine/…`: `accept` completes it (the lab's WebSocketServer). */
export interface MineUpgrade {
  readonly req: IncomingMessage;
  readonly socket: Socket;
  readonly session: string;
  readonly feed: Feed;
  readonly rest: string;
  readonly url: URL;
  accept(then: (ws: WebSocket) => void): void;
}

/** What mine.ts shares with this file: the pool, its checks and its counts. */
export interface SocketSide {
  readonly cfg: Config;
  readonly lab: LabRuntime;
  readonly pool: SandboxPool;
  /** Why the session may not take one more connection or start a sandbox now, or null. */
  refusal(session: string): string | null;
  /** Counts one connection of the session's handler; returns what uncounts it. */
  countOpen(session: string): () => void;
  guestRequest(req: IncomingMessage, rest: string, url: URL, body: string): GuestRequest;
  /** The feed the session's `feed.*` calls use from now on. */
  remember(session: string, feed: Feed): void;
  /** Registers what to do at shutdown; returns what unregisters it. */
  onShutdown(fn: () => void): () => void;
}

/** Gives the WebSocket of `ctx` to the session's handler. */
export function serveSocket(ctx: MineUpgrade, side: SocketSide): void {
  const { req, socket, session, feed, rest, url, accept } = ctx;
  const { cfg, lab, pool } = side;
  const refuse = (code: number, text: string): void => {
    lab.note(socket, text);
    accept((ws) => {
      ws.on('error', () => {});
      ws.close(code, closeReason(text));
    });
  };
  if (!pool.has(session)) {
    refuse(1008, `No handler is deployed in this session: PUT your code to /lab/${session}/mine first.`);
    return;
  }
  const refused = side.refusal(session);
  if (refused) {
    refuse(1013, refused); // "try again later"
    return;
  }
  side.remember(session, feed);
  const uncount = side.countOpen(session);
  accept((ws) => {
    let rid = 0;
    const sink = {
      send(data: string | Uint8Array) {
        if (ws.readyState !== ws.OPEN) return;
        ws.send(data, { binary: typeof data !== 'string' });
        if (ws.bufferedAmount > cfg.maxBufferedBytes) {
          lab.note(
            socket,
            `${bound(cfg, 'maxBufferedBytes')} reached — the reader fell behind, connection cut`,
          );
          ws.terminate();
        }
      },
      close(code: number, reason: string) {
        ws.close(code, reason);
      },
      fail(text: string) {
        lab.note(socket, text);
        ws.close(1011, closeReason(text));
      },
    };
    const lifetime = setTimeout(() => {
      lab.note(socket, `${bound(cfg, 'maxStreamMs')} reached — WebSocket closed`);
      ws.close(1000, closeReason(`${bound(cfg, 'maxStreamMs')} reached`));
    }, cfg.maxStreamMs);
    const unregister = side.onShutdown(() => ws.close(1001, 'server shutting down'));
    // The same keepalive as the lab's own WebSockets: an idle handler socket stays up behind a
    // NAT or proxy, and a dead peer is cut (its handler's close() runs with 1006).
    keepAlive(ws, cfg.wsPingMs, () => {
      lab.note(socket, `${bound(cfg, 'wsPingMs')} reached — no pong to the last ping, connection cut`);
      ws.terminate();
    });
    ws.on('error', (err) => lab.note(socket, `WebSocket error: ${err.message}`));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      // A binary message (RFC 6455 §5.6, opcode 2) reaches the handler as a Uint8Array: a copy of
      // exactly its bytes, never a view of a buffer Node may reuse.
      const buf = data as Buffer; // the lab's WebSocketServer keeps ws's default binaryType, 'nodebuffer'
      pool.socketMessage(session, rid, isBinary ? Uint8Array.from(buf) : buf.toString('utf8'));
    });
    ws.once('close', (code, reason) => {
      clearTimeout(lifetime);
      unregister();
      uncount();
      pool.socketClosed(session, rid, code, reason.toString('utf8'));
    });
    rid = pool.socket(session, side.guestRequest(req, rest, url, ''), sink);
  });
}

/** A close reason fits in 123 bytes (RFC 6455 §5.5): the first sentence of `text`, cut if need be. */
export function closeReason(text: string): string {
  const first = text.split(': ')[0] ?? text;
  return Buffer.byteLength(first) <= 123 ? first : Buffer.from(first).subarray(0, 120).toString('utf8');
}
