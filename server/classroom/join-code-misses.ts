/**
 * Join-code guessing, bounded per address and for the whole server.
 *
 * A lookup by code that finds no class is a miss. Each client address may miss
 * `joinCodeMissesPerAddress` times a minute; the server answers `joinCodeMissesPerMinute` misses a
 * minute in all. The gate is checked *before* the lookup and refuses known and unknown codes
 * alike: were it to refuse only unknown codes, the refusal would itself answer the guess.
 *
 * - Over its own budget, an address waits for every lookup by code (429) until a miss is forgiven.
 * - Over the global budget (guessing from many addresses), only addresses that missed in the last
 *   minute wait; everyone else is answered at once. A learner typing a known code is not slowed
 *   by someone else's guessing unless they share an address that guessed.
 *
 * With codes of 6 from 31 letters (887 million) and 20 classes, 600 misses a minute find a class
 * once in about a century of guessing.
 */
import type { Config } from '../config.ts';
import { bound, createTokenBucket, type TokenBucket } from '../lab/bounds.ts';

export type MissGate = { ok: true } | { ok: false; text: string; retryAfterS: number };

export interface JoinCodeMisses {
  /** May `address` look a code up now? */
  check(address: string): MissGate;
  /** `address` named a code no class has. */
  miss(address: string): void;
  close(): void;
}

const MINUTE_MS = 60_000;

export function createJoinCodeMisses(cfg: Config): JoinCodeMisses {
  const perAddress = cfg.joinCodeMissesPerAddress;
  const global = createTokenBucket(cfg.joinCodeMissesPerMinute / 60, cfg.joinCodeMissesPerMinute);
  const byAddress = new Map<string, { bucket: TokenBucket; lastMiss: number }>();
  const timer = setInterval(() => {
    const old = Date.now() - MINUTE_MS;
    for (const [address, entry] of byAddress) if (entry.lastMiss < old) byAddress.delete(address);
  }, MINUTE_MS);
  timer.unref();

  return {
    check(address) {
      const entry = byAddress.get(address);
      if (!entry) return { ok: true };
      const ownWait = entry.bucket.waitMs();
      if (ownWait > 0) {
        const retryAfterS = Math.max(1, Math.ceil(ownWait / 1000));
        const text = `${bound(cfg, 'joinCodeMissesPerAddress')} reached: this computer named ${perAddress} unknown class codes within a minute. Check the code with your teacher, and try again in ${retryAfterS} s.`;
        return { ok: false, text, retryAfterS };
      }
      const globalWait = global.waitMs();
      if (globalWait > 0 && Date.now() - entry.lastMiss < MINUTE_MS) {
        const retryAfterS = Math.max(1, Math.ceil(globalWait / 1000));
        const text = `${bound(cfg, 'joinCodeMissesPerMinute')} reached: the server is answering many unknown class codes, and this computer named one within the last minute. Check the code with your teacher, and try again in ${retryAfterS} s.`;
        return { ok: false, text, retryAfterS };
      }
      return { ok: true };
    },
    miss(address) {
      let entry = byAddress.get(address);
      if (!entry) {
        entry = { bucket: createTokenBucket(perAddress / 60, perAddress), lastMiss: 0 };
        byAddress.set(address, entry);
      }
      entry.lastMiss = Date.now();
      entry.bucket.take();
      global.take();
    },
    close: () => clearInterval(timer),
  };
}
