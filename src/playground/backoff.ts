/**
 * How long a page waits before it reconnects a channel of ours (the inspector channel, the class
 * channel, the checks' capture): exponential backoff with full jitter.
 *
 * When the server restarts or the Wi-Fi blinks, every page in a class loses its sockets at the
 * same moment. With fixed delays (or exponential ones without jitter) they would all come back at
 * the same moments too, hundreds of handshakes at once, each wave as big as the class. Full jitter
 * draws each wait uniformly from 0 up to the exponential ceiling, so the class spreads itself
 * over the whole interval ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015).
 */

export interface BackoffOptions {
  /** Ceiling of the first wait, in ms. */
  baseMs: number;
  /** Largest ceiling, in ms: the ceiling doubles each attempt up to this. */
  capMs: number;
  /** A number in [0, 1): Math.random by default; tests inject their own. */
  random?: () => number;
}

export interface Backoff {
  /** The wait before the next attempt, in ms; counts the attempt. */
  next(): number;
  /** A connection was good: the next wait starts from `baseMs` again. */
  reset(): void;
  /** Attempts since the last reset. */
  readonly attempt: number;
}

/** The ceiling of attempt `attempt` (0 first): `baseMs × 2^attempt`, at most `capMs`. */
export function backoffCeiling(attempt: number, baseMs: number, capMs: number): number {
  // 2^31 is past any cap in ms: stop doubling there so the number never overflows to Infinity.
  return Math.min(capMs, baseMs * 2 ** Math.min(attempt, 31));
}

/** A backoff that starts at attempt 0. */
export function createBackoff({ baseMs, capMs, random = Math.random }: BackoffOptions): Backoff {
  let attempt = 0;
  return {
    next() {
      const ceiling = backoffCeiling(attempt, baseMs, capMs);
      attempt += 1;
      return Math.floor(random() * ceiling);
    },
    reset() {
      attempt = 0;
    },
    get attempt() {
      return attempt;
    },
  };
}
