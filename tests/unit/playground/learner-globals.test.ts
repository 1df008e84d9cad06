/**
 * sha1() and base64(), which the runner gives learner code because crypto.subtle is missing
 * outside a secure context (plain http on a LAN address). Checked against node:crypto.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { base64, installLearnerGlobals, sha1 } from '../../../src/playground/learner-globals.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

test('sha1 hashes a string as its UTF-8 bytes, like TextEncoder then crypto.subtle would', () => {
  for (const text of [
    '',
    'abc',
    'dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11',
    'é 中文 🎉',
  ]) {
    assert.equal(hex(sha1(text)), createHash('sha1').update(text, 'utf8').digest('hex'));
  }
});

test('sha1 takes a Uint8Array, an ArrayBuffer or another view of bytes, and only the viewed bytes', () => {
  const bytes = new Uint8Array([0, 0x61, 0x62, 0x63, 0]);
  const abc = new Uint8Array(bytes.buffer, 1, 3);
  const expected = createHash('sha1').update('abc').digest('hex');
  assert.equal(hex(sha1(abc)), expected);
  assert.equal(hex(sha1(new DataView(bytes.buffer, 1, 3))), expected);
  assert.equal(hex(sha1(abc.slice().buffer)), expected);
  assert.equal(sha1(abc).length, 20);
});

test('base64 is standard base64 with padding, of bytes or of a string as UTF-8', () => {
  assert.equal(
    base64(sha1('dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11')),
    's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
  );
  assert.equal(base64('é'), 'w6k=');
  assert.equal(base64(new Uint8Array([0xfb, 0xff])), '+/8=');
  assert.equal(base64(''), '');
});

test('anything else is refused with a TypeError naming the function', () => {
  assert.throws(() => sha1(42 as unknown as string), { name: 'TypeError', message: /^sha1\(\) takes/ });
  assert.throws(() => base64(null as unknown as string), { name: 'TypeError', message: /^base64\(\) takes/ });
});

test('installed as writable, configurable globals, so learner code may declare its own', () => {
  const target = {} as Window;
  installLearnerGlobals(target);
  const own = Object.getOwnPropertyDescriptor(target, 'sha1');
  assert.equal(own?.writable, true);
  assert.equal(own?.configurable, true);
  assert.equal((target as unknown as { base64: typeof base64 }).base64, base64);
});
