/**
 * Rooms: feeds shared by every session that names the same code (`room=<code>`).
 *
 * A room is created by its first use and forgotten after `sessionIdleMs` with nobody subscribed and
 * nobody holding it (a classroom holds its room while sessions are bound to it).
 * Anyone who knows the code reads and writes it: the code is the only key, so classrooms should
 * hand out codes that are hard to guess. Codes are case-sensitive.
 */
import type { Config } from '../config.ts';
import { createFeed, type Feed, type FeedMessage } from './feed.ts';

/** What a room code may be: 3–32 of `A–Z a–z 0–9`. */
export const ROOM_CODE_PATTERN = /^[A-Za-z0-9]{3,32}$/;

export interface Rooms {
  readonly size: number;
  /** The room's feed if it exists. */
  get(code: string): Feed | undefined;
  /** The room's feed, created if new; null when `maxRooms` exist already. Throws on a bad code. */
  open(code: string): Feed | null;
  /** Appends a message to the room (created if new); null when it cannot be created. */
  append(code: string, type: FeedMessage['type'], data: unknown): FeedMessage | null;
  /**
   * Keeps the room (created if new) from being forgotten until the returned function is called;
   * null when it cannot be created (`maxRooms`). Throws on a bad code.
   */
  hold(code: string): (() => void) | null;
  /** Forgets rooms idle past `sessionIdleMs` with nobody subscribed and nobody holding them. */
  sweep(now?: number): void;
  close(): void;
}

/** Creates the room table; it sweeps itself now and then. */
export function createRooms(cfg: Config): Rooms {
  const table = new Map<string, Feed>();
  const holds = new Map<string, number>();
  const sweep = (now = Date.now()): void => {
    for (const [code, feed] of table) {
      if (feed.listeners === 0 && !holds.has(code) && now - feed.lastUsed > cfg.sessionIdleMs) {
        feed.close();
        table.delete(code);
      }
    }
  };
  const timer = setInterval(sweep, Math.min(cfg.sessionIdleMs, 60_000));
  timer.unref();

  const open = (code: string): Feed | null => {
    if (!ROOM_CODE_PATTERN.test(code)) throw new Error(`Bad room code "${code}": 3 to 32 of A-Z a-z 0-9.`);
    let feed = table.get(code);
    if (!feed) {
      if (table.size >= cfg.maxRooms) sweep();
      if (table.size >= cfg.maxRooms) return null;
      feed = createFeed(`room:${code}`, cfg);
      table.set(code, feed);
    }
    return feed;
  };

  return {
    get size() {
      return table.size;
    },
    get: (code) => table.get(code),
    open,
    append(code, type, data) {
      return open(code)?.append(type, data) ?? null;
    },
    hold(code) {
      if (!open(code)) return null;
      holds.set(code, (holds.get(code) ?? 0) + 1);
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        const n = (holds.get(code) ?? 1) - 1;
        if (n > 0) holds.set(code, n);
        else holds.delete(code);
      };
    },
    sweep,
    close() {
      clearInterval(timer);
      holds.clear();
      for (const feed of table.values()) feed.close();
      table.clear();
    },
  };
}
