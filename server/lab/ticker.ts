/**
 * The made-up stock quote that ticks into a feed while someone listens.
 *
 * Prices follow from a seed alone (the session id or room code), so the same session sees the
 * same prices in every transport and after a restart: a learner can compare runs byte for byte.
 */

export interface Quote {
  readonly symbol: 'WIRE';
  readonly price: number;
}

/** 32-bit FNV-1a hash of a string: turns a session id into a PRNG seed. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a tiny seeded PRNG, good enough for a pretend market; returns numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
