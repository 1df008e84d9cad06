/**
 * The class store in Redis, shared by every Wire Lab process on it (`WIRELAB_REDIS_URL`,
 * docs/scale.md). A class is loaded on demand by the process a request for it lands on
 * (`loadClass`), not all at start-up: `load` answers nothing.
 *
 *   wl:class:<code>            hash: `record` (the ClassRecord as JSON), and beside it the fields
 *                              that only ever grow: `lastActive`, `nextLearner`, `nextHandIn`;
 *                              `creator`, and `holder` (the process holding it now)
 *   wl:class:<code>:learners   hash: learner id → LearnerRecord as JSON
 *   wl:class:<code>:hand-ins   hash: hand-in id → HandInRecord as JSON
 *   wl:classes                 sorted set: code → lastActive (`maxClasses`, `maxClassesPerAddress`)
 *   wl:classes:creators        hash: code → creator address
 *   wl:classes (channel)       pub/sub: {"event":"held"|"ended","code","node","why"?}
 *
 * Every write is one Lua script (atomic) and changes nothing of a class whose record is gone, so
 * a process holding an out-of-date copy cannot bring an ended class back; the growing fields take
 * the larger of the stored and the written value, so such a copy cannot hand out an id twice
 * either. Every key of a class expires `ttlMs` after its last write: a class whose process died
 * and that nobody opens again does not stay in Redis for ever.
 *
 * Writes never throw: while Redis is unreachable the client queues them and sends them in order
 * when it is back. Room messages are not kept here: in shared mode the class room's feed is a
 * Redis stream the lab keeps (`appendMessage` and `trimMessages` do nothing).
 */
import type { SharedRedis } from '../../shared/redis.ts';
import type { ClassRecord, ClassStore, HandInRecord, LearnerRecord, StoredClass } from './types.ts';

/** The pub/sub channel where processes say which class they hold and which ended. */
export const CLASSES_CHANNEL = 'wl:classes';
const CENSUS = 'wl:classes';
const CREATORS = 'wl:classes:creators';

const keysOf = (code: string) => [
  `wl:class:${code}`,
  `wl:class:${code}:learners`,
  `wl:class:${code}:hand-ins`,
];

/** A class another process said something about. */
export interface ClassNews {
  readonly event: 'held' | 'ended';
  readonly code: string;
  /** The process that said it (`SharedRedis.nodeId`). */
  readonly node: string;
  /** Why it ended (the close reason its channels got). */
  readonly why?: string;
}

/** What `admitClass` answers: admitted, or which bound refused it and how many classes count. */
export type Admission =
  | { ok: true }
  | { ok: false; bound: 'maxClassesPerAddress' | 'maxClasses'; count: number }
  | { ok: false; bound: 'code taken' };

export interface AdmitLimits {
  maxClasses: number;
  /** null: this creator is not limited (the server's own machine). */
  maxPerAddress: number | null;
  /** A class whose `lastActive` is older than this (ms) no longer counts: it idled out. */
  staleMs: number;
}

/** Thrown by the reads when Redis does not answer in time: the caller answers 503, never 404. */
export class StoreUnreachable extends Error {}

export interface RedisClassStore extends ClassStore {
  readonly kind: 'redis';
  /** This process (`SharedRedis.nodeId`): what `holder` says when it holds a class. */
  readonly node: string;
  /** One class as stored, or null when there is none; rejects with `StoreUnreachable`. */
  loadClass(code: string): Promise<StoredClass | null>;
  /** The stored `lastActive` of a class and the process holding it, or null when it is gone. */
  peekClass(code: string): Promise<{ lastActive: number; holder: string } | null>;
  /** Counts the class in (atomically, over every process) and stores its record; or refuses. */
  admitClass(record: ClassRecord, limits: AdmitLimits): Promise<Admission>;
  /** Says this process holds `code` now: the others drop their copies. */
  holdClass(code: string): void;
  /** Writes a later `lastActive` only (an older one is ignored). */
  touchClass(code: string, lastActive: number): void;
  /** Forgets the class and tells the other processes it ended, and why. */
  endClass(code: string, why: string): void;
  /** Calls `fn` with what other processes say about classes; returns what stops it. */
  onNews(fn: (news: ClassNews) => void): () => void;
  /** Calls `fn` each time Redis is back after being away (news may have been missed). */
  onReconnect(fn: () => void): () => void;
}

// KEYS: record, learners, hand-ins, census. ARGV: code, record JSON ('' keeps it), lastActive,
// nextLearner, nextHandIn, ttl ms.
const PUT_CLASS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'record', ARGV[2]) end
local names = {'lastActive', 'nextLearner', 'nextHandIn'}
for i, name in ipairs(names) do
  local value = ARGV[i + 2]
  if value ~= '' and tonumber(value) > tonumber(redis.call('HGET', KEYS[1], name) or '0') then
    redis.call('HSET', KEYS[1], name, value)
  end
end
redis.call('ZADD', KEYS[4], 'GT', ARGV[3], ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[6]) end
return 1`;

// KEYS: record, learners, hand-ins. ARGV: which hash (2 or 3), 'put' or 'del', ttl ms, then
// field value pairs (put) or fields (del).
const PUT_ENTRY = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local target = KEYS[tonumber(ARGV[1])]
if ARGV[2] == 'put' then
  redis.call('HSET', target, unpack(ARGV, 4))
else
  redis.call('HDEL', target, unpack(ARGV, 4))
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return 1`;

// KEYS: record, learners, hand-ins, census, creators. ARGV: code, record JSON, lastActive,
// nextLearner, nextHandIn, ttl ms, creator, max classes, max per address (-1: none), stale
// before (ms), holder.
const ADMIT = `
local stale = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[10])
for _, code in ipairs(stale) do
  redis.call('ZREM', KEYS[4], code)
  redis.call('HDEL', KEYS[5], code)
end
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('ZSCORE', KEYS[4], ARGV[1]) then
  return {'code taken', 0}
end
local codes = redis.call('ZRANGE', KEYS[4], 0, -1)
local perAddress = tonumber(ARGV[9])
if perAddress >= 0 and #codes > 0 then
  local creators = redis.call('HMGET', KEYS[5], unpack(codes))
  local mine = 0
  for _, creator in ipairs(creators) do
    if creator == ARGV[7] then mine = mine + 1 end
  end
  if mine >= perAddress then return {'maxClassesPerAddress', mine} end
end
if #codes >= tonumber(ARGV[8]) then return {'maxClasses', #codes} end
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[5], ARGV[1], ARGV[7])
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'lastActive', ARGV[3], 'nextLearner', ARGV[4],
  'nextHandIn', ARGV[5], 'creator', ARGV[7], 'holder', ARGV[11])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return {'ok', #codes + 1}`;

// KEYS: record, learners, hand-ins, census, creators. ARGV: code, channel, news JSON.
const END = `
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`;

// KEYS: record. ARGV: holder, channel, news JSON.
const HOLD = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'holder', ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`;

export interface RedisStoreOptions {
  /** How long a class's keys outlive its last write (ms). */
  ttlMs: number;
  /** How long a read may wait for Redis before it is `StoreUnreachable` (ms). */
  readTimeoutMs: number;
  /** Where a failed write is reported (stderr by default), once until a write succeeds again. */
  log?: (line: string) => void;
}

export function createRedisStore(shared: SharedRedis, options: RedisStoreOptions): RedisClassStore {
  const { client } = shared;
  const log = options.log ?? ((line: string) => console.error(line));
  const ttl = String(options.ttlMs);
  let failing = false;
  let closed = false;
  const newsListeners = new Set<(news: ClassNews) => void>();
  const stops: Array<() => void> = [];

  const ran = () => {
    failing = false;
  };
  const failed = (err: unknown) => {
    if (failing || closed) return;
    failing = true;
    log(
      `Class store: a write to Redis at ${shared.where} failed (${(err as Error).message}); later writes go on.`,
    );
  };
  /** Runs a write script; never throws. */
  const write = (script: string, keys: string[], args: string[]): void => {
    if (closed) return;
    client.eval(script, { keys, arguments: args }).then(ran, failed);
  };
  /** A read, or `StoreUnreachable` when Redis is away (queued reads would wait for its return). */
  const read = async <T>(run: () => Promise<T>): Promise<T> => {
    if (!shared.up) throw new StoreUnreachable(`Redis at ${shared.where} is unreachable`);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreUnreachable(`Redis at ${shared.where} did not answer in time`)),
        options.readTimeoutMs,
      );
    });
    try {
      return await Promise.race([run(), late]);
    } catch (err) {
      if (err instanceof StoreUnreachable) throw err;
      throw new StoreUnreachable(`Redis at ${shared.where}: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  };
  const news = (n: ClassNews) => JSON.stringify(n);
  const putEntry = (code: string, which: 2 | 3, op: 'put' | 'del', rest: string[]) =>
    write(PUT_ENTRY, keysOf(code), [String(which), op, ttl, ...rest]);

  const onMessage = (message: string) => {
    let parsed: ClassNews;
    try {
      parsed = JSON.parse(message) as ClassNews;
    } catch {
      return;
    }
    if (parsed.node === shared.nodeId || typeof parsed.code !== 'string') return;
    for (const fn of newsListeners) fn(parsed);
  };
  const subscribed = shared.subscriber.subscribe(CLASSES_CHANNEL, onMessage).catch(failed);

  return {
    kind: 'redis',
    node: shared.nodeId,
    durable: true,
    problem: null,
    // Classes are loaded one by one, when a request names them (`loadClass`).
    load: async () => [],
    async loadClass(code) {
      const [record, learners, handIns] = keysOf(code);
      const replies = await read(() =>
        client
          .multi()
          .hGetAll(record ?? '')
          .hGetAll(learners ?? '')
          .hGetAll(handIns ?? '')
          .exec(),
      );
      const [r, l, h] = replies as unknown as Array<Record<string, string>>;
      if (!r?.record) return null;
      const stored = JSON.parse(r.record) as ClassRecord;
      const byId = <T extends { id: number }>(hash: Record<string, string> | undefined): T[] =>
        Object.values(hash ?? {})
          .map((json) => JSON.parse(json) as T)
          .sort((a, b) => a.id - b.id);
      return {
        record: {
          ...stored,
          lastActive: Number(r.lastActive ?? stored.lastActive),
          nextLearner: Number(r.nextLearner ?? stored.nextLearner),
          nextHandIn: Number(r.nextHandIn ?? stored.nextHandIn),
        },
        learners: byId<LearnerRecord>(l),
        handIns: byId<HandInRecord>(h),
        messages: [],
      };
    },
    async peekClass(code) {
      const [record] = keysOf(code);
      const [lastActive, holder] = await read(() => client.hmGet(record ?? '', ['lastActive', 'holder']));
      return lastActive ? { lastActive: Number(lastActive), holder: holder ?? '' } : null;
    },
    async admitClass(record, limits) {
      const reply = (await read(() =>
        client.eval(ADMIT, {
          keys: [...keysOf(record.code), CENSUS, CREATORS],
          arguments: [
            record.code,
            JSON.stringify(record),
            String(record.lastActive),
            String(record.nextLearner),
            String(record.nextHandIn),
            ttl,
            record.creator,
            String(limits.maxClasses),
            String(limits.maxPerAddress ?? -1),
            String(record.lastActive - limits.staleMs),
            shared.nodeId,
          ],
        }),
      )) as [string, number];
      const [outcome, count] = reply;
      if (outcome === 'ok') return { ok: true };
      if (outcome === 'code taken') return { ok: false, bound: 'code taken' };
      return { ok: false, bound: outcome as 'maxClasses' | 'maxClassesPerAddress', count };
    },
    holdClass(code) {
      const [record] = keysOf(code);
      write(
        HOLD,
        [record ?? ''],
        [shared.nodeId, CLASSES_CHANNEL, news({ event: 'held', code, node: shared.nodeId })],
      );
    },
    touchClass(code, lastActive) {
      write(PUT_CLASS, [...keysOf(code), CENSUS], [code, '', String(lastActive), '', '', ttl]);
    },
    endClass(code, why) {
      write(
        END,
        [...keysOf(code), CENSUS, CREATORS],
        [code, CLASSES_CHANNEL, news({ event: 'ended', code, node: shared.nodeId, why })],
      );
    },
    onNews(fn) {
      newsListeners.add(fn);
      return () => newsListeners.delete(fn);
    },
    onReconnect(fn) {
      const stop = shared.onStatus((up) => {
        if (up && !closed) fn();
      });
      stops.push(stop);
      return stop;
    },
    putClass(record) {
      write(
        PUT_CLASS,
        [...keysOf(record.code), CENSUS],
        [
          record.code,
          JSON.stringify(record),
          String(record.lastActive),
          String(record.nextLearner),
          String(record.nextHandIn),
          ttl,
        ],
      );
    },
    deleteClass(code) {
      write(
        END,
        [...keysOf(code), CENSUS, CREATORS],
        [code, CLASSES_CHANNEL, news({ event: 'ended', code, node: shared.nodeId })],
      );
    },
    putLearner(code, learner) {
      putEntry(code, 2, 'put', [String(learner.id), JSON.stringify(learner)]);
    },
    deleteLearner(code, id) {
      putEntry(code, 2, 'del', [String(id)]);
    },
    putHandIn(code, handIn) {
      putEntry(code, 3, 'put', [String(handIn.id), JSON.stringify(handIn)]);
    },
    deleteHandIns(code, ids) {
      if (ids.length > 0) putEntry(code, 3, 'del', ids.map(String));
    },
    // The class room's feed is the lab's Redis stream in shared mode.
    appendMessage() {},
    trimMessages() {},
    async close() {
      closed = true;
      newsListeners.clear();
      for (const stop of stops) stop();
      await subscribed;
      if (shared.up) await shared.subscriber.unsubscribe(CLASSES_CHANNEL, onMessage).catch(() => {});
    },
  };
}
