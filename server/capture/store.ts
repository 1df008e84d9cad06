/**
 * Every session's captured records, within bounds: a byte budget per session
 * (a ring: the oldest go first), a budget for all sessions together (the
 * largest sessions give up their oldest first), a number of sessions, and an
 * idle time after which a session nobody watches is forgotten.
 *
 * Watching a session (an inspector channel) keeps no log alive by itself: a
 * watcher waits for a session that has captured nothing yet without taking one
 * of `maxSessions`' places, and a watched log counts toward that bound like any
 * other. Unwatched logs make room first; when every log is watched, the longest
 * idle one is forgotten and its watchers are told (`Watcher.forgotten`), so
 * open pages never keep more than `maxSessions` logs.
 */
import { randomBytes } from 'node:crypto';
import { ARENA_MAX_COPY, ARENA_SLACK, ByteArena } from './arena.ts';
import { monoUs } from './clock.ts';
import type { CloseInfo, Direction, OpenInfo, RecordKind } from './records.ts';
import { RecordRing } from './ring.ts';

/*
 * Memory charged beyond the payload bytes, measured on Node 24 (`bench/record-cost.ts`: heap and
 * external growth over 100,000 records in 300 logs): a record's slot in its ring is 54 B, in
 * rings that double as they fill (1–2 slots a record): 98 B measured, heap and columns together;
 * the objects and Buffer views it replaced were 254 B. A Buffer with its own ArrayBuffer and
 * backing store ~200 B more. Rounded.
 */
/** Cost of one record in its ring. */
export const RECORD_COST = 96;
/** Cost of a Buffer that owns its ArrayBuffer and backing store. */
const BACKING_COST = 208;

/**
 * Returns true when `n` bytes of `chunk` can be kept as they are: written bytes
 * (writers must not change a Buffer after writing it) whose view covers most of
 * its memory. Read bytes never: see `appendData`.
 */
export function keptWithoutCopy(dir: Direction, chunk: Buffer, n: number): boolean {
  const backing = chunk.buffer.byteLength;
  return dir === 'out' && (backing <= n + 64 || (n > ARENA_MAX_COPY && backing <= 2 * n));
}

export interface StoreLimits {
  /** Bytes one session may hold, records and payloads together. */
  readonly bytesPerSession: number;
  /** Bytes all sessions together may hold. */
  readonly bytesTotal: number;
  /** Sessions kept at once; beyond it the longest idle unwatched one is forgotten. */
  readonly maxSessions: number;
  /** A session with no records and nobody watching for this long is forgotten. */
  readonly idleMs: number;
}

/** Someone reading a session's records as they arrive (an inspector channel). */
export interface Watcher {
  /** Called after records were appended; should only schedule work. */
  wake(): void;
  /**
   * Called when the store forgot the session's log to stay within `maxSessions`, though it was
   * watched: its records are gone, and the session's next record begins a new log at seq 1.
   */
  forgotten?(info: Forgotten): void;
}

/** What a watcher is told when its session's log is forgotten. */
export interface Forgotten {
  /** The bound that made room: always `maxSessions` (idle sweeps never forget a watched log). */
  readonly bound: 'maxSessions';
  readonly maxSessions: number;
  /** Records and data bytes the log still held. */
  readonly records: number;
  readonly bytes: number;
  /** Seq of the log's newest record. */
  readonly lastSeq: number;
}

/** One session's capture. */
export class SessionLog {
  readonly session: string;
  /**
   * This capture of the session, unlike any other: after a restart, a move to another process or
   * an idle session forgotten, its seqs start again at 1, and a reader's `after` from before
   * would point into the new records (the inspector's `capture=`, docs/inspector-protocol.md).
   * Random, so it says nothing of the process or of how many sessions it served.
   */
  readonly id = randomBytes(9).toString('base64url'); // 72 random bits: no other process makes it again
  readonly ring = new RecordRing();
  readonly arena = new ByteArena();
  /** The session's watchers: the store's set for the session, shared by every log it has in turn. */
  readonly watchers: Set<Watcher>;
  /** Monotonic µs of the last record or watcher change. */
  lastActive = monoUs();
  /** Set when the store forgot this session: its records are gone, append nothing more. */
  gone = false;
  private nextConn = 1;

  constructor(session: string, watchers: Set<Watcher> = new Set()) {
    this.session = session;
    this.watchers = watchers;
  }

  /** Returns the next connection number in this session (1, 2, 3…). */
  newConn(): number {
    return this.nextConn++;
  }
}

export class CaptureStore {
  private readonly logs = new Map<string, SessionLog>();
  /** Watchers by session, whether or not the session has a log now (bounded by the inspector's own bounds). */
  private readonly watching = new Map<string, Set<Watcher>>();
  private readonly limits: StoreLimits;
  /** Budget for records in one session's ring: what the arena may waste is set aside. */
  private readonly ringBudget: number;
  /**
   * Largest data record, in payload bytes: bigger reads and writes are recorded
   * in pieces, so a ring can drop part of one and always keep its newest record.
   */
  readonly maxRecordBytes: number;
  /** Memory charged across all sessions. */
  total = 0;
  /** Set by `clear()` at shutdown: taps stop recording. */
  closed = false;

  constructor(limits: StoreLimits) {
    this.limits = limits;
    this.ringBudget = Math.max(limits.bytesPerSession - ARENA_SLACK, limits.bytesPerSession / 2);
    this.maxRecordBytes = Math.min(64 * 1024, Math.floor(this.ringBudget / 4));
  }

  /** Returns the session's log, or undefined when nothing was captured (or it was forgotten). */
  find(session: string): SessionLog | undefined {
    return this.logs.get(session);
  }

  /** Returns the session's log, creating it (forgetting the longest idle one if there are too many). */
  log(session: string): SessionLog {
    let log = this.logs.get(session);
    if (log === undefined) {
      if (this.logs.size >= this.limits.maxSessions) this.forgetIdlest();
      log = new SessionLog(session, this.watching.get(session));
      this.logs.set(session, log);
    }
    return log;
  }

  /** Appends a non-data record (open, end, close, timeout, note, moved); returns its seq. */
  append(
    log: SessionLog,
    kind: RecordKind,
    conn: number,
    t: number,
    dir: Direction | null,
    info: OpenInfo | CloseInfo | string | null,
    off = 0,
  ): number {
    const charge = RECORD_COST + (typeof info === 'string' ? info.length * 2 : 0);
    return this.add(log, kind, conn, t, dir, off, null, 0, 0, charge, info);
  }

  /**
   * Appends the pieces `chunks[i][starts[i], ends[i])`, i < count, joined as one
   * data record of `total` bytes at offset `off` of conn + dir; returns its seq.
   */
  appendJoined(
    log: SessionLog,
    conn: number,
    t: number,
    dir: Direction,
    off: number,
    chunks: readonly Buffer[],
    starts: readonly number[],
    ends: readonly number[],
    count: number,
    total: number,
  ): number {
    const inArena = total <= ARENA_MAX_COPY;
    const start = inArena ? log.arena.reserve(total) : 0;
    const store = inArena ? log.arena.slab : Buffer.allocUnsafeSlow(total);
    let at = start;
    for (let i = 0; i < count; i++) at += chunks[i]!.copy(store, at, starts[i], ends[i]);
    const charge = total + (inArena ? 0 : BACKING_COST) + RECORD_COST;
    return this.add(log, 'data', conn, t, dir, off, store, start, total, charge, null);
  }

  /**
   * Appends the bytes `chunk[start, end)` as a data record at offset `off` of
   * conn + dir; returns its seq. Keeps a written Buffer when it owns its memory, else
   * copies (small payloads into the session's arena). Read bytes are always
   * copied: their next reader may change them in place (`ws` unmasks a client
   * frame inside the very Buffer the socket emitted).
   */
  appendData(
    log: SessionLog,
    conn: number,
    t: number,
    dir: Direction,
    off: number,
    chunk: Buffer,
    start: number,
    end: number,
  ): number {
    const n = end - start;
    let store: Buffer;
    let at: number;
    let charge: number;
    if (keptWithoutCopy(dir, chunk, n)) {
      store = chunk;
      at = start;
      charge = chunk.buffer.byteLength + BACKING_COST; // keeping the Buffer keeps all its memory alive
    } else if (n <= ARENA_MAX_COPY) {
      at = log.arena.copy(chunk, start, end);
      store = log.arena.slab;
      charge = n;
    } else {
      store = Buffer.allocUnsafeSlow(n);
      at = 0;
      chunk.copy(store, 0, start, end);
      charge = n + BACKING_COST;
    }
    return this.add(log, 'data', conn, t, dir, off, store, at, n, charge + RECORD_COST, null);
  }

  private add(
    log: SessionLog,
    kind: RecordKind,
    conn: number,
    t: number,
    dir: Direction | null,
    off: number,
    store: Buffer | null,
    start: number,
    size: number,
    charge: number,
    info: OpenInfo | CloseInfo | string | null,
  ): number {
    const ring = log.ring;
    const seq = ring.push(kind, conn, t, dir, off, store, start, size, charge, info);
    this.total += charge;
    if (t > log.lastActive) log.lastActive = t;
    while (ring.charge > this.ringBudget && ring.length > 1) this.total -= ring.dropOldest();
    if (this.total > this.limits.bytesTotal) this.evictLargest();
    if (log.watchers.size > 0) for (const w of log.watchers) w.wake();
    return seq;
  }

  /**
   * Brings the total under budget, with some room to spare so this runs once
   * per megabyte rather than once per record: drops the oldest records of the
   * largest session until it is no larger than the next, and so on. Sessions
   * nobody watches give up first: a flood of made-up sessions never shrinks
   * what a learner's open inspector shows (docs/lab-api.md "Fair shares").
   */
  private evictLargest(): void {
    const target = this.limits.bytesTotal - Math.min(this.limits.bytesTotal / 16, 1024 * 1024);
    const unwatched = [...this.logs.values()].filter((log) => log.watchers.size === 0);
    this.level(unwatched, target);
    if (this.total > target) this.level([...this.logs.values()], target);
  }

  /**
   * Drops the oldest records of the largest of `logs`, then the next, until the total is at
   * `target`: the largest come down to one common level, found once from their sizes, and each
   * drops to it in one go (one record at a time across hundreds of logs made this a stall).
   */
  private level(logs: SessionLog[], target: number): void {
    const excess = this.total - target;
    if (excess <= 0 || logs.length === 0) return;
    const bySize = logs.sort((a, b) => b.ring.charge - a.ring.charge);
    // The k largest brought down to level L free (their sum) - k·L: the first k for which
    // bringing them down to the next one's size is enough hold L, the others keep all they have.
    let sum = 0;
    let k = 0;
    let level = 0;
    while (k < bySize.length) {
      sum += bySize[k]!.ring.charge;
      k += 1;
      const next = bySize[k]?.ring.charge ?? 0;
      if (sum - k * next >= excess) {
        level = Math.max(next, (sum - excess) / k);
        break;
      }
    }
    for (let i = 0; i < k && this.total > target; i++) {
      const log = bySize[i]!;
      const ring = log.ring;
      const before = ring.length;
      while (ring.charge > level && ring.length > 1 && this.total > target) this.total -= ring.dropOldest();
      if (ring.length !== before && log.watchers.size > 0) for (const w of log.watchers) w.wake();
    }
  }

  /**
   * Marks a watcher's interest in a session, whether or not it has a log: a watched log is never
   * forgotten for being idle, and gives up its records to the total budget last; it is forgotten
   * to stay within `maxSessions` only when every log is watched (see `forgetIdlest`).
   */
  watch(session: string, watcher: Watcher): void {
    const log = this.logs.get(session);
    let set = this.watching.get(session);
    if (set === undefined) {
      set = log?.watchers ?? new Set<Watcher>();
      this.watching.set(session, set);
    }
    set.add(watcher);
    if (log !== undefined) log.lastActive = monoUs();
  }

  /** Removes a watcher; the session's idle time starts now. */
  unwatch(session: string, watcher: Watcher): void {
    const set = this.watching.get(session);
    if (set === undefined) return;
    set.delete(watcher);
    if (set.size === 0) this.watching.delete(session);
    const log = this.logs.get(session);
    if (log !== undefined) log.lastActive = monoUs();
  }

  /** Returns how many sessions are watched (with a log or not). */
  watchedSessions(): number {
    return this.watching.size;
  }

  /** Forgets every unwatched session idle for longer than the limit; returns how many. */
  sweep(nowUs = monoUs()): number {
    const idleUs = this.limits.idleMs * 1000;
    let n = 0;
    for (const log of this.logs.values()) {
      if (log.watchers.size === 0 && nowUs - log.lastActive > idleUs) {
        this.forget(log);
        n += 1;
      }
    }
    return n;
  }

  /** Forgets every session and stops taking records. */
  clear(): void {
    this.closed = true;
    for (const log of this.logs.values()) this.forget(log);
  }

  /** Returns sizes for monitoring and tests. */
  stats(): { sessions: number; bytes: number; records: number; watched: number } {
    let records = 0;
    for (const log of this.logs.values()) records += log.ring.length;
    return { sessions: this.logs.size, bytes: this.total, records, watched: this.watching.size };
  }

  /**
   * Makes room for one more log: forgets the longest idle unwatched log, or, when every log is
   * watched, the longest idle watched one, telling its watchers. Watchers never create logs
   * (only captured bytes do), so a page told this does not take the place back by reconnecting.
   */
  private forgetIdlest(): void {
    let idlest: SessionLog | undefined;
    let idlestWatched: SessionLog | undefined;
    for (const log of this.logs.values()) {
      if (log.watchers.size === 0) {
        if (idlest === undefined || log.lastActive < idlest.lastActive) idlest = log;
      } else if (idlestWatched === undefined || log.lastActive < idlestWatched.lastActive) {
        idlestWatched = log;
      }
    }
    if (idlest !== undefined) {
      this.forget(idlest);
      return;
    }
    if (idlestWatched === undefined) return;
    const ring = idlestWatched.ring;
    const info: Forgotten = {
      bound: 'maxSessions',
      maxSessions: this.limits.maxSessions,
      records: ring.length,
      bytes: ring.cum - ring.droppedBytes,
      lastSeq: ring.nextSeq - 1,
    };
    this.forget(idlestWatched);
    for (const w of idlestWatched.watchers) w.forgotten?.(info);
  }

  private forget(log: SessionLog): void {
    log.gone = true;
    this.total -= log.ring.charge;
    this.logs.delete(log.session);
  }
}
