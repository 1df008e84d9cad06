/**
 * Who may come in: the bounds checked before any endpoint runs, the same for HTTP requests and
 * WebSocket handshakes. A refusal names its bound, says what to do and when a retry can succeed;
 * HTTP turns it into a 503/429 answer with `Retry-After`, a WebSocket into a close frame with code
 * 1013 ("try again later").
 *
 * Server-wide bounds are 503 (`maxSessions`, `maxRooms`); an address's or a session's share is
 * 429 (`maxSessionsPerAddress`, `maxRoomsPerAddress`, `maxConnectionsPerAddress`,
 * `requestsPerSecond`, `maxConnectionsPerSession`).
 */
import type { Config } from '../config.ts';
import { bound } from './bounds.ts';
import type { Feed } from './feed.ts';
import type { Rooms } from './rooms.ts';
import type { Session, Sessions } from './sessions.ts';

export type Admission =
  | { ok: true; session: Session; feed: Feed }
  | { ok: false; status: 429 | 503; text: string; retryAfterS: number };

/** What the endpoint wants to read: a feed at all, and the room its query names (`room=`). */
export interface FeedWanted {
  readonly readsFeed: boolean;
  readonly room: string | undefined;
}

/** "in 1 s", "in 45 s", "in 12 min". */
function inTime(s: number): string {
  return s < 120 ? `in ${s} s` : `in ${Math.ceil(s / 60)} min`;
}

/**
 * Opens the session (and the room its feed comes from) for the client `address`, takes a token
 * from its rate bucket and checks its open connections. The caller counts the new connection
 * once admitted.
 */
export function admit(
  cfg: Config,
  sessions: Sessions,
  rooms: Rooms,
  id: string,
  address: string,
  wanted: FeedWanted,
): Admission {
  const opened = sessions.open(id, address);
  if (!opened.ok) {
    const wait = inTime(opened.retryAfterS);
    const text =
      opened.bound === 'maxSessions'
        ? `${bound(cfg, 'maxSessions')} reached: the server holds ${opened.held} sessions, all in use. Try again ${wait}, when the first may be forgotten.`
        : `${bound(cfg, 'maxSessionsPerAddress')} reached: your address holds ${opened.held} sessions, all in use. Close tabs you no longer use, or try again ${wait}.`;
    return {
      ok: false,
      status: opened.bound === 'maxSessions' ? 503 : 429,
      text,
      retryAfterS: opened.retryAfterS,
    };
  }
  const { session } = opened;
  if (!session.bucket.take()) {
    const wait = session.bucket.waitMs();
    const text = `${bound(cfg, 'requestsPerSecond')} reached: this session sends requests faster than ${cfg.requestsPerSecond} a second. Wait ${wait} ms, and poll less often.`;
    return { ok: false, status: 429, text, retryAfterS: Math.max(1, Math.ceil(wait / 1000)) };
  }
  if (session.connections >= cfg.maxConnectionsPerSession) {
    const text = `${bound(cfg, 'maxConnectionsPerSession')} reached: this session has ${session.connections} connections open. Close one (EventSource.close(), WebSocket.close(), abort a fetch) before opening another.`;
    return { ok: false, status: 429, text, retryAfterS: 1 };
  }
  // A class's sessions are not counted against their address: a school behind one NAT never
  // loses its class's connections to someone else's flood from the same address.
  const fromAddress = sessions.connectionsFrom(address);
  if (session.defaultRoom === null && fromAddress >= cfg.maxConnectionsPerAddress) {
    const text = `${bound(cfg, 'maxConnectionsPerAddress')} reached: your address holds ${fromAddress} lab connections open. Close some (EventSource.close(), WebSocket.close()), then try again.`;
    return { ok: false, status: 429, text, retryAfterS: 1 };
  }
  // A session bound to a room (a classroom learner's, `lab.bindRoom`) reads that room unless the
  // query names another: the learner's unchanged `new EventSource('sse')` hears the class.
  const room = wanted.readsFeed ? (wanted.room ?? session.defaultRoom ?? undefined) : undefined;
  if (room === undefined) return { ok: true, session, feed: session.feed };
  const admitted = rooms.admit(room, address);
  if (!admitted.ok) {
    const wait = inTime(admitted.retryAfterS);
    const text =
      admitted.bound === 'maxRooms'
        ? `${bound(cfg, 'maxRooms')} reached: the server holds ${admitted.held} rooms, all in use. Join an existing room, or try again ${wait}.`
        : `${bound(cfg, 'maxRoomsPerAddress')} reached: your address made ${admitted.held} rooms, all in use. Reuse one of them, or try again ${wait}.`;
    return {
      ok: false,
      status: admitted.bound === 'maxRooms' ? 503 : 429,
      text,
      retryAfterS: admitted.retryAfterS,
    };
  }
  return { ok: true, session, feed: admitted.feed };
}
