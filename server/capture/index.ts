/**
 * The capture: what crossed every lab socket, byte for byte, kept per session
 * for the inspector.
 *
 * `attach(server)` taps each socket the server accepts; each read and write is
 * given to the session of the HTTP message it belongs to (see
 * http-boundaries.ts), so a keep-alive socket that serves session A, then the
 * site, then session B shows each only its own bytes. Site pages and the
 * inspector channel are never recorded. Memory is bounded per session and in
 * total (store.ts).
 */
import type { Server } from 'node:net';
import type { Config } from '../config.ts';
import { serverTime } from './clock.ts';
import { FinWaits } from './fin-wait.ts';
import type { CaptureRecord } from './records.ts';
import type { Missed } from './ring.ts';
import { CaptureStore, type Forgotten, type SessionLog, type Watcher } from './store.ts';
import { SocketTap, tapOf } from './tap.ts';

export type { CaptureRecord, CloseHow, CloseInfo, Direction, OpenInfo, RecordKind } from './records.ts';
export type { Missed } from './ring.ts';
export type { Forgotten } from './store.ts';
export { epochMsOf, monoUs, serverTime } from './clock.ts';

/** A live reader of one session's records. */
export interface CaptureSubscription {
  readonly session: string;
  /** This capture of the session: a forgotten, restarted or moved session's next one has another. */
  readonly captureId: string;
  /** Seq of the oldest record still kept (lastSeq + 1 when none are). */
  firstSeq(): number;
  /** Seq of the newest record (0 before the first). */
  lastSeq(): number;
  /** Returns the record with this seq, or undefined when it was dropped or does not exist yet. */
  at(seq: number): CaptureRecord | undefined;
  /** Returns what a reader that has every record up to `after` lost to the ring dropping. */
  missedAfter(after: number): Missed;
  /** Data bytes the session has captured so far (a record's `cum` is this count as it was then). */
  capturedBytes(): number;
  /** Stops waking; the session may be forgotten once idle. */
  close(): void;
}

/** What a subscriber hears besides new records. */
export interface CaptureListener {
  /** New records arrived (synchronously, keep it cheap). */
  wake(): void;
  /**
   * The session's log was forgotten to stay within `maxSessions` (every log was watched): its
   * records are gone, and seqs begin again at 1 with the session's next record.
   */
  forgotten?(info: Forgotten): void;
}

export interface CaptureSnapshot {
  readonly session: string;
  readonly records: readonly CaptureRecord[];
  /** What was dropped before the first record here. */
  readonly dropped: Missed;
  /** Memory charged to the session (records + payloads). */
  readonly bytes: number;
}

export interface Capture {
  /**
   * Taps every socket `server` accepts from now on. Call it after creating the
   * http.Server and before it listens: Node's own `'connection'` listener must
   * run first (it sets up the parser that our `'data'` listener takes off its
   * fast path; added earlier, the parser would read past us).
   */
  attach(server: Server): void;
  /** Records a note (e.g. which bound closed it) for the session the socket is serving; ignored otherwise. */
  note(socket: object, text: string): void;
  /**
   * Follows a session's records, whether or not it captured anything yet (following takes no
   * place among `maxSessions`): `wake` is called after new ones arrive.
   */
  subscribe(session: string, listener: CaptureListener): CaptureSubscription;
  /** Returns a copy of the session's records, or undefined when nothing is kept for it. */
  snapshot(session: string): CaptureSnapshot | undefined;
  /** Returns sizes: sessions kept (at most `maxSessions`), bytes charged, records kept, sessions watched. */
  stats(): { sessions: number; bytes: number; records: number; watched: number };
  /** The server clock as the inspector's hello reports it. */
  serverTime(): { epochMs: number; monoUs: number };
  /** Stops recording, forgets everything, detaches from the server. */
  close(): void;
}

type CaptureConfig = Pick<
  Config,
  'captureBytesPerSession' | 'captureBytesTotal' | 'maxSessions' | 'sessionIdleMs'
> &
  Partial<Pick<Config, 'captureIdleMs'>> &
  Partial<Pick<Config, 'finWaitMs' | 'maxFinWaits'>>;

/** Returns a capture with the bounds of `cfg`; nothing is tapped until `attach`. */
export function createCapture(cfg: CaptureConfig): Capture {
  const idleMs = Math.min(cfg.captureIdleMs ?? cfg.sessionIdleMs, cfg.sessionIdleMs);
  const store = new CaptureStore({
    bytesPerSession: cfg.captureBytesPerSession,
    bytesTotal: cfg.captureBytesTotal,
    maxSessions: cfg.maxSessions,
    // A log nobody watches goes after captureIdleMs quiet (a closed page's), at the latest with its session.
    idleMs,
  });
  const servers = new Set<Server>();
  const finWaits = new FinWaits(cfg.finWaitMs ?? 0, cfg.maxFinWaits ?? 0);
  const onConnection = (socket: import('node:net').Socket) => {
    if (!store.closed) new SocketTap(socket, store, finWaits);
  };
  const sweeper = setInterval(() => store.sweep(), Math.min(idleMs / 3, 60_000));
  sweeper.unref();

  return {
    attach(server) {
      servers.add(server);
      server.on('connection', onConnection);
    },

    note(socket, text) {
      tapOf(socket)?.note(text);
    },

    subscribe(session, listener) {
      const watcher: Watcher = {
        wake: () => listener.wake(),
        forgotten: (info) => listener.forgotten?.(info),
      };
      store.watch(session, watcher);
      return subscription(store, session, watcher);
    },

    snapshot(session) {
      const log = store.find(session);
      if (log === undefined) return undefined;
      const ring = log.ring;
      const records: CaptureRecord[] = [];
      for (let seq = ring.firstSeq; seq < ring.nextSeq; seq++) records.push(ring.at(seq)!);
      return { session, records, dropped: ring.missedAfter(0), bytes: ring.charge };
    },

    stats: () => store.stats(),
    serverTime,

    close() {
      clearInterval(sweeper);
      for (const server of servers) server.off('connection', onConnection);
      servers.clear();
      finWaits.closeAll();
      store.clear();
    },
  };
}

const NOTHING_MISSED: Missed = { records: 0, bytes: 0, exact: true };

/** A subscription reads the session's log of the moment: none yet, or a new one after it was forgotten. */
function subscription(store: CaptureStore, session: string, watcher: Watcher): CaptureSubscription {
  let open = true;
  let log: SessionLog | undefined;
  const current = (): SessionLog | undefined => {
    if (log === undefined || log.gone) log = store.find(session);
    return log;
  };
  return {
    session,
    // '' while the session has no log here yet: a reader that names a capture then starts over.
    get captureId() {
      return current()?.id ?? '';
    },
    firstSeq: () => current()?.ring.firstSeq ?? 1,
    lastSeq: () => (current()?.ring.nextSeq ?? 1) - 1,
    at: (seq) => current()?.ring.at(seq),
    missedAfter: (after) => current()?.ring.missedAfter(after) ?? NOTHING_MISSED,
    capturedBytes: () => current()?.ring.cum ?? 0,
    close() {
      if (open) store.unwatch(session, watcher);
      open = false;
    },
  };
}
