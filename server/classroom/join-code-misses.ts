/**
 * Join-code guessing, bounded per address and for the whole server.
 *
 * A lookup by code that finds no class is a miss. Each client address may miss
 * `joinCodeMissesPerAddress` times a minute; the server answers `joinCodeMissesPerMinute` misses a
 * minute in all. The gate is checked *before* the lookup and refuses known and unknown codes
 * alike: were it to refuse only unknown codes, the refusal would itself answer the guess.
 *
 * - Over its own budget, an address waits for every lookup by code (429) until a miss is forgiven.
 * - Over the global budget (guessing from many addresses), an address waits unless it found a class
 *   in the last hour (a teacher, a learner who joined, a school's NAT once its first learner is
 *   in): those are answered at once. A new address waits for the budget to refill, known code or
 *   not, because answering it only when its code is known would answer the guess.
 *
 * With codes of 6 from 31 letters (887 million) and 20 live classes, a whole day of guessing at
 * 120 misses a minute finds one with a chance of about 1 in 250.
 */
import type { Config } from '../config.ts';
import { bound, createTokenBucket, type TokenBucket } from '../lab/bounds.ts';

export type MissGate = { ok: true } | { ok: false; text: string; retryAfterS: number };

export interface JoinCodeMisses {
  /** May `address` look a code up now? (Asynchronous when counted in Redis: shared-join-code-misses.ts.) */
  check(address: string): MissGate | Promise<MissGate>;
  /** `address` named a code no class has. */
  miss(address: string): void;
  /** `address` named a code a class has (or started a class). */
  hit(address: string): void;
  close(): void;
}

const MINUTE_MS = 60_000;
/** An address that found a class this recently is not held back by others' guessing. */
const KNOWN_GOOD_MS = 60 * MINUTE_MS;

/** The gate of one process: it answers at once. */
export type LocalJoinCodeMisses = Omit<JoinCodeMisses, 'check'> & { check(address: string): MissGate };

export function createJoinCodeMisses(cfg: Config): LocalJoinCodeMisses {
  const perAddress = cfg.joinCodeMissesPerAddress;
  const global = createTokenBucket(cfg.joinCodeMissesPerMinute / 60, cfg.joinCodeMissesPerMinute);
  const byAddress = new Map<string, { bucket: TokenBucket; lastMiss: number; lastHit: number }>();
  const entryOf = (address: string) => {
    let entry = byAddress.get(address);
    if (!entry) {
      entry = { bucket: createTokenBucket(perAddress / 60, perAddress), lastMiss: 0, lastHit: 0 };
      byAddress.set(address, entry);
    }
    return entry;
  };
  // Forgotten once its misses are forgiven (a full bucket after a minute) and its hit is old.
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [address, entry] of byAddress)
      if (entry.lastMiss < now - MINUTE_MS && entry.lastHit < now - KNOWN_GOOD_MS) byAddress.delete(address);
  }, MINUTE_MS);
  timer.unref();

  return {
    check(address) {
      const entry = byAddress.get(address);
      const ownWait = entry?.bucket.waitMs() ?? 0;
      if (ownWait > 0) {
        const retryAfterS = Math.max(1, Math.ceil(ownWait / 1000));
        const text = `${bound(cfg, 'joinCodeMissesPerAddress')} reached: this computer named ${perAddress} unknown class codes within a minute. Check the code with your teacher, and try again in ${retryAfterS} s.`;
        return { ok: false, text, retryAfterS };
      }
      const globalWait = global.waitMs();
      if (globalWait > 0 && Date.now() - (entry?.lastHit ?? 0) >= KNOWN_GOOD_MS) {
        const retryAfterS = Math.max(1, Math.ceil(globalWait / 1000));
        const text = `${bound(cfg, 'joinCodeMissesPerMinute')} reached: someone is guessing class codes, so computers new to this server's classes wait their turn. Try again in ${retryAfterS} s.`;
        return { ok: false, text, retryAfterS };
      }
      return { ok: true };
    },
    miss(address) {
      const entry = entryOf(address);
      entry.lastMiss = Date.now();
      entry.bucket.take();
      global.take();
    },
    hit(address) {
      entryOf(address).lastHit = Date.now();
    },
    close: () => clearInterval(timer),
  };
}
