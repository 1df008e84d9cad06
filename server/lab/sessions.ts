/**
 * Lab sessions: what the server remembers about one `/lab/<session>/` (one learner's tab).
 *
 * A session is created by its first request, holds its feed, its rate bucket and its open
 * connections. It is **proven** once it carried real work: an inspector watched it (a learner's
 * page always keeps one open), it held a stream, SSE, WebSocket or long poll, or a class bound it.
 * An unproven session (made-up ids, one-shot requests only) is forgotten after `unprovenIdleMs`
 * idle and is the first to make room when a table is full; a proven one after `sessionIdleMs`.
 * Neither is forgotten while it holds a connection.
 *
 * Fair shares: sessions not bound to a class count against `maxSessions`, and those an address
 * created against `maxSessionsPerAddress`. A session bound to a class room (`bindRoom`) counts
 * against neither: the class bounds how many it binds, so a flood outside the class can never
 * use up the room its learners need. It lives until unbound.
 */
import type { Config } from '../config.ts';
import { createTokenBucket, type TokenBucket } from './bounds.ts';
import { createFeed, type Feed } from './feed.ts';

export interface Session {
  readonly id: string;
  /** The client address that created it (server/client-address.ts); '' for server code. */
  readonly address: string;
  readonly feed: Feed;
  /** `requestsPerSecond`, burst 2×. */
  readonly bucket: TokenBucket;
  /** Open lab connections: HTTP requests not yet answered in full, and WebSockets. */
  connections: number;
  /** Counts `GET time` answers (their `seq`). */
  timeSeq: number;
  lastUsed: number;
  /** The room a feed endpoint reads when its query names none (`lab.bindRoom`); null: the session's own feed. */
  readonly defaultRoom: string | null;
  /** Carried real work (see above): kept `sessionIdleMs`, never evicted for a newcomer. */
  readonly proven: boolean;
  /** Open connections by endpoint (`sse`, `ws`, `poll`, …), for `lab.sessionActivity`. */
  readonly open: Record<string, number>;
  /** Requests (and WebSockets) started, by endpoint. */
  readonly started: Record<string, number>;
  /** Messages sent to this session's readers: a poll's or news answer counts its messages, a stream each message it carries. */
  delivered: number;
}

/** A session, or which share refused it and when a retry can succeed. */
export type Opened =
  | { ok: true; session: Session }
  | { ok: false; bound: 'maxSessions' | 'maxSessionsPerAddress'; held: number; retryAfterS: number };

export interface Sessions {
  /** Sessions alive, bound or not. */
  readonly size: number;
  /** Sessions counting against `maxSessions` (not bound to a class). */
  readonly counted: number;
  /**
   * The session `id`, created if new for `address`. A newcomer first takes the place of the
   * longest idle unproven session (of its own address when the address is at its share); refused
   * when none can make room. `reserved`: create it outside the shares (a class binding it).
   */
  open(id: string, address: string, options?: { reserved?: boolean }): Opened;
  /** The session `id` if it exists (never creates one). */
  get(id: string): Session | undefined;
  /** The session carried real work. */
  prove(session: Session): void;
  /** Makes the session's feed endpoints read `room` (null: its own feed); bound sessions leave the shares. */
  setRoom(session: Session, room: string | null): void;
  /** Counts a connection of `address` to `endpoint` as open on `session`; returns what uncounts it. */
  countOpen(session: Session, endpoint: string, address: string): () => void;
  /** Open connections of sessions not bound to a class, from `address` (on every process sharing the bounds). */
  connectionsFrom(address: string): number;
  /** Addresses of this process holding at least that many sessions or connections: `[sessions, connections]`. */
  heavy(minSessions: number, minConnections: number): Record<string, [number, number]>;
  /** Forgets idle sessions: unproven past `unprovenIdleMs`, proven past `sessionIdleMs`; bound ones never. */
  sweep(now?: number): void;
  /** Total open connections across sessions. */
  connections(): number;
  close(): void;
}

/** Mutable inside this module; readonly to everyone else. */
interface SessionRecord extends Session {
  defaultRoom: string | null;
  proven: boolean;
  /** Counts against `maxSessions` and its address's share (not bound to a class). */
  counted: boolean;
}

/** Creates the session table; it sweeps itself now and then. `watched(id)`: an inspector reads it now. */
/** What the other processes sharing the bounds count (server/shared/nodes.ts); nothing for a process alone. */
export interface SessionsElsewhere {
  /** Sessions counted against `maxSessions`. */
  total(): number;
  /** Sessions and open connections of `address` (counted only where an address holds many). */
  from(address: string): { sessions: number; connections: number };
}

const ALONE: SessionsElsewhere = { total: () => 0, from: () => ({ sessions: 0, connections: 0 }) };

export function createSessions(
  cfg: Config,
  watched: (id: string) => boolean = () => false,
  elsewhere: SessionsElsewhere = ALONE,
): Sessions {
  const table = new Map<string, SessionRecord>();
  /** Unproven sessions, least recently used first (re-inserted on each use). */
  const unproven = new Map<string, SessionRecord>();
  const perAddress = new Map<string, number>();
  const connectionsByAddress = new Map<string, number>();
  let counted = 0;
  const unprovenIdleMs = Math.min(cfg.unprovenIdleMs, cfg.sessionIdleMs);

  const count = (s: SessionRecord, on: boolean): void => {
    if (s.counted === on) return;
    s.counted = on;
    counted += on ? 1 : -1;
    const n = (perAddress.get(s.address) ?? 0) + (on ? 1 : -1);
    if (n > 0) perAddress.set(s.address, n);
    else perAddress.delete(s.address);
  };
  const prove = (s: SessionRecord): void => {
    s.proven = true;
    unproven.delete(s.id);
  };
  const forget = (s: SessionRecord): void => {
    count(s, false);
    unproven.delete(s.id);
    s.feed.close();
    table.delete(s.id);
  };
  const idle = (s: SessionRecord): boolean => s.connections === 0 && s.feed.listeners === 0;
  const idleUntil = (s: SessionRecord): number =>
    Math.max(s.lastUsed, s.feed.lastUsed) + (s.proven ? cfg.sessionIdleMs : unprovenIdleMs);

  /** Forgets the least recently used idle unproven session (of `address`, if given); false if none. */
  const evict = (address?: string): boolean => {
    for (const s of unproven.values()) {
      if (address !== undefined && s.address !== address) continue;
      if (watched(s.id)) {
        prove(s);
        continue;
      }
      if (!idle(s) || !s.counted) continue;
      forget(s);
      return true;
    }
    return false;
  };

  /** Seconds until one of the counted sessions (of `address`, if given) may be forgotten; 60 if none is idle. */
  const retryAfterS = (address?: string): number => {
    let first = Number.POSITIVE_INFINITY;
    for (const s of table.values()) {
      if (!s.counted || !idle(s) || (address !== undefined && s.address !== address)) continue;
      first = Math.min(first, idleUntil(s));
    }
    return Number.isFinite(first) ? Math.max(1, Math.ceil((first - Date.now()) / 1000)) : 60;
  };

  const sweep = (now = Date.now()): void => {
    for (const s of table.values()) {
      if (s.defaultRoom !== null) continue;
      if (!s.proven && watched(s.id)) prove(s);
      if (idle(s) && now > idleUntil(s)) forget(s);
    }
  };
  const timer = setInterval(sweep, Math.min(cfg.sessionIdleMs, unprovenIdleMs / 2, 60_000));
  timer.unref();

  return {
    get size() {
      return table.size;
    },
    get counted() {
      return counted;
    },
    open(id, address, { reserved = false } = {}) {
      let session = table.get(id);
      if (!session) {
        if (!reserved) {
          const mine = (perAddress.get(address) ?? 0) + elsewhere.from(address).sessions;
          if (mine >= cfg.maxSessionsPerAddress && !evict(address)) {
            return {
              ok: false,
              bound: 'maxSessionsPerAddress',
              held: mine,
              retryAfterS: retryAfterS(address),
            };
          }
          if (counted + elsewhere.total() >= cfg.maxSessions && !evict()) {
            const held = counted + elsewhere.total();
            return { ok: false, bound: 'maxSessions', held, retryAfterS: retryAfterS() };
          }
        }
        session = {
          id,
          address,
          feed: createFeed(`session:${id}`, cfg),
          bucket: createTokenBucket(cfg.requestsPerSecond, 2 * cfg.requestsPerSecond),
          connections: 0,
          timeSeq: 0,
          lastUsed: Date.now(),
          defaultRoom: null,
          proven: false,
          counted: false,
          open: {},
          started: {},
          delivered: 0,
        };
        table.set(id, session);
        if (reserved) session.proven = true;
        else {
          count(session, true);
          unproven.set(id, session);
        }
      }
      session.lastUsed = Date.now();
      if (!session.proven) {
        if (watched(id)) prove(session);
        else {
          unproven.delete(id); // re-inserted last: the most recently used
          unproven.set(id, session);
        }
      }
      return { ok: true, session };
    },
    get: (id) => table.get(id),
    prove: (session) => {
      const s = table.get(session.id);
      if (s) prove(s);
    },
    setRoom(session, room) {
      const s = table.get(session.id);
      if (!s) return;
      s.defaultRoom = room;
      if (room !== null) prove(s);
      // A bound session is the class's; unbound, it counts against the shares again (even past them).
      count(s, room === null);
      s.lastUsed = Date.now();
    },
    countOpen(session, endpoint, address) {
      const s = table.get(session.id);
      const byAddress = s?.counted === true;
      if (byAddress) connectionsByAddress.set(address, (connectionsByAddress.get(address) ?? 0) + 1);
      const uncount = countOpen(session, endpoint);
      let counting = true;
      return () => {
        uncount();
        if (!counting || !byAddress) return;
        counting = false;
        const n = (connectionsByAddress.get(address) ?? 1) - 1;
        if (n > 0) connectionsByAddress.set(address, n);
        else connectionsByAddress.delete(address);
      };
    },
    connectionsFrom: (address) =>
      (connectionsByAddress.get(address) ?? 0) + elsewhere.from(address).connections,
    heavy(minSessions, minConnections) {
      const out: Record<string, [number, number]> = {};
      for (const [address, n] of perAddress) {
        const c = connectionsByAddress.get(address) ?? 0;
        if (n >= minSessions || c >= minConnections) out[address] = [n, c];
      }
      for (const [address, c] of connectionsByAddress) {
        if (c >= minConnections && !out[address]) out[address] = [perAddress.get(address) ?? 0, c];
      }
      return out;
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
      unproven.clear();
      perAddress.clear();
      connectionsByAddress.clear();
      counted = 0;
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
