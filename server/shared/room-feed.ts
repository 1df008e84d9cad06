/**
 * A room feed kept in Redis, for processes that share one (docs/scale.md "Room feeds").
 *
 * The room's messages live in a Redis Stream (`wl:room:<code>:feed`) whose ids are whole numbers
 * (`7-0` for message 7), given out by one counter (`wl:room:<code>:seq`) in the same script that
 * adds the entry and publishes it. So `Last-Event-ID: 7` and `since=7` name the same message on
 * every process, and a learner's EventSource that lands on another process after its own died
 * resumes exactly where it was.
 *
 * Each process with the room open keeps a mirror of the newest messages (the `feedKeep` bounds,
 * as a local feed does) and hears new ones over pub/sub (`wl:room:<code>`), in the order the script
 * gave their ids. A message whose id is not the next one means some were missed (Redis was away,
 * or the subscription was renewed late): the gap is read from the stream before anything after it
 * is told to a reader, so no reader sees a message twice or out of order. `ready` resolves once
 * the mirror holds what the stream kept: the lab answers no reader of the room before that.
 *
 * `append` goes through Redis, so its id is known only when Redis answers (a promise); readers on
 * this process hear the message from pub/sub like everyone else. While Redis is unreachable,
 * appends wait in the client's queue and go out in order when it is back.
 *
 * Only one process ticks a room's made-up quotes: the holder of a short lease
 * (`wl:room:<code>:ticker`), renewed at each tick while it has readers.
 */
import type { Config } from '../config.ts';
import type { Feed, FeedListener, FeedMessage } from '../lab/feed.ts';
import { createTicker, type Quote } from '../lab/ticker.ts';
import type { SharedRedis } from './redis.ts';

/** INCR the counter, add the entry under that id, publish it; returns the id. */
const APPEND = `
local id = redis.call('INCR', KEYS[1])
local msg = '{"id":' .. id .. ',' .. ARGV[1]
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], id .. '-0', 'm', msg)
redis.call('PUBLISH', KEYS[3], msg)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return id`;

/** Takes or keeps the ticker lease: 1 when this process holds it. */
const LEASE = `
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

export const roomKeys = (code: string) => ({
  seq: `wl:room:${code}:seq`,
  stream: `wl:room:${code}:feed`,
  channel: `wl:room:${code}`,
  ticker: `wl:room:${code}:ticker`,
});

/** A room feed as the lab sees it, plus what the sharing needs. */
export interface SharedFeed extends Feed {
  append(type: FeedMessage['type'], data: unknown): Promise<FeedMessage>;
  /** Resolves once the mirror holds what the stream kept (or Redis could not be asked). */
  readonly ready: Promise<void>;
  /** Reads what the mirror missed from the stream (after Redis came back). */
  catchUp(): Promise<void>;
}

export function createSharedFeed(code: string, cfg: Config, shared: SharedRedis): SharedFeed {
  const name = `room:${code}`;
  const keys = roomKeys(code);
  const ttlMs = String(2 * Math.max(cfg.classIdleMs, cfg.sessionIdleMs));
  const kept: FeedMessage[] = [];
  const sizes: number[] = [];
  let keptBytes = 0;
  let lastId = 0;
  let lastUsed = Date.now();
  let proven = false;
  let closed = false;
  let leader = false;
  const listeners = new Set<FeedListener>();
  const observers = new Set<FeedListener>();
  /** Messages heard while the mirror loads or fills a gap, applied in id order afterwards. */
  let held: FeedMessage[] | null = [];

  const keep = (message: FeedMessage, size: number): void => {
    kept.push(message);
    sizes.push(size);
    keptBytes += size;
    while (kept.length > 1 && (kept.length > cfg.feedKeep || keptBytes > cfg.feedKeepBytes)) {
      kept.shift();
      keptBytes -= sizes.shift() ?? 0;
    }
  };
  /** The next message in order: kept, and told to observers and readers. */
  const apply = (message: FeedMessage, size: number, tell: boolean): void => {
    // `after()` finds an id by subtraction: past a gap the stream no longer has, start a new run.
    if (message.id !== lastId + 1) {
      kept.length = 0;
      sizes.length = 0;
      keptBytes = 0;
    }
    lastId = message.id;
    lastUsed = Date.now();
    if (message.type !== 'tick') proven = true;
    keep(message, size);
    if (!tell) return;
    for (const observer of observers) observer(message);
    for (const listener of [...listeners]) listener(message);
  };
  const parse = (raw: string): FeedMessage | null => {
    try {
      const m = JSON.parse(raw) as FeedMessage;
      return Number.isSafeInteger(m.id) && m.id > 0 ? m : null;
    } catch {
      return null;
    }
  };

  /** Reads the stream after `lastId` into the mirror (told to readers when `tell`). */
  const readStream = async (tell: boolean): Promise<void> => {
    const entries = (await shared.client.xRange(keys.stream, `${lastId + 1}-0`, '+')) ?? [];
    if (entries.length === 0) {
      // Nothing kept past `lastId`, but the counter may have moved on (entries trimmed by MAXLEN).
      const seq = Number((await shared.client.get(keys.seq)) ?? 0);
      if (!tell && seq > lastId) lastId = seq;
      return;
    }
    // On the first load only the newest `feedKeep` matter; a gap is read whole.
    const from = tell ? 0 : Math.max(0, entries.length - cfg.feedKeep);
    for (const entry of entries.slice(from)) {
      const raw = entry?.message.m ?? '';
      const m = parse(raw);
      if (m && m.id > lastId) apply(m, Buffer.byteLength(raw), tell);
    }
  };
  /**
   * Applies what was held back, in id order, once the stream was read: whatever is still missing
   * before them, the stream no longer has (trimmed by `feedKeep`), and `after()` reports it missed.
   */
  const release = (): void => {
    const waiting = held ?? [];
    held = null;
    waiting.sort((a, b) => a.id - b.id);
    for (const m of waiting) if (m.id > lastId) apply(m, Buffer.byteLength(JSON.stringify(m)), true);
  };
  let filling: Promise<void> | null = null;
  const fill = (): Promise<void> => {
    if (filling) return filling;
    held ??= [];
    filling = readStream(true)
      .catch(() => {
        // Redis went away again: `onStatus` calls catchUp when it is back.
      })
      .finally(() => {
        filling = null;
        release();
      });
    return filling;
  };
  /** A message from pub/sub (or held back): in order, or the gap is read first. */
  function hear(m: FeedMessage, raw: string): void {
    if (closed || m.id <= lastId) return; // seen already
    if (held) {
      held.push(m);
      return;
    }
    if (m.id === lastId + 1) {
      apply(m, Buffer.byteLength(raw), true);
      return;
    }
    held = [m];
    void fill();
  }
  const onMessage = (raw: string): void => {
    const m = parse(raw);
    if (m) hear(m, raw);
  };

  // While Redis is away these wait in the client's queue: a reader of the room is answered once
  // the mirror is whole, never from an empty one that would repeat what the reader has seen.
  const ready = (async () => {
    try {
      await shared.subscriber.subscribe(keys.channel, onMessage);
      await readStream(false);
    } catch {
      // Closed before it was ready, or a reply Redis should never give: start from what is held.
    } finally {
      release();
    }
  })();

  const renewLease = (): void => {
    shared.client
      .eval(LEASE, { keys: [keys.ticker], arguments: [shared.nodeId, String(3 * cfg.tickIntervalMs)] })
      .then(
        (won) => {
          leader = won === 1;
        },
        () => {
          leader = false;
        },
      );
  };
  const ticker = createTicker({
    seed: name,
    intervalMs: cfg.tickIntervalMs,
    lingerMs: cfg.tickLingerMs,
    isHeard: () => listeners.size > 0,
    emit: (quote: Quote) => {
      if (leader) void feed.append('tick', quote).catch(() => {});
      renewLease();
    },
  });

  const feed: SharedFeed = {
    name,
    ready,
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
    async append(type, data) {
      if (type !== 'tick') proven = true;
      lastUsed = Date.now();
      const time = new Date(lastUsed).toISOString();
      const rest = JSON.stringify({ type, time, data }).slice(1); // '"type":…}' after the id
      const id = Number(
        await shared.client.eval(APPEND, {
          keys: [keys.seq, keys.stream, keys.channel],
          arguments: [rest, String(cfg.feedKeep), ttlMs],
        }),
      );
      return { id, type, time, data };
    },
    after(asked) {
      lastUsed = Date.now();
      const since = asked > lastId ? 0 : asked;
      const firstId = kept[0]?.id ?? lastId + 1;
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
      closed = true;
      ticker.stop();
      listeners.clear();
      observers.clear();
      shared.subscriber.unsubscribe(keys.channel, onMessage).catch(() => {});
    },
    observe(fn) {
      observers.add(fn);
      return () => observers.delete(fn);
    },
    restore() {
      // The stream keeps the room's messages: nothing to put back.
    },
    catchUp: () => (closed ? Promise.resolve() : fill()),
  };
  return feed;
}
