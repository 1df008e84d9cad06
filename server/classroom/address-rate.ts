/**
 * Token buckets by key, for the classroom's rates (docs/classroom.md "Bounds"):
 *
 * - `classRequestsPerSecond`, by client address: a coarse outer bound on class requests that name
 *   no class (`POST /class`, a malformed code), sized for a school behind one NAT.
 * - `classRequestsPerClassPerSecond`, by join code: every request and channel handshake naming a
 *   class takes from that class's own bucket, so traffic outside a class never slows its learners,
 *   however many of them share one address.
 *
 * Guessing join codes is bounded apart (join-code-misses.ts).
 */
import type { Config } from '../config.ts';
import { createTokenBucket, type TokenBucket } from '../lab/bounds.ts';

export interface RateTable {
  /** Takes a token for `key`; false: over the rate. */
  take(key: string): boolean;
  /** Milliseconds until `key` has a token again. */
  waitMs(key: string): number;
  close(): void;
}

/** A bucket of `perSecond` tokens a second, `burst` saved up, for each key. */
export function createRateTable(perSecond: number, burst: number): RateTable {
  const buckets = new Map<string, { bucket: TokenBucket; last: number }>();
  const bucketOf = (key: string) => {
    let entry = buckets.get(key);
    if (!entry) {
      entry = { bucket: createTokenBucket(perSecond, burst), last: 0 };
      buckets.set(key, entry);
    }
    entry.last = Date.now();
    return entry.bucket;
  };
  // A bucket unused for as long as it takes to fill is full again: forget it, so the table stays small.
  const fullAfterMs = Math.max(60_000, Math.ceil((burst / perSecond) * 1000));
  const timer = setInterval(() => {
    const old = Date.now() - fullAfterMs;
    for (const [key, entry] of buckets) if (entry.last < old) buckets.delete(key);
  }, fullAfterMs);
  timer.unref();
  return {
    take: (key) => bucketOf(key).take(),
    waitMs: (key) => bucketOf(key).waitMs(),
    close: () => clearInterval(timer),
  };
}

/** `classRequestsPerSecond` (burst 2×), by client address. */
export function createAddressRate(cfg: Config): RateTable {
  return createRateTable(cfg.classRequestsPerSecond, 2 * cfg.classRequestsPerSecond);
}

/** `classRequestsPerClassPerSecond` (burst 2×), by join code. */
export function createClassRate(cfg: Config): RateTable {
  return createRateTable(cfg.classRequestsPerClassPerSecond, 2 * cfg.classRequestsPerClassPerSecond);
}
