/**
 * Raw DEFLATE (RFC 1951) decompression, synchronous and in plain TypeScript, after Mark Adler's
 * puff.c: the inspector shows permessage-deflate messages (RFC 7692) inflated as it decodes them,
 * and the browser's DecompressionStream is async. Clarity over speed: Huffman codes are decoded
 * bit by bit, and output is capped by the caller.
 */
import { concat } from './bytes.ts';

const MAX_BITS = 15;
/** RFC 1951 §2: back-references reach at most 32 KiB. */
const WINDOW = 32768;

// RFC 1951 §3.2.5: base lengths and extra bits for length codes 257–285, distance codes 0–29.
const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
// RFC 1951 §3.2.7: order in which code-length code lengths are sent.
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** A canonical Huffman code: how many codes of each length, and the symbols in code order. */
interface Huffman {
  count: Uint16Array;
  symbol: Uint16Array;
}

class InflateError extends Error {}
class OutputLimit extends InflateError {}

/** Returns the code for `lengths`; `left` > 0 means incomplete, < 0 over-subscribed (puff.c construct). */
function huffman(lengths: ArrayLike<number>): { code: Huffman; left: number } {
  const count = new Uint16Array(MAX_BITS + 1);
  const symbol = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) count[lengths[s]!]!++;
  if (count[0] === lengths.length) return { code: { count, symbol }, left: 0 };
  let left = 1;
  for (let len = 1; len <= MAX_BITS; len++) {
    left = (left << 1) - count[len]!;
    if (left < 0) return { code: { count, symbol }, left };
  }
  const offs = new Uint16Array(MAX_BITS + 1);
  for (let len = 1; len < MAX_BITS; len++) offs[len + 1] = offs[len]! + count[len]!;
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s]!;
    if (len !== 0) symbol[offs[len]!++] = s;
  }
  return { code: { count, symbol }, left };
}

// RFC 1951 §3.2.6: the fixed codes.
const FIXED_LENGTH = huffman(
  Array.from({ length: 288 }, (_, s) => (s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8)),
).code;
const FIXED_DIST = huffman(new Array<number>(30).fill(5)).code;

export interface InflateResult {
  /** Why decoding stopped early; the output before it was delivered. */
  error?: string;
  /** True when a block with BFINAL set was decoded. */
  final: boolean;
  /** Bytes produced by this call. */
  outputBytes: number;
  /** True when it stopped because the output reached `maxOutput`. */
  tooBig?: boolean;
}

/**
 * An inflater that keeps the last 32 KiB of output between calls, which is how permessage-deflate
 * "context takeover" works (RFC 7692 §7.2.1): a message may refer back into the previous ones.
 */
export class RawInflater {
  private readonly ring = new Uint8Array(WINDOW);
  private pos = 0;
  private filled = 0;
  // Per-call state.
  private input: Uint8Array = new Uint8Array(0);
  private at = 0;
  private bitBuf = 0;
  private bitCount = 0;
  private staging = new Uint8Array(16384);
  private staged = 0;
  private produced = 0;
  private maxOutput = Number.POSITIVE_INFINITY;
  private onOutput: (chunk: Uint8Array) => void = () => {};

  /** Forgets the window: the next call may not refer to earlier output (no context takeover). */
  reset(): void {
    this.pos = 0;
    this.filled = 0;
  }

  /**
   * Decodes `input` (whole blocks; it may end after any block without BFINAL, as a
   * permessage-deflate message does once 00 00 ff ff is appended) and passes the output to
   * `onOutput` in pieces. Returns what happened; past `maxOutput` bytes it stops with an error.
   */
  inflate(
    input: Uint8Array,
    onOutput: (chunk: Uint8Array) => void,
    maxOutput = Number.POSITIVE_INFINITY,
  ): InflateResult {
    this.input = input;
    this.at = 0;
    this.bitBuf = 0;
    this.bitCount = 0;
    this.staged = 0;
    this.produced = 0;
    this.maxOutput = maxOutput;
    this.onOutput = onOutput;
    let final = false;
    try {
      // Input that ends on a block boundary ends the data (the leftover bits are padding).
      while (!final && this.at < input.length) {
        final = this.bits(1) === 1;
        const type = this.bits(2);
        if (type === 0) this.stored();
        else if (type === 1) this.codes(FIXED_LENGTH, FIXED_DIST);
        else if (type === 2) this.dynamic();
        else throw new InflateError('block type 3 is reserved (RFC 1951 §3.2.3)');
      }
      this.flush();
      return { final, outputBytes: this.produced };
    } catch (e) {
      this.flush();
      if (!(e instanceof InflateError)) throw e;
      const result: InflateResult = { error: e.message, final, outputBytes: this.produced };
      if (e instanceof OutputLimit) result.tooBig = true;
      return result;
    }
  }

  private bits(n: number): number {
    let value = this.bitBuf;
    while (this.bitCount < n) {
      if (this.at >= this.input.length)
        throw new InflateError('compressed data ends in the middle of a block');
      value |= this.input[this.at++]! << this.bitCount;
      this.bitCount += 8;
    }
    this.bitBuf = value >>> n;
    this.bitCount -= n;
    return value & ((1 << n) - 1);
  }

  /** RFC 1951 §3.2.4: byte-aligned LEN, NLEN (its complement), then LEN literal bytes. */
  private stored(): void {
    this.bitBuf = 0;
    this.bitCount = 0;
    if (this.at + 4 > this.input.length)
      throw new InflateError('compressed data ends in a stored block header');
    const b = this.input;
    const len = b[this.at]! | (b[this.at + 1]! << 8);
    const nlen = b[this.at + 2]! | (b[this.at + 3]! << 8);
    if (len !== (~nlen & 0xffff))
      throw new InflateError('stored block LEN does not match NLEN (RFC 1951 §3.2.4)');
    this.at += 4;
    if (this.at + len > b.length) throw new InflateError('compressed data ends inside a stored block');
    for (let i = 0; i < len; i++) this.put(b[this.at + i]!);
    this.at += len;
  }

  /** RFC 1951 §3.2.7: code lengths sent with a code-length code, then the block. */
  private dynamic(): void {
    const nlen = this.bits(5) + 257;
    const ndist = this.bits(5) + 1;
    const ncode = this.bits(4) + 4;
    if (nlen > 286 || ndist > 30) throw new InflateError('too many length or distance codes');
    const lengths = new Uint8Array(nlen + ndist);
    const clen = new Uint8Array(19);
    for (let i = 0; i < ncode; i++) clen[CODE_LENGTH_ORDER[i]!] = this.bits(3);
    const lencode = huffman(clen);
    if (lencode.left !== 0) throw new InflateError('incomplete code-length code');
    let index = 0;
    while (index < nlen + ndist) {
      let symbol = this.decode(lencode.code);
      if (symbol < 16) {
        lengths[index++] = symbol;
        continue;
      }
      let len = 0;
      if (symbol === 16) {
        if (index === 0) throw new InflateError('repeat with no previous length');
        len = lengths[index - 1]!;
        symbol = 3 + this.bits(2);
      } else if (symbol === 17) symbol = 3 + this.bits(3);
      else symbol = 11 + this.bits(7);
      if (index + symbol > nlen + ndist) throw new InflateError('too many code lengths');
      while (symbol--) lengths[index++] = len;
    }
    if (lengths[256] === 0) throw new InflateError('no end-of-block code');
    const lit = huffman(lengths.subarray(0, nlen));
    // puff.c: an incomplete code is allowed only when it has a single code.
    if (lit.left < 0 || (lit.left > 0 && nlen !== lit.code.count[0]! + lit.code.count[1]!)) {
      throw new InflateError('bad literal/length code');
    }
    const dist = huffman(lengths.subarray(nlen));
    if (dist.left < 0 || (dist.left > 0 && ndist !== dist.code.count[0]! + dist.code.count[1]!)) {
      throw new InflateError('bad distance code');
    }
    this.codes(lit.code, dist.code);
  }

  /** RFC 1951 §3.2.5: literals, and (length, distance) copies, until end-of-block (256). */
  private codes(lit: Huffman, dist: Huffman): void {
    for (;;) {
      let symbol = this.decode(lit);
      if (symbol < 256) this.put(symbol);
      else if (symbol === 256) return;
      else {
        symbol -= 257;
        if (symbol >= 29) throw new InflateError('invalid length code');
        const len = LENGTH_BASE[symbol]! + this.bits(LENGTH_EXTRA[symbol]!);
        const d = this.decode(dist);
        if (d >= 30) throw new InflateError('invalid distance code');
        const distance = DIST_BASE[d]! + this.bits(DIST_EXTRA[d]!);
        if (distance > this.filled) throw new InflateError('distance refers before the start of the window');
        let from = (this.pos - distance) & (WINDOW - 1);
        for (let i = 0; i < len; i++) {
          this.put(this.ring[from]!);
          from = (from + 1) & (WINDOW - 1);
        }
      }
    }
  }

  /** Returns the next symbol of `h`, reading one bit at a time (canonical code, puff.c decode). */
  private decode(h: Huffman): number {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= MAX_BITS; len++) {
      code |= this.bits(1);
      const count = h.count[len]!;
      if (code - count < first) return h.symbol[index + (code - first)]!;
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new InflateError('invalid Huffman code');
  }

  private put(byte: number): void {
    if (this.produced >= this.maxOutput) throw new OutputLimit(`output larger than ${this.maxOutput} bytes`);
    this.ring[this.pos] = byte;
    this.pos = (this.pos + 1) & (WINDOW - 1);
    if (this.filled < WINDOW) this.filled++;
    this.staging[this.staged++] = byte;
    this.produced++;
    if (this.staged === this.staging.length) this.flush();
  }

  private flush(): void {
    if (this.staged === 0) return;
    this.onOutput(this.staging.slice(0, this.staged));
    this.staged = 0;
  }
}

/** Returns the inflated bytes of a whole raw DEFLATE stream; throws with the reason if it is invalid. */
export function inflateRaw(input: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const result = new RawInflater().inflate(input, (chunk) => {
    parts.push(chunk);
  });
  if (result.error) throw new Error(result.error);
  return concat(parts);
}
