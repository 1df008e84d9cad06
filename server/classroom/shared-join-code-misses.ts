/**
 * Join-code guessing bounded over every process on one Redis (shared mode, docs/scale.md): the
 * same rules as join-code-misses.ts, with its buckets and "found a class lately" marks in Redis,
 * so a guesser whose lookups nginx spreads over many processes meets one budget, not one each.
 *
 *   wl:join-misses:<address>   hash {tokens, at}: the address's `joinCodeMissesPerAddress` bucket
 *   wl:join-misses             hash {tokens, at}: the server's `joinCodeMissesPerMinute` bucket
 *   wl:join-hit:<address>      set while the address found a class within the last hour
 *
 * Buckets refill by Redis's own clock (`TIME`), so processes whose clocks differ agree. Each
 * process also keeps the local gate: while Redis is away (or slow to answer) the local one decides
 * alone, so class lookups are never held up by Redis being gone.
 */
import type { Config } from '../config.ts';
import type { SharedRedis } from '../shared/redis.ts';
import { createJoinCodeMisses, type JoinCodeMisses, type MissGate } from './join-code-misses.ts';
import { bound } from '../lab/bounds.ts';

const MINUTE_MS = 60_000;
/** As in join-code-misses.ts: an address that found a class this recently is not held back by others' guessing. */
const KNOWN_GOOD_MS = 60 * MINUTE_MS;
/** How long a lookup waits for Redis's answer before the local gate decides alone (ms). */
const ANSWER_MS = 1_000;
const GLOBAL = 'wl:join-misses';
const perAddressKey = (address: string) => `wl:join-misses:${address}`;
const hitKey = (address: string) => `wl:join-hit:${address}`;

// A bucket's level now: `burst` when it has no key (full), else what it had plus the refill.
const LEVEL = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function level(key, burst, now)
  local v = redis.call('HMGET', key, 'tokens', 'at')
  if not v[1] then return burst end
  return math.min(burst, tonumber(v[1]) + (now - tonumber(v[2])) * burst / 60000)
end
local function wait(tokens, burst)
  if tokens >= 1 then return 0 end
  return math.ceil((1 - tokens) * 60000 / burst)
end`;

// KEYS: address bucket, global bucket, hit mark. ARGV: per address, per minute.
// Returns {own wait ms, global wait ms, known good (1/0)}.
const CHECK = `${LEVEL}
local now = now_ms()
local per, all = tonumber(ARGV[1]), tonumber(ARGV[2])
return {wait(level(KEYS[1], per, now), per), wait(level(KEYS[2], all, now), all), redis.call('EXISTS', KEYS[3])}`;

// KEYS: address bucket, global bucket. ARGV: per address, per minute. Takes a token from each.
const MISS = `${LEVEL}
local now = now_ms()
local bursts = {tonumber(ARGV[1]), tonumber(ARGV[2])}
for i = 1, 2 do
  local tokens = level(KEYS[i], bursts[i], now)
  if tokens >= 1 then tokens = tokens - 1 end
  redis.call('HSET', KEYS[i], 'tokens', tostring(tokens), 'at', tostring(now))
  -- Full again after a minute at most: then the key means nothing.
  redis.call('PEXPIRE', KEYS[i], 60000)
end
return 1`;

export function createSharedJoinCodeMisses(cfg: Config, shared: SharedRedis): JoinCodeMisses {
  const local = createJoinCodeMisses(cfg);
  const per = String(cfg.joinCodeMissesPerAddress);
  const all = String(cfg.joinCodeMissesPerMinute);

  /** Redis's answer, or null when it is away or slow (the local gate then decides alone). */
  const ask = async (address: string): Promise<[number, number, number] | null> => {
    if (!shared.up) return null;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), ANSWER_MS);
    });
    try {
      const asked = shared.client
        .eval(CHECK, { keys: [perAddressKey(address), GLOBAL, hitKey(address)], arguments: [per, all] })
        .then((reply) => reply as [number, number, number]);
      return await Promise.race([asked, late]);
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  };
  const quietly = (p: Promise<unknown>) => p.catch(() => {});

  return {
    async check(address) {
      const here = local.check(address);
      if (!here.ok) return here;
      const answer = await ask(address);
      if (!answer) return here;
      const [ownWait, globalWait, knownGood] = answer;
      if (ownWait > 0) {
        const retryAfterS = Math.max(1, Math.ceil(ownWait / 1000));
        const text = `${bound(cfg, 'joinCodeMissesPerAddress')} reached: this computer named ${cfg.joinCodeMissesPerAddress} unknown class codes within a minute. Check the code with your teacher, and try again in ${retryAfterS} s.`;
        return { ok: false, text, retryAfterS } satisfies MissGate;
      }
      if (globalWait > 0 && knownGood === 0) {
        const retryAfterS = Math.max(1, Math.ceil(globalWait / 1000));
        const text = `${bound(cfg, 'joinCodeMissesPerMinute')} reached: someone is guessing class codes, so computers new to this server's classes wait their turn. Try again in ${retryAfterS} s.`;
        return { ok: false, text, retryAfterS };
      }
      return { ok: true };
    },
    miss(address) {
      local.miss(address);
      // Queued while Redis is away, and counted when it is back.
      quietly(shared.client.eval(MISS, { keys: [perAddressKey(address), GLOBAL], arguments: [per, all] }));
    },
    hit(address) {
      local.hit(address);
      quietly(shared.client.set(hitKey(address), '1', { PX: KNOWN_GOOD_MS }));
    },
    close: () => local.close(),
  };
}
