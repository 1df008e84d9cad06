/**
 * Lab sessions: what the server remembers about one `/lab/<session>/` (one learner's tab).
 *
 * A session is created by its first request, holds its feed, its rate bucket and its open
 * connections, and is forgotten after `sessionIdleMs` without use and without connections.
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
}

export interface Sessions {
  readonly size: number;
  /** The session `id`, created if new; null when `maxSessions` are alive already. */
  open(id: string): Session | null;
  /** Forgets sessions idle past `sessionIdleMs` with no open connection. */
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
      if (s.connections === 0 && s.feed.listeners === 0 && now - idleSince > cfg.sessionIdleMs) {
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
        };
        table.set(id, session);
      }
      session.lastUsed = Date.now();
      return session;
    },
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
