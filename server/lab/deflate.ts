/**
 * `ws?deflate=1` and `ws?deflate=notakeover`: the feed's WebSocket with permessage-deflate
 * (RFC 7692), so learners see RSV1 set and compressed payloads. Without the option the lab
 * declines the extension, as it always did: the handshake answer names none.
 *
 * ws negotiates the extension itself when its WebSocketServer has `perMessageDeflate`, so the lab
 * keeps one such server per way of asking, and picks one per handshake:
 *
 *   deflate=1            → Sec-WebSocket-Extensions: permessage-deflate
 *                          (context takeover: each message may refer back into the ones before)
 *   deflate=notakeover   → Sec-WebSocket-Extensions: permessage-deflate;
 *                          server_no_context_takeover; client_no_context_takeover
 *                          (RFC 7692 §7.1.1: each message is compressed on its own)
 *
 * Bounds: the inflated message is held to `maxMessageBytes` (ws checks the inflated size as zlib
 * produces it and closes with 1009, so an inflate bomb buffers no more than that), and the
 * compressed sockets open at once to `maxDeflateSockets` and `maxDeflateSocketsPerSession`, since
 * each keeps zlib state for its life. Past either, the handshake declines the extension.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { type ServerOptions, WebSocketServer } from 'ws';
import type { Config } from '../config.ts';
import { bound } from './bounds.ts';
import { oneOf } from './query.ts';

export type DeflateAsk = '1' | 'notakeover';

/** The `deflate=` query option of `ws`. */
export const deflateOption = () => oneOf<DeflateAsk>('1', 'notakeover');

export interface LabDeflate {
  /**
   * The server to complete this handshake with when it may be compressed, counted until its socket
   * closes; undefined (and a note saying why) when the extension is declined.
   */
  pick(ask: DeflateAsk, session: string, req: IncomingMessage, socket: Socket): WebSocketServer | undefined;
  /** Both servers, for shutdown. */
  readonly servers: readonly WebSocketServer[];
}

/**
 * ws compresses only messages of at least `threshold` bytes (1 KiB by default); the feed's
 * messages are ~90 bytes, so 0: every message is compressed and shows RSV1, even where deflate
 * makes it longer (which is worth seeing too).
 */
const THRESHOLD = 0;

/** Creates the two compressing servers with the lab's other WebSocket options (`base`). */
export function createDeflate(
  cfg: Config,
  base: ServerOptions,
  note: (socket: Socket, text: string) => void,
): LabDeflate {
  const takeover = new WebSocketServer({ ...base, perMessageDeflate: { threshold: THRESHOLD } });
  const fresh = new WebSocketServer({
    ...base,
    perMessageDeflate: {
      threshold: THRESHOLD,
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
    },
  });
  let open = 0;
  const bySession = new Map<string, number>();

  return {
    servers: [takeover, fresh],
    pick(ask, session, req, socket) {
      // RFC 7692 §5: the server may only accept what the client offered.
      const offer = String(req.headers['sec-websocket-extensions'] ?? '');
      if (!/(^|,)\s*permessage-deflate\s*(;|,|$)/i.test(offer)) {
        note(socket, `deflate=${ask} asked, but the client offered no permessage-deflate: not compressed`);
        return undefined;
      }
      const mine = bySession.get(session) ?? 0;
      const full =
        open >= cfg.maxDeflateSockets
          ? bound(cfg, 'maxDeflateSockets')
          : mine >= cfg.maxDeflateSocketsPerSession
            ? bound(cfg, 'maxDeflateSocketsPerSession')
            : undefined;
      if (full !== undefined) {
        note(
          socket,
          `${full} reached — permessage-deflate declined, this WebSocket is not compressed; open it again once other compressed ones have closed`,
        );
        return undefined;
      }
      open += 1;
      bySession.set(session, mine + 1);
      socket.once('close', () => {
        open -= 1;
        const left = (bySession.get(session) ?? 1) - 1;
        if (left > 0) bySession.set(session, left);
        else bySession.delete(session);
      });
      return ask === 'notakeover' ? fresh : takeover;
    },
  };
}
