/**
 * `classRequestsPerSecond`: a token bucket per client address for class requests and channel
 * handshakes. A classroom's learners each have their own address; a script guessing join codes
 * from one address is held to a few guesses a second.
 */
import type { Config } from '../config.ts';
import { createTokenBucket, type TokenBucket } from '../lab/bounds.ts';

export interface AddressRate {
  /** Takes a token for `address`; false: over the rate. */
  take(address: string): boolean;
  /** Milliseconds until `address` has a token again. */
  waitMs(address: string): number;
  close(): void;
}

export function createAddressRate(cfg: Config): AddressRate {
  const buckets = new Map<string, { bucket: TokenBucket; last: number }>();
  const bucketOf = (address: string) => {
    let entry = buckets.get(address);
    if (!entry) {
      entry = {
        bucket: createTokenBucket(cfg.classRequestsPerSecond, 2 * cfg.classRequestsPerSecond),
        last: 0,
      };
      buckets.set(address, entry);
    }
    entry.last = Date.now();
    return entry.bucket;
  };
  // A bucket unused for a minute is full again: forget it, so the table stays small.
  const timer = setInterval(() => {
    const old = Date.now() - 60_000;
    for (const [address, entry] of buckets) if (entry.last < old) buckets.delete(address);
  }, 60_000);
  timer.unref();
  return {
    take: (address) => bucketOf(address).take(),
    waitMs: (address) => bucketOf(address).waitMs(),
    close: () => clearInterval(timer),
  };
}
