/**
 * How the panel writes durations: SI symbols below a minute in every language, minutes and
 * seconds in the page's own words from a minute on (a connection a class keeps open for an hour
 * reads 60 分 00 秒 on a Chinese page, not "60 min 00 s").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspectorStrings } from '../../../src/playground/inspector/strings.ts';
import { englishWords } from '../../helpers/english-words.ts';

const en = inspectorStrings('en');
const zh = inspectorStrings('zh');

test('below a minute a duration is a number and an SI symbol, the same in both languages', () => {
  const cases: [number, string][] = [
    [-5, '0 µs'],
    [840.4, '840 µs'],
    [1_500, '1.5 ms'],
    [12_345, '12 ms'],
    [1_254_000, '1.25 s'],
    [42_000_000, '42.0 s'],
  ];
  for (const [us, text] of cases) {
    assert.equal(en.duration(us), text, `${us} µs in English`);
    assert.equal(zh.duration(us), text, `${us} µs in Chinese`);
  }
});

test('from a minute on, minutes and two-digit seconds in the page language', () => {
  assert.equal(en.duration(61e6), '1 min 01 s');
  assert.equal(zh.duration(61e6), '1 分 01 秒');
  assert.equal(en.duration(185.4e6), '3 min 05 s');
  assert.equal(zh.duration(185.4e6), '3 分 05 秒');
  // Rounded to the second first: 119.6 s is two whole minutes, not "1 min 60 s".
  assert.equal(en.duration(119.6e6), '2 min 00 s');
  assert.equal(zh.duration(3600e6), '60 分 00 秒');
});

test('a Chinese duration has no English word in it', () => {
  for (const us of [61e6, 754e6, 3600e6, 5 * 3600e6]) {
    const text = zh.duration(us);
    assert.deepEqual(englishWords(text), [], text);
    assert.notEqual(englishWords(en.duration(us)).length, 0, 'the check finds "min" in English');
  }
});
