/**
 * The capture clock: monotonic microseconds since this module was loaded
 * (close to process start), plus the wall-clock time of that origin so a client
 * can turn a record's `t` into a date.
 *
 * Monotonic because wall clocks jump (NTP, DST, a teacher changing the laptop
 * clock); a timeline must never run backwards.
 */

const origin = process.hrtime.bigint();
/** Wall-clock ms at `origin`, measured once (the two clocks are read back to back). */
const originEpochMs = Date.now() - Number(process.hrtime.bigint() - origin) / 1e6;

/** Returns whole microseconds since the capture clock's origin. */
export function monoUs(): number {
  return Number((process.hrtime.bigint() - origin) / 1000n);
}

/**
 * Returns the server's clock as a pair read at the same moment: wall-clock ms
 * since the Unix epoch and the capture clock's µs. A record's wall time is
 * `epochMs + (t - monoUs) / 1000`.
 */
export function serverTime(): { epochMs: number; monoUs: number } {
  const us = monoUs();
  return { epochMs: Date.now(), monoUs: us };
}

/** Returns the wall-clock ms (Unix epoch) of monotonic time `t` µs, by the origin measured at start. */
export function epochMsOf(t: number): number {
  return originEpochMs + t / 1000;
}
