import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invalidUtf8At, Utf8Validator } from '../../../src/wire/index.ts';
import { utf8Bytes } from './conversation.ts';

describe('UTF-8 validation', () => {
  it('accepts ASCII, 2-, 3- and 4-byte characters', () => {
    assert.equal(invalidUtf8At(utf8Bytes('Hello, Привет, 你好, 𝄞 ✓')), -1);
  });

  it('points at the first byte that cannot continue the sequence', () => {
    assert.equal(invalidUtf8At(Uint8Array.from([0x61, 0xc3, 0x28])), 2);
    assert.equal(invalidUtf8At(Uint8Array.from([0x61, 0x80])), 1);
  });

  it('rejects overlong forms, surrogates, code points past U+10FFFF, C0/C1 and F5–FF', () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf0, 0x80, 0x80, 0xaf],
      [0xc1, 0xbf],
      [0xf5],
      [0xff],
    ]) {
      assert.notEqual(invalidUtf8At(Uint8Array.from(bad)), -1, bad.map((b) => b.toString(16)).join(' '));
    }
  });

  it('reports a character cut off at the end at the end', () => {
    assert.equal(invalidUtf8At(Uint8Array.from([0x61, 0xe2, 0x82])), 3);
  });

  it('checks a character split over writes as one sequence', () => {
    const euro = utf8Bytes('€');
    const v = new Utf8Validator();
    assert.equal(v.write(euro.subarray(0, 1)), -1);
    assert.equal(v.complete, false);
    assert.equal(v.write(euro.subarray(1)), -1);
    assert.equal(v.complete, true);
  });
});
