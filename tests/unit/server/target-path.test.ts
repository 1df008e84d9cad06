/**
 * A request target's path and query read without a URL object must be exactly what a URL object
 * reads: the router, the lab and the capture decide whose bytes are whose from them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partsOfTarget, pathOfTarget } from '../../../server/target-path.ts';

const BASE = 'http://wire-lab.invalid';

function viaUrl(target: string): { pathname: string; query: [string, string][] } | null {
  try {
    const url = new URL(target, BASE);
    return { pathname: url.pathname, query: [...url.searchParams] };
  } catch {
    return null;
  }
}

function viaParts(target: string): { pathname: string; query: [string, string][] } | null {
  try {
    const parts = partsOfTarget(target);
    return { pathname: parts.pathname, query: [...parts.searchParams] };
  } catch {
    return null;
  }
}

function assertSame(target: string): void {
  const want = viaUrl(target);
  assert.deepEqual(viaParts(target), want, JSON.stringify(target));
  assert.equal(pathOfTarget(target), want?.pathname ?? null, JSON.stringify(target));
}

test('plain lab targets read as a URL reads them', () => {
  for (const target of [
    '/lab/abc123/poll?room=a&since=12',
    '/lab/abc123/sse',
    '/lab/abc123/mine/orders/7?sort=desc&x=%E4%B8%AD',
    '/lab/a/poll?q=a+b&q=c',
    '/',
    '/?',
    '/lab/a/poll?',
    '/lab/a/file.txt?x=1',
    "/lab/a/x(1)*,;=:@!$&'~/y",
  ]) {
    assertSame(target);
  }
});

test('targets a URL parser changes are read by one', () => {
  for (const target of [
    '/lab/../lab/a/poll',
    '/x/./lab/a/poll',
    '/lab/a/%2e%2e/b/poll',
    '/lab/a/.%2E/poll',
    '//evil.example/lab/a/poll',
    '/lab\\a\\poll',
    'http://other.example/lab/a/poll?room=z',
    '/lab/a/poll#frag?x=1',
    '/lab/a/poll?x=1#frag',
    '/lab/a b/poll',
    '/lab/a/poll?x=a b',
    '/lab/a/\tpoll',
    '/lab/a/poll?x=\t1',
    '/lab/{a}/poll',
    '/lab/a/"q"/<x>/`y`',
    '/lab/é/中?名=值',
    '/lab/a/poll?x=%zz',
    '/lab/a/poll/.',
    '/lab/a/poll/..',
    'http://[::1',
    '',
    '*',
  ]) {
    assertSame(target);
  }
});

test('ten thousand made-up targets read alike both ways', () => {
  const alphabet = [
    '/',
    '.',
    '%',
    '2',
    'e',
    'E',
    '\\',
    '?',
    '#',
    '&',
    '=',
    '+',
    ' ',
    '\t',
    '{',
    '"',
    "'",
    'é',
    '中',
    'a',
    'b',
    '-',
    ':',
    '@',
    '~',
    '\x00',
    '\x7f',
    '%2',
    '%2e',
  ];
  let seed = 12_345;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < 10_000; i++) {
    let target = next() < 0.9 ? '/' : '';
    const length = Math.floor(next() * 16);
    for (let k = 0; k < length; k++) target += alphabet[Math.floor(next() * alphabet.length)];
    assertSame(target);
  }
});
