/** Assertions on a check's verdict (src/checks/types.ts), for the tests of lessons' checks. */
import assert from 'node:assert/strict';
import type { Verdict } from '../../src/checks/types.ts';

/** Asserts a failing verdict whose English and Chinese messages both match. */
export function assertFails(v: Verdict, en: RegExp, zh: RegExp): void {
  assert.notEqual(v, true, 'the check must not pass');
  if (v === true) return;
  assert.match(v.en, en);
  assert.match(v.zh, zh);
}
