/**
 * Who may come in: the bounds checked before any endpoint runs, the same for HTTP requests and
 * WebSocket handshakes. A refusal names its bound and says what to do; HTTP turns it into a
 * 503/429 answer, a WebSocket into a close frame with code 1013 ("try again later").
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

/**
 * Opens the session (and the room its feed comes from), takes a token from its rate bucket and
 * checks its open connections. The caller counts the new connection once admitted.
 */
export function admit(
  cfg: Config,
  sessions: Sessions,
  rooms: Rooms,
  id: string,
  wanted: FeedWanted,
): Admission {
  const session = sessions.open(id);
  if (!session) {
    const text = `${bound(cfg, 'maxSessions')} reached: the server has as many sessions as it takes. Try again in a minute.`;
    return { ok: false, status: 503, text, retryAfterS: 60 };
  }
  if (!session.bucket.take()) {
    const wait = session.bucket.waitMs();
    const text = `${bound(cfg, 'requestsPerSecond')} reached: this session sends requests faster than ${cfg.requestsPerSecond} a second. Wait ${wait} ms, and poll less often.`;
    return { ok: false, status: 429, text, retryAfterS: Math.max(1, Math.ceil(wait / 1000)) };
  }
  if (session.connections >= cfg.maxConnectionsPerSession) {
    const text = `${bound(cfg, 'maxConnectionsPerSession')} reached: this session has ${session.connections} connections open. Close one (EventSource.close(), WebSocket.close(), abort a fetch) before opening another.`;
    return { ok: false, status: 429, text, retryAfterS: 1 };
  }
  // A session bound to a room (a classroom learner's, `lab.bindRoom`) reads that room unless the
  // query names another: the learner's unchanged `new EventSource('sse')` hears the class.
  const room = wanted.readsFeed ? (wanted.room ?? session.defaultRoom ?? undefined) : undefined;
  const feed = room === undefined ? session.feed : rooms.open(room);
  if (!feed) {
    const text = `${bound(cfg, 'maxRooms')} reached: the server has as many rooms as it takes. Join an existing room, or try again later.`;
    return { ok: false, status: 503, text, retryAfterS: 60 };
  }
  return { ok: true, session, feed };
}
