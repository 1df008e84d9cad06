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
 * (`wl:room:<code>:ticker`), renewed at each tick while it has readers. When the holder stops
 * (no readers left, or it died), another process with readers takes the lease within its length.
 */
import type { Config } from '../config.ts';
import { createFeed, type Feed, type FeedMessage } from '../lab/feed.ts';
import type { Quote } from '../lab/ticker.ts';
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
  const keys = roomKeys(code);
  const ttlMs = String(2 * Math.max(cfg.classIdleMs, cfg.sessionIdleMs));
  let closed = false;
  let leader = false;
  // Three ticks, and never under 2 s: a busy process renewing late must not hand the lease over
  // (the next holder would tick the quote the last one just ticked).
  const leaseMs = Math.max(3 * cfg.tickIntervalMs, 2_000);
  /** The mirror: this process's feed of the room, fed only with what Redis numbered. */
  const mirror = createFeed(`room:${code}`, cfg, (quote: Quote) => {
    if (leader) void append('tick', quote).catch(() => {});
    renewLease();
  });
  /** Messages heard while the mirror loads or fills a gap, applied in id order afterwards. */
  let held: FeedMessage[] | null = [];

  const parse = (raw: string): FeedMessage | null => {
    try {
      const m = JSON.parse(raw) as FeedMessage;
      return Number.isSafeInteger(m.id) && m.id > 0 ? m : null;
    } catch {
      return null;
    }
  };

  /** Reads the stream after the mirror's last id into the mirror (a first load keeps the newest only). */
  const readStream = async (first: boolean): Promise<void> => {
    const entries = (await shared.client.xRange(keys.stream, `${mirror.lastId + 1}-0`, '+')) ?? [];
    // On the first load only the newest `feedKeep` matter; a gap is read whole.
    for (const entry of entries.slice(first ? Math.max(0, entries.length - cfg.feedKeep) : 0)) {
      const m = parse(entry?.message.m ?? '');
      if (m && m.id > mirror.lastId) mirror.deliver(m);
    }
  };
  /**
   * Applies what was held back, in id order, once the stream was read: whatever is still missing
   * before them, the stream no longer has (trimmed by `feedKeep`), and `after()` reports it missed.
   */
  const release = (): void => {
    const waiting = held ?? [];
    held = null;
    waiting.sort((x, y) => x.id - y.id);
    for (const m of waiting) if (m.id > mirror.lastId) mirror.deliver(m);
  };
  let filling: Promise<void> | null = null;
  const fill = (): Promise<void> => {
    if (filling) return filling;
    held ??= [];
    filling = readStream(false)
      .catch(() => {
        // Redis went away again: `catchUp` runs when it is back.
      })
      .finally(() => {
        filling = null;
        release();
      });
    return filling;
  };
  /** A message from pub/sub: in order, or the gap is read from the stream first. */
  const onMessage = (raw: string): void => {
    const m = parse(raw);
    if (closed || !m || m.id <= mirror.lastId) return; // seen already
    if (held) held.push(m);
    else if (m.id === mirror.lastId + 1) mirror.deliver(m);
    else {
      held = [m];
      void fill();
    }
  };

  // While Redis is away these wait in the client's queue: a reader of the room is answered once
  // the mirror is whole, never from an empty one that would repeat what the reader has seen.
  const ready = (async () => {
    try {
      await shared.subscriber.subscribe(keys.channel, onMessage);
      await readStream(true);
    } catch {
      // Closed before it was ready, or a reply Redis should never give: start from what is held.
    } finally {
      release();
    }
  })();

  function renewLease(): void {
    shared.client.eval(LEASE, { keys: [keys.ticker], arguments: [shared.nodeId, String(leaseMs)] }).then(
      (won) => {
        leader = won === 1;
      },
      () => {
        leader = false;
      },
    );
  }
  async function append(type: FeedMessage['type'], data: unknown): Promise<FeedMessage> {
    const time = new Date().toISOString();
    const rest = JSON.stringify({ type, time, data }).slice(1); // '"type":…}' after the id
    const id = Number(
      await shared.client.eval(APPEND, {
        keys: [keys.seq, keys.stream, keys.channel],
        arguments: [rest, String(cfg.feedKeep), ttlMs],
      }),
    );
    return { id, type, time, data };
  }

  const closeMirror = mirror.close;
  return Object.assign(mirror, {
    ready,
    append,
    close() {
      closed = true;
      shared.subscriber.unsubscribe(keys.channel, onMessage).catch(() => {});
      closeMirror();
    },
    restore() {
      // The stream keeps the room's messages: nothing to put back.
    },
    catchUp: () => (closed ? Promise.resolve() : fill()),
  });
}
