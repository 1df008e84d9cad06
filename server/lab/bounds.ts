/**
 * The sandbox's bounds, named the way a learner will meet them.
 *
 * Every message about a bound starts with `bound <name> (<value>)`, the name being the key in
 * `server/config.ts` (and `WIRELAB_…` its environment variable), so the words on the wire, in the
 * inspector and in docs/lab-api.md are the same and can be searched for.
 */
import type { Config } from '../config.ts';

/** Config keys that are numeric bounds. */
export type BoundName = {
  [K in keyof Config]: Config[K] extends number ? K : never;
}[keyof Config];

/** `bound maxStreamMessages (500)`: the start of every message about a bound. */
export function bound(cfg: Config, name: BoundName): string {
  return `bound ${name} (${cfg[name]})`;
}

export interface TokenBucket {
  /** Takes one token if there is one; false means the caller is over the rate. */
  take(now?: number): boolean;
  /** Milliseconds until the next token, for `Retry-After`. */
  waitMs(now?: number): number;
}

/**
 * A token bucket: `perSecond` tokens flow in each second, up to `burst` saved up. Each request
 * takes one, so short bursts pass and a steady flood is held to the rate.
 */
export function createTokenBucket(perSecond: number, burst: number): TokenBucket {
  let tokens = burst;
  let last = Date.now();
  const refill = (now: number): void => {
    tokens = Math.min(burst, tokens + ((now - last) * perSecond) / 1000);
    last = now;
  };
  return {
    take(now = Date.now()) {
      refill(now);
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    waitMs(now = Date.now()) {
      refill(now);
      return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1000) / perSecond);
    },
  };
}
