/**
 * A feed: the append-only log of messages every lab endpoint reads.
 *
 * Each session has one, and each room (`room=<code>`) has one shared by whoever knows the code.
 * Ids are whole numbers that only grow (1, 2, 3, …) and a feed keeps its newest messages, so a
 * reader that says "after id N" (`since=N`, `Last-Event-ID: N`) gets exactly what it has not seen:
 * no transport can lose or repeat a message, as long as it asks again before the message is gone.
 */
import type { Config } from '../config.ts';
import { createFanOut } from './fan-out.ts';
import { createTicker, type Quote } from './ticker.ts';

export interface FeedMessage {
  readonly id: number;
  /** `tick`: the made-up stock quote. `chat`: something a learner sent. `push`: a teacher's message to a class room. */
  readonly type: 'tick' | 'chat' | 'push';
  /** When it was appended, ISO-8601. */
  readonly time: string;
  /**
   * A `Quote` for `tick`; for `chat` the text sent, or the JSON value when sent as JSON; for `push`
   * `{ from: 'teacher', text }`. Only server code appends `push` (`lab.rooms.append`): `send` and
   * `ws` always append `chat`, so a learner cannot pass for the teacher.
   */
  readonly data: unknown;
}

export type FeedListener = (message: FeedMessage) => void;

export interface FeedSlice {
  /** The kept messages after the id asked for, oldest first. */
  readonly messages: FeedMessage[];
  /** How many messages after that id are no longer kept (the `feedKeep` bounds). */
  readonly missed: number;
}

export interface Feed {
  /** `session:<id>` or `room:<code>`. */
  readonly name: string;
  /** Id of the newest message, 0 before the first. */
  readonly lastId: number;
  /** Streams, WebSockets and held polls subscribed right now. */
  readonly listeners: number;
  /** `Date.now()` of the last append, subscription or read. */
  readonly lastUsed: number;
  /** Someone subscribed once, or a message other than a tick was appended: the feed carried real work. */
  readonly proven: boolean;
  /**
   * Appends a message, gives it the next id, tells every subscriber (a crowd of them a slice a
   * turn: server/lab/fan-out.ts); returns it. A room feed shared by many processes
   * (server/shared/room-feed.ts) knows the id only when Redis answers: it returns a promise, and
   * its subscribers hear the message when it comes back from Redis.
   */
  append(type: FeedMessage['type'], data: unknown): FeedMessage | Promise<FeedMessage>;
  /**
   * A shared room feed resolves this once it holds what Redis kept; the lab answers no reader
   * of the feed before. Absent on a feed of this process alone.
   */
  readonly ready?: Promise<void>;
  /** The messages after id `since` (0, or an id beyond the newest: all kept). */
  after(since: number): FeedSlice;
  /** Calls `listener` for each new message until the returned function is called. */
  subscribe(listener: FeedListener): () => void;
  /** A short poll read the feed: keeps the ticker going for `tickLingerMs`. */
  touch(): void;
  /** Stops the ticker and forgets the subscribers. */
  close(): void;
  /**
   * Calls `fn` with each appended message, like `subscribe`, but as a record keeper rather than
   * a reader: it neither keeps the ticker going nor the feed alive (a class store keeps a room's
   * messages this way). Returns what stops it.
   */
  observe(fn: FeedListener): () => void;
  /**
   * Puts back messages kept by an earlier life of this feed (a server restart), with their ids,
   * so `Last-Event-ID` and `since` go on working and the next append continues the sequence. Only
   * on a feed that has given out no id yet; keeps the newest run of consecutive ids, within the
   * `feedKeep` bounds. Nobody is told: these messages were delivered before.
   */
  restore(messages: readonly FeedMessage[]): void;
}

/**
 * Appends a chat message nobody waits the id of. A shared feed's append fails only when Redis
 * refuses the script, which leaves nothing to tell the sender: the message is not in the room.
 */
export function appendQuietly(feed: Feed, data: unknown): void {
  const appended = feed.append('chat', data);
  if (appended instanceof Promise) appended.catch(() => {});
}

/** A feed, and the way in for messages numbered elsewhere (a room feed shared through Redis). */
export interface LocalFeed extends Feed {
  append(type: FeedMessage['type'], data: unknown): FeedMessage;
  /**
   * Keeps a message whose id was given out elsewhere and tells observers and subscribers, as
   * `append` does. Ids must grow; one that is not the next starts a new run of kept messages
   * (those between are gone, and `after()` counts them missed).
   */
  deliver(message: FeedMessage): void;
}

/**
 * Creates an empty feed whose ticker is seeded by `name`; its quotes go to `tick` (by default
 * appended here: a shared feed appends them through Redis, on one process only).
 */
export function createFeed(name: string, cfg: Config, tick?: (quote: Quote) => void): LocalFeed {
  const kept: FeedMessage[] = [];
  const sizes: number[] = []; // JSON bytes of each kept message, for the feedKeepBytes bound
  let keptBytes = 0;
  let lastId = 0;
  let lastUsed = Date.now();
  let proven = false;
  const listeners = new Set<FeedListener>();
  const observers = new Set<FeedListener>();
  const fanOut = createFanOut<FeedMessage>(cfg.feedFanOutSlice, (listener) => listeners.has(listener), {
    budgetMs: cfg.turnBudgetMs,
  });
  const ticker = createTicker({
    seed: name,
    intervalMs: cfg.tickIntervalMs,
    lingerMs: cfg.tickLingerMs,
    isHeard: () => listeners.size > 0,
    emit: tick ?? ((quote: Quote) => feed.append('tick', quote)),
  });

  const feed: LocalFeed = {
    name,
    get lastId() {
      return lastId;
    },
    get listeners() {
      return listeners.size;
    },
    get lastUsed() {
      return lastUsed;
    },
    get proven() {
      return proven;
    },
    append(type, data) {
      const message: FeedMessage = { id: lastId + 1, type, time: new Date().toISOString(), data };
      feed.deliver(message);
      return message;
    },
    deliver(message) {
      if (message.type !== 'tick') proven = true;
      if (message.id !== lastId + 1) {
        // `after()` finds an id by subtraction: past a gap, a new run of consecutive ids.
        kept.length = 0;
        sizes.length = 0;
        keptBytes = 0;
      }
      lastId = message.id;
      lastUsed = Date.now();
      keep(message);
      for (const observer of observers) observer(message);
      fanOut.send(message, listeners);
    },
    after(asked) {
      lastUsed = Date.now();
      // An id this feed never gave out means the reader knew an earlier life of it (the server
      // restarted, or the session was forgotten): everything kept is new to that reader.
      const since = asked > lastId ? 0 : asked;
      const firstId = kept[0]?.id ?? lastId + 1;
      // Ids are consecutive, so the position of id `since + 1` is a subtraction, not a search.
      const start = Math.max(0, since + 1 - firstId);
      const missed = since < lastId ? Math.max(0, firstId - since - 1) : 0;
      return { messages: kept.slice(start), missed };
    },
    subscribe(listener) {
      listeners.add(listener);
      proven = true;
      lastUsed = Date.now();
      ticker.wake();
      return () => {
        listeners.delete(listener);
        lastUsed = Date.now();
      };
    },
    touch() {
      lastUsed = Date.now();
      ticker.wake();
    },
    close() {
      ticker.stop();
      fanOut.close();
      listeners.clear();
      observers.clear();
    },
    observe(fn) {
      observers.add(fn);
      return () => observers.delete(fn);
    },
    restore(messages) {
      if (lastId !== 0 || messages.length === 0) return;
      // `after()` finds an id by subtraction: only a run of consecutive ids may be kept.
      let start = messages.length - 1;
      while (start > 0 && messages[start - 1]?.id === (messages[start]?.id ?? 0) - 1) start -= 1;
      for (const message of messages.slice(start)) keep(message);
      lastId = messages[messages.length - 1]?.id ?? 0;
    },
  };
  /** Keeps a message for late readers; forgets the oldest beyond either bound, but always keeps the newest. */
  function keep(message: FeedMessage): void {
    const size = Buffer.byteLength(JSON.stringify(message));
    kept.push(message);
    sizes.push(size);
    keptBytes += size;
    while (kept.length > 1 && (kept.length > cfg.feedKeep || keptBytes > cfg.feedKeepBytes)) {
      kept.shift();
      keptBytes -= sizes.shift() ?? 0;
    }
  }
  return feed;
}
