/**
 * Incremental UTF-8 validation (RFC 3629 §4), so a text message split over fragments — or a
 * multi-byte character split over reads — is checked as one sequence, and the first bad byte
 * is located rather than just detected.
 */
export class Utf8Validator {
  /** Continuation bytes still expected for the current character. */
  private need = 0;
  /** Allowed range of the next continuation byte (narrowed after E0, ED, F0, F4). */
  private lo = 0x80;
  private hi = 0xbf;

  /** Checks the next bytes; returns the index in `bytes` of the first invalid byte, or -1. */
  write(bytes: Uint8Array): number {
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i]!;
      if (this.need > 0) {
        if (c < this.lo || c > this.hi) return i;
        this.lo = 0x80;
        this.hi = 0xbf;
        this.need--;
      } else if (c >= 0x80) {
        // RFC 3629 §4: C0, C1 and F5–FF never appear; E0/F0 exclude overlongs, ED surrogates, F4 > U+10FFFF.
        if (c >= 0xc2 && c <= 0xdf) this.need = 1;
        else if (c >= 0xe0 && c <= 0xef) {
          this.need = 2;
          if (c === 0xe0) this.lo = 0xa0;
          if (c === 0xed) this.hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
          this.need = 3;
          if (c === 0xf0) this.lo = 0x90;
          if (c === 0xf4) this.hi = 0x8f;
        } else return i;
      }
    }
    return -1;
  }

  /** Returns true when no character is left unfinished. */
  get complete(): boolean {
    return this.need === 0;
  }
}

/** Returns the index of the first byte that makes `bytes` invalid UTF-8 (its length if it ends mid-character), or -1. */
export function invalidUtf8At(bytes: Uint8Array): number {
  const v = new Utf8Validator();
  const at = v.write(bytes);
  if (at >= 0) return at;
  return v.complete ? -1 : bytes.length;
}
