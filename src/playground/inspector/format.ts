/** How the panel writes sizes, durations, times and bytes. */

/** Returns a byte count for people: 812 B, 4.1 KB, 1.25 MB. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1000 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MB`;
}

/** Writes whole minutes and seconds (the seconds two digits) in the page's words. */
export type MinutesFormat = (minutes: number, seconds: string) => string;

/**
 * Returns a duration given in µs: 840 µs, 12 ms, 1.25 s, 3 min 05 s. Units below a minute are
 * SI symbols, the same in every language; from a minute on, `minutes` writes it (the panel's
 * `inspector.duration.minutes`: 3 分 05 秒 on a Chinese page).
 */
export function formatDuration(us: number, minutes: MinutesFormat): string {
  if (us < 0) us = 0;
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1e6) return `${(us / 1000).toFixed(us < 10_000 ? 1 : 0)} ms`;
  if (us < 60e6) return `${(us / 1e6).toFixed(us < 10e6 ? 2 : 1)} s`;
  const s = Math.round(us / 1e6);
  return minutes(Math.floor(s / 60), String(s % 60).padStart(2, '0'));
}

/** Returns a time since the capture's start, in seconds with ms: +1.234 s. */
export function formatOffsetTime(us: number): string {
  return `+${(us / 1e6).toFixed(3)} s`;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Returns the two hex digits of a byte. */
export function hex2(b: number): string {
  return HEX[b & 0xff]!;
}

/** Returns bytes as hex pairs separated by spaces: `47 45 54`. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (i === 0 ? '' : ' ') + HEX[bytes[i]!]!;
  return s;
}

/** Returns the offset as hex, at least `width` digits. */
export function hexOffset(off: number, width: number): string {
  return off.toString(16).padStart(width, '0');
}

/** Names for the C0 controls the text column shows as a chip (the rest show as a dot). */
export const CONTROL_NAMES: Record<number, string> = { 13: 'CR', 10: 'LF', 9: 'HT', 0: 'NUL', 27: 'ESC' };

/**
 * The length of the UTF-8 sequence starting with `b` (2–4), or 0 when `b` cannot start one
 * (ASCII, a continuation byte, or a byte UTF-8 never uses).
 */
export function utf8SequenceLength(b: number): number {
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/** Whether `b` is a UTF-8 continuation byte (10xxxxxx). */
export function isContinuation(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

/**
 * Decodes the UTF-8 character whose first byte is at `off`, reading bytes with `at`
 * (which returns -1 for a byte it does not have). Returns the character and its byte
 * length, or null when the bytes there are not one well-formed character (RFC 3629 §4).
 */
export function utf8CharAt(at: (off: number) => number, off: number): { char: string; len: number } | null {
  const b0 = at(off);
  const len = utf8SequenceLength(b0);
  if (len === 0) return null;
  let cp = b0 & (len === 2 ? 0x1f : len === 3 ? 0x0f : 0x07);
  for (let i = 1; i < len; i++) {
    const b = at(off + i);
    if (b < 0 || !isContinuation(b)) return null;
    if (i === 1) {
      // Overlong and surrogate forms are not well formed (RFC 3629 §4).
      if (b0 === 0xe0 && b < 0xa0) return null;
      if (b0 === 0xed && b > 0x9f) return null;
      if (b0 === 0xf0 && b < 0x90) return null;
      if (b0 === 0xf4 && b > 0x8f) return null;
    }
    cp = (cp << 6) | (b & 0x3f);
  }
  return { char: String.fromCodePoint(cp), len };
}
