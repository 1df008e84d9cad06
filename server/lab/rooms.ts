/**
 * Rooms: feeds shared by every session that names the same code (`room=<code>`).
 *
 * A room is created by its first use. It is **proven** once someone posted to it or listened to it
 * (`Feed.proven`); an unproven room (made-up codes read by one-shot requests) is forgotten after
 * `unprovenIdleMs` idle and is the first to make room when the table is full; a proven one after
 * `sessionIdleMs` with nobody subscribed. A room a classroom holds (`hold`) is never forgotten
 * while held and counts against no share: the class bounds its own rooms, so no flood outside the
 * class can take a class's room from it. Other rooms count against `maxRooms`, and those an
 * address created against `maxRoomsPerAddress`.
 *
 * Anyone who knows the code reads and writes it: the code is the only key, so classrooms should
 * hand out codes that are hard to guess. Codes are case-sensitive.
 */
import type { Config } from '../config.ts';
import { createFeed, type Feed, type FeedMessage } from './feed.ts';

export interface RoomsOptions {
  /** Makes a room's feed (a shared one when processes share Redis); a feed of this process by default. */
  makeFeed?(code: string): Feed;
  /** Rooms counted against `maxRooms` by the other processes sharing the bound (0 alone). */
  elsewhere?(): number;
  /** Rooms `address` created on the other processes (counted only where an address made many). */
  elsewhereFrom?(address: string): number;
}

/** What a room code may be: 3–32 of `A–Z a–z 0–9`. */
export const ROOM_CODE_PATTERN = /^[A-Za-z0-9]{3,32}$/;

/** A room's feed, or which share refused a new room and when a retry can succeed. */
export type RoomOpened =
  | { ok: true; feed: Feed }
  | { ok: false; bound: 'maxRooms' | 'maxRoomsPerAddress'; held: number; retryAfterS: number };

export interface Rooms {
  /** Rooms alive, held or not. */
  readonly size: number;
  /** Rooms counting against `maxRooms` (not held by a class). */
  readonly counted: number;
  /** Addresses that created at least `min` of the rooms alive here, with how many. */
  heavy(min: number): Record<string, number>;
  /** The room's feed if it exists. */
  get(code: string): Feed | undefined;
  /**
   * The room's feed, created if new for `address` (a newcomer first takes the place of the longest
   * idle unproven room, of its own address when the address is at its share). Throws on a bad code.
   */
  admit(code: string, address: string): RoomOpened;
  /** The room's feed, created if new (for server code); null when no room can be made. Throws on a bad code. */
  open(code: string): Feed | null;
  /** Appends a message to the room (created if new); null when it cannot be created. */
  append(code: string, type: FeedMessage['type'], data: unknown): FeedMessage | Promise<FeedMessage> | null;
  /**
   * Keeps the room (created if new, outside `maxRooms`) from being forgotten until the returned
   * function is called. Throws on a bad code.
   */
  hold(code: string): () => void;
  /** Forgets idle rooms nobody subscribes to or holds: unproven past `unprovenIdleMs`, proven past `sessionIdleMs`. */
  sweep(now?: number): void;
  close(): void;
}

interface Room {
  readonly code: string;
  readonly feed: Feed;
  readonly address: string;
  holds: number;
  /** Counts against `maxRooms` and its address's share (not held). */
  counted: boolean;
}

/** Creates the room table; it sweeps itself now and then. */
export function createRooms(cfg: Config, options: RoomsOptions = {}): Rooms {
  const makeFeed = options.makeFeed ?? ((code: string) => createFeed(`room:${code}`, cfg));
  const elsewhere = options.elsewhere ?? (() => 0);
  const elsewhereFrom = options.elsewhereFrom ?? (() => 0);
  const table = new Map<string, Room>();
  /** Rooms not yet proven, least recently used first. */
  const unproven = new Map<string, Room>();
  const perAddress = new Map<string, number>();
  let counted = 0;
  const unprovenIdleMs = Math.min(cfg.unprovenIdleMs, cfg.sessionIdleMs);

  const count = (r: Room, on: boolean): void => {
    if (r.counted === on) return;
    r.counted = on;
    counted += on ? 1 : -1;
    const n = (perAddress.get(r.address) ?? 0) + (on ? 1 : -1);
    if (n > 0) perAddress.set(r.address, n);
    else perAddress.delete(r.address);
  };
  const forget = (r: Room): void => {
    count(r, false);
    unproven.delete(r.code);
    r.feed.close();
    table.delete(r.code);
  };
  const idleUntil = (r: Room): number =>
    r.feed.lastUsed + (r.feed.proven ? cfg.sessionIdleMs : unprovenIdleMs);
  const forgettable = (r: Room): boolean => r.holds === 0 && r.feed.listeners === 0;

  /** Forgets the least recently used unproven room nobody listens to (of `address`, if given); false if none. */
  const evict = (address?: string): boolean => {
    for (const r of unproven.values()) {
      if (r.feed.proven) {
        unproven.delete(r.code);
        continue;
      }
      if ((address !== undefined && r.address !== address) || !forgettable(r) || !r.counted) continue;
      forget(r);
      return true;
    }
    return false;
  };
  const retryAfterS = (address?: string): number => {
    let first = Number.POSITIVE_INFINITY;
    for (const r of table.values()) {
      if (!r.counted || !forgettable(r) || (address !== undefined && r.address !== address)) continue;
      first = Math.min(first, idleUntil(r));
    }
    return Number.isFinite(first) ? Math.max(1, Math.ceil((first - Date.now()) / 1000)) : 60;
  };

  const sweep = (now = Date.now()): void => {
    for (const r of table.values()) if (forgettable(r) && now > idleUntil(r)) forget(r);
  };
  const timer = setInterval(sweep, Math.min(cfg.sessionIdleMs, unprovenIdleMs / 2, 60_000));
  timer.unref();

  const create = (code: string, address: string, counts: boolean): Room => {
    const room: Room = { code, feed: makeFeed(code), address, holds: 0, counted: false };
    table.set(code, room);
    unproven.set(code, room);
    if (counts) count(room, true);
    return room;
  };
  const checkCode = (code: string): void => {
    if (!ROOM_CODE_PATTERN.test(code)) throw new Error(`Bad room code "${code}": 3 to 32 of A-Z a-z 0-9.`);
  };

  const admit = (code: string, address: string): RoomOpened => {
    checkCode(code);
    let room = table.get(code);
    if (!room) {
      const mine = (perAddress.get(address) ?? 0) + elsewhereFrom(address);
      if (mine >= cfg.maxRoomsPerAddress && !evict(address)) {
        return { ok: false, bound: 'maxRoomsPerAddress', held: mine, retryAfterS: retryAfterS(address) };
      }
      if (counted + elsewhere() >= cfg.maxRooms && !evict()) {
        return { ok: false, bound: 'maxRooms', held: counted + elsewhere(), retryAfterS: retryAfterS() };
      }
      room = create(code, address, true);
    } else if (unproven.has(code)) {
      if (room.feed.proven) unproven.delete(code);
      else {
        unproven.delete(code); // re-inserted last: the most recently used
        unproven.set(code, room);
      }
    }
    return { ok: true, feed: room.feed };
  };

  const open = (code: string): Feed | null => {
    const admitted = admit(code, '');
    return admitted.ok ? admitted.feed : null;
  };

  return {
    get size() {
      return table.size;
    },
    get counted() {
      return counted;
    },
    heavy(min) {
      const out: Record<string, number> = {};
      for (const [address, n] of perAddress) if (n >= min) out[address] = n;
      return out;
    },
    get: (code) => table.get(code)?.feed,
    admit,
    open,
    append(code, type, data) {
      return open(code)?.append(type, data) ?? null;
    },
    hold(code) {
      checkCode(code);
      const room = table.get(code) ?? create(code, '', false);
      room.holds += 1;
      count(room, false);
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        room.holds -= 1;
        // Let go, it counts against the shares again (even past them) until it is forgotten.
        if (room.holds === 0 && table.get(code) === room) count(room, true);
      };
    },
    sweep,
    close() {
      clearInterval(timer);
      for (const r of table.values()) r.feed.close();
      table.clear();
      unproven.clear();
      perAddress.clear();
      counted = 0;
    },
  };
}
