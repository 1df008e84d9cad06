import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants, deflateRawSync } from 'node:zlib';
import { inflateRaw, RawInflater } from '../../../src/wire/index.ts';
import { prng, utf8Bytes } from './conversation.ts';

const text = utf8Bytes(
  Array.from(
    { length: 400 },
    (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog ${i % 7} — ☃\n`,
  ).join(''),
);
const random = (n: number, seed: number) => {
  const r = prng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
};

/** Returns everything one inflate call produced, and its result. */
function run(inflater: RawInflater, input: Uint8Array, max?: number) {
  const parts: Uint8Array[] = [];
  const result = inflater.inflate(input, (c) => parts.push(c), max);
  return { out: Buffer.concat(parts), result };
}

describe('raw DEFLATE inflater', () => {
  it('inflates what zlib deflates at every level', () => {
    for (let level = 0; level <= 9; level++) {
      assert.deepEqual(inflateRaw(deflateRawSync(text, { level })), text, `level ${level}`);
    }
  });

  it('inflates fixed-Huffman, Huffman-only and RLE blocks', () => {
    for (const strategy of [
      constants.Z_FIXED,
      constants.Z_HUFFMAN_ONLY,
      constants.Z_RLE,
      constants.Z_FILTERED,
    ]) {
      assert.deepEqual(inflateRaw(deflateRawSync(text, { strategy })), text, `strategy ${strategy}`);
    }
  });

  it('inflates stored blocks of incompressible data larger than one block', () => {
    const data = random(150_000, 7);
    assert.deepEqual(inflateRaw(deflateRawSync(data, { level: 0 })), data);
    assert.deepEqual(inflateRaw(deflateRawSync(data)), data);
  });

  it('inflates an empty stream and a single byte', () => {
    assert.deepEqual(inflateRaw(deflateRawSync(new Uint8Array(0))), new Uint8Array(0));
    assert.deepEqual(inflateRaw(deflateRawSync(Uint8Array.of(42))), Uint8Array.of(42));
  });

  it('follows back-references up to 32 KiB away', () => {
    const block = random(30_000, 3);
    const data = Buffer.concat([block, random(2000, 4), block]);
    assert.deepEqual(inflateRaw(deflateRawSync(data, { level: 9 })), new Uint8Array(data));
  });

  it('inflates the RFC 7692 §7.2.3.1 "Hello" once 00 00 ff ff is appended', () => {
    const out = inflateRaw(Uint8Array.of(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff));
    assert.equal(new TextDecoder().decode(out), 'Hello');
  });

  it('keeps the window between calls, so a message may refer back into the previous one', () => {
    const first = utf8Bytes('{"type":"chat","room":"lobby","text":"hello everyone"}');
    const second = utf8Bytes('{"type":"chat","room":"lobby","text":"hello again"}');
    const inflater = new RawInflater();
    assert.deepEqual(run(inflater, deflateRawSync(first)).out, Buffer.from(first));
    // zlib with the first message as its dictionary produces what a context-takeover sender would.
    const secondCompressed = deflateRawSync(second, { dictionary: first });
    assert.deepEqual(run(inflater, secondCompressed).out, Buffer.from(second));
  });

  it('after reset() a reference into earlier output is an error', () => {
    const first = utf8Bytes('a shared prefix that the second message repeats');
    const inflater = new RawInflater();
    run(inflater, deflateRawSync(first));
    inflater.reset();
    const { result } = run(inflater, deflateRawSync(first, { dictionary: first }));
    assert.match(result.error ?? '', /distance refers before the start of the window/);
  });

  it('reports corrupt input instead of throwing', () => {
    assert.match(run(new RawInflater(), Uint8Array.of(0x07)).result.error ?? '', /block type 3 is reserved/);
    assert.match(
      run(new RawInflater(), Uint8Array.of(0x01, 0x05, 0x00, 0x00, 0x00)).result.error ?? '',
      /LEN does not match NLEN/,
    );
    const truncated = deflateRawSync(text).subarray(0, 100);
    assert.match(run(new RawInflater(), truncated).result.error ?? '', /ends in the middle of a block/);
  });

  it('stops at maxOutput: a deflate bomb stays cheap', () => {
    const bomb = deflateRawSync(new Uint8Array(5_000_000));
    const { out, result } = run(new RawInflater(), bomb, 100_000);
    assert.equal(result.tooBig, true);
    assert.equal(out.length, 100_000);
  });
});
