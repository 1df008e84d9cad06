/**
 * The pieces of HTTP/1.1 message framing (RFC 9112) the boundary trackers
 * need: reading a line across chunks, noting the headers that decide where a
 * body ends, and counting a body's bytes — fixed length or chunked — without
 * keeping them.
 */

const LF = 10;
/** Longest line (request line, header, chunk size) we follow; Node refuses heads far shorter. */
const MAX_LINE = 64 * 1024;

/** Collects one CRLF- (or LF-) terminated line across chunks, as latin1 text. */
export class LineReader {
  text = '';
  tooLong = false;

  /** Consumes up to and including the next LF; returns the position after it, or -1 if the line continues. */
  read(chunk: Buffer, pos: number): number {
    const lf = chunk.indexOf(LF, pos);
    const stop = lf === -1 ? chunk.length : lf + 1;
    if (this.text.length + (stop - pos) > MAX_LINE) {
      this.tooLong = true;
      return -1;
    }
    this.text += chunk.toString('latin1', pos, stop);
    return lf === -1 ? -1 : stop;
  }

  /** Returns the completed line without its line ending, and starts a new one. */
  take(): string {
    let end = this.text.length - 1; // the LF
    if (end > 0 && this.text.charCodeAt(end - 1) === 13) end -= 1;
    const line = this.text.slice(0, end);
    this.text = '';
    return line;
  }
}

/** The framing headers of one message head (RFC 9112 §6.1–6.3). */
export class Framing {
  contentLength = -1;
  chunked = false;
  otherCoding = false;
  upgrade = false;
  connectionUpgrade = false;
  bad = false;
  /** Set by `wholeLine` on the empty line that ends the head. */
  ended = false;

  reset(): void {
    this.contentLength = -1;
    this.chunked = this.otherCoding = this.upgrade = this.connectionUpgrade = this.bad = this.ended = false;
  }

  /**
   * Reads the header line at `pos` straight from the bytes when it lies whole
   * in `chunk`; returns the position after it, or -1 when it goes on in the
   * next chunk (use a LineReader then). Only framing headers become strings:
   * heads are read on every request, most of their lines are not ours.
   */
  wholeLine(chunk: Buffer, pos: number): number {
    // One pass in JS: cheaper than two native indexOf calls on lines this short.
    const limit = Math.min(chunk.length, pos + MAX_LINE);
    let colon = -1;
    let lf = pos;
    for (; lf < limit; lf++) {
      const c = chunk[lf];
      if (c === LF) break;
      if (c === 58 /* : */ && colon === -1) colon = lf;
    }
    if (lf === limit) return -1;
    const end = lf > pos && chunk[lf - 1] === 13 ? lf - 1 : lf;
    if (end === pos) {
      this.ended = true;
      return lf + 1;
    }
    const nameLength = colon === -1 ? -1 : colon - pos;
    if (nameLength <= 0) this.bad = true;
    else if (nameLength === 14 || nameLength === 17 || nameLength === 7 || nameLength === 10) {
      this.header(chunk.toString('latin1', pos, end));
    }
    return lf + 1;
  }

  /** Notes one header line if it is a framing header; marks the head bad if one is malformed. */
  header(line: string): void {
    const colon = line.indexOf(':');
    if (colon <= 0) {
      this.bad = true; // RFC 9112 §5: field-name ":" OWS field-value OWS
      return;
    }
    if (colon !== 14 && colon !== 17 && colon !== 7 && colon !== 10) return;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      // Node's parser (llhttp) refuses a second Content-Length, even an equal one.
      if (!/^\d{1,15}$/.test(value) || this.contentLength !== -1) this.bad = true;
      else this.contentLength = Number(value);
    } else if (name === 'transfer-encoding') {
      const codings = value.toLowerCase().split(',');
      const last = (codings[codings.length - 1] ?? '').trim();
      // RFC 9112 §6.3: only a final "chunked" frames the body; any other coding runs to close.
      this.chunked = last === 'chunked';
      this.otherCoding = !this.chunked;
    } else if (name === 'upgrade') {
      this.upgrade = true;
    } else if (name === 'connection') {
      if (/(^|,)\s*upgrade\s*(,|$)/i.test(value)) this.connectionUpgrade = true;
    }
  }
}

/** What a chunked body waits for next. */
const Phase = { SIZE: 0, EXTENSION: 1, DATA: 2, DATA_END: 3, TRAILER: 4 } as const;

/** Returns the value of an ASCII hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/**
 * Counts the bytes of one message body: a fixed length, or chunked coding
 * (RFC 9112 §7.1). Byte by byte, building no strings: on a stream this runs
 * for every chunk.
 */
export class BodyCounter {
  private chunked = false;
  private remaining = 0;
  private phase: number = Phase.SIZE;
  private digits = 0;
  /** Bytes in the line being read (size line, trailer field), to bound it. */
  private lineLength = 0;
  /** The trailer line being read has nothing but CR so far. */
  private blank = true;
  done = false;
  failed = false;

  /** Starts a body of `length` bytes. */
  fixed(length: number): void {
    this.chunked = false;
    this.remaining = length;
    this.done = length === 0;
    this.failed = false;
  }

  /** Starts a chunked body. */
  chunkedBody(): void {
    this.chunked = true;
    this.phase = Phase.SIZE;
    this.remaining = this.digits = this.lineLength = 0;
    this.done = this.failed = false;
  }

  /** Consumes body bytes from `pos`; returns the position after them (`done` says if the body ended). */
  consume(chunk: Buffer, pos: number): number {
    const end = chunk.length;
    if (!this.chunked) {
      const n = Math.min(this.remaining, end - pos);
      this.remaining -= n;
      this.done = this.remaining === 0;
      return pos + n;
    }
    while (pos < end && !this.done && !this.failed) {
      if (this.phase === Phase.DATA) {
        const n = Math.min(this.remaining, end - pos);
        this.remaining -= n;
        pos += n;
        if (this.remaining === 0) this.phase = Phase.DATA_END;
        continue;
      }
      const c = chunk[pos++]!;
      if (++this.lineLength > MAX_LINE) this.failed = true;
      if (this.phase === Phase.SIZE) {
        // chunk-size = 1*HEXDIG, then [ BWS ";" chunk-ext ] CRLF
        const v = hexValue(c);
        if (v >= 0 && this.digits < 13) {
          this.remaining = this.remaining * 16 + v;
          this.digits += 1;
        } else if (c === 59 /* ; */ || c === 32 || c === 9 || c === 13) {
          this.phase = Phase.EXTENSION;
        } else if (c === LF) {
          this.endSizeLine();
        } else {
          this.failed = true;
        }
      } else if (c !== LF) {
        if (c !== 13) this.blank = false; // extension, stray byte before CRLF, or a trailer field: skipped
      } else if (this.phase === Phase.EXTENSION) {
        this.endSizeLine();
      } else if (this.phase === Phase.DATA_END) {
        this.phase = Phase.SIZE; // the CRLF after chunk-data
        this.lineLength = 0;
      } else if (this.blank) {
        this.done = true; // TRAILER: an empty line ends the trailer section, and the body
      } else {
        this.lineLength = 0; // a trailer field ended; more may follow
        this.blank = true;
      }
    }
    return pos;
  }

  private endSizeLine(): void {
    if (this.digits === 0) {
      this.failed = true;
      return;
    }
    this.phase = this.remaining === 0 ? Phase.TRAILER : Phase.DATA;
    this.digits = 0;
    this.lineLength = 0;
    this.blank = true;
  }
}
