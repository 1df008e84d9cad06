/**
 * Lab sessions: what the server remembers about one `/lab/<session>/` (one learner's tab).
 *
 * A session is created by its first request, holds its feed, its rate bucket and its open
 * connections, and is forgotten after `sessionIdleMs` without use and without connections, unless
 * it is bound to a room (a classroom's learner): then it lives until it is unbound.
 */
import type { Config } from '../config.ts';
import { createTokenBucket, type TokenBucket } from './bounds.ts';
import { createFeed, type Feed } from './feed.ts';

export interface Session {
  readonly id: string;
  readonly feed: Feed;
  /** `requestsPerSecond`, burst 2×. */
  readonly bucket: TokenBucket;
  /** Open lab connections: HTTP requests not yet answered in full, and WebSockets. */
  connections: number;
  /** Counts `GET time` answers (their `seq`). */
  timeSeq: number;
  lastUsed: number;
  /** The room a feed endpoint reads when its query names none (`lab.bindRoom`); null: the session's own feed. */
  defaultRoom: string | null;
  /** Open connections by endpoint (`sse`, `ws`, `poll`, …), for `lab.sessionActivity`. */
  readonly open: Record<string, number>;
  /** Requests (and WebSockets) started, by endpoint. */
  readonly started: Record<string, number>;
  /** Messages sent to this session's readers: a poll's or news answer counts its messages, a stream each message it carries. */
  delivered: number;
}

export interface Sessions {
  readonly size: number;
  /** The session `id`, created if new; null when `maxSessions` are alive already. */
  open(id: string): Session | null;
  /** The session `id` if it exists (never creates one). */
  get(id: string): Session | undefined;
  /** Forgets sessions idle past `sessionIdleMs` with no open connection and no room bound. */
  sweep(now?: number): void;
  /** Total open connections across sessions. */
  connections(): number;
  close(): void;
}

/** Creates the session table; it sweeps itself now and then. */
export function createSessions(cfg: Config): Sessions {
  const table = new Map<string, Session>();
  const sweep = (now = Date.now()): void => {
    for (const s of table.values()) {
      const idleSince = Math.max(s.lastUsed, s.feed.lastUsed);
      const idle = s.connections === 0 && s.feed.listeners === 0 && now - idleSince > cfg.sessionIdleMs;
      if (idle && s.defaultRoom === null) {
        s.feed.close();
        table.delete(s.id);
      }
    }
  };
  const timer = setInterval(sweep, Math.min(cfg.sessionIdleMs, 60_000));
  timer.unref();

  return {
    get size() {
      return table.size;
    },
    open(id) {
      let session = table.get(id);
      if (!session) {
        if (table.size >= cfg.maxSessions) sweep();
        if (table.size >= cfg.maxSessions) return null;
        session = {
          id,
          feed: createFeed(`session:${id}`, cfg),
          bucket: createTokenBucket(cfg.requestsPerSecond, 2 * cfg.requestsPerSecond),
          connections: 0,
          timeSeq: 0,
          lastUsed: Date.now(),
          defaultRoom: null,
          open: {},
          started: {},
          delivered: 0,
        };
        table.set(id, session);
      }
      session.lastUsed = Date.now();
      return session;
    },
    get: (id) => table.get(id),
    sweep,
    connections() {
      let n = 0;
      for (const s of table.values()) n += s.connections;
      return n;
    },
    close() {
      clearInterval(timer);
      for (const s of table.values()) s.feed.close();
      table.clear();
    },
  };
}

/** Counts a connection to `endpoint` as open (and started) on `session`; returns what uncounts it. */
export function countOpen(session: Session, endpoint: string): () => void {
  session.connections += 1;
  session.open[endpoint] = (session.open[endpoint] ?? 0) + 1;
  session.started[endpoint] = (session.started[endpoint] ?? 0) + 1;
  let counted = true;
  return () => {
    if (!counted) return;
    counted = false;
    session.connections -= 1;
    session.open[endpoint] = (session.open[endpoint] ?? 1) - 1;
    session.lastUsed = Date.now();
  };
}
