/**
 * The made-up stock quote that ticks into a feed while someone listens.
 *
 * Prices follow from a seed alone (the session id or room code), so the same session sees the
 * same prices in every transport and after a restart: a learner can compare runs byte for byte.
 */

import { fnv1a, mulberry32 } from './prng.ts';

export interface Quote {
  readonly symbol: 'WIRE';
  readonly price: number;
}

/** Returns a function giving the next quote of the series seeded by `seed`: a random walk from 100.00. */
export function createQuotes(seed: string): () => Quote {
  const random = mulberry32(fnv1a(seed));
  let cents = 10_000; // whole cents, so prices never show float noise like 100.10000000000001
  return () => {
    cents = Math.max(100, cents + Math.round((random() - 0.5) * 200));
    return { symbol: 'WIRE', price: cents / 100 };
  };
}

export interface Ticker {
  /** Someone is (or just was) listening: start ticking if stopped. */
  wake(): void;
  stop(): void;
}

export interface TickerOptions {
  seed: string;
  intervalMs: number;
  /** After the last `wake()`, keep ticking this long even with nobody subscribed (short polls). */
  lingerMs: number;
  /** True while a stream, WebSocket or held poll is subscribed. */
  isHeard(): boolean;
  emit(quote: Quote): void;
}

/**
 * Ticks `emit(quote)` every `intervalMs` while `isHeard()` or within `lingerMs` of the last
 * `wake()`; stops by itself otherwise, so a forgotten session costs no timer.
 */
export function createTicker(options: TickerOptions): Ticker {
  const next = createQuotes(options.seed);
  let timer: NodeJS.Timeout | undefined;
  let lastWake = 0;
  const stop = (): void => {
    clearInterval(timer);
    timer = undefined;
  };
  const tick = (): void => {
    if (!options.isHeard() && Date.now() - lastWake > options.lingerMs) {
      stop();
      return;
    }
    options.emit(next());
  };
  return {
    wake() {
      lastWake = Date.now();
      if (timer) return;
      timer = setInterval(tick, options.intervalMs);
      timer.unref();
    },
    stop,
  };
}
