/**
 * The native addon (server/native/malloc-trim) really gives glibc's free pages back: in a child
 * process, fragment the main arena the way a crowd's socket buffers do — many malloc'd buffers,
 * one in fifty kept alive — let V8 free the rest, then trim and read `[heap]` from smaps.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { mallocTrim, onGlibc } from '../../server/native/malloc-trim.ts';

const glibc = onGlibc();

test('on glibc the addon is built by the install and loads', { skip: !glibc && 'not glibc' }, () => {
  const m = mallocTrim();
  assert.equal(m.why, '');
  assert.equal(typeof m.trim, 'function');
  assert.equal(typeof m.trim?.(), 'boolean');
});

test('trimming gives back the free pages a fragmented heap keeps', { skip: !glibc && 'not glibc' }, () => {
  const child = `
    const { readFileSync } = require('node:fs');
    const heapKb = () => {
      const s = readFileSync('/proc/self/smaps', 'utf8');
      const at = s.indexOf('[heap]');
      return at < 0 ? 0 : Number(/Rss:\\s+(\\d+)/.exec(s.slice(at))[1]);
    };
    const keep = [];
    let all = [];
    for (let i = 0; i < 40000; i++) {
      const b = Buffer.allocUnsafeSlow(3000); // outside V8's heap: malloc, in glibc's main arena
      b[0] = 1;
      all.push(b);
      if (i % 50 === 0) keep.push(b);
    }
    const peak = heapKb();
    all = null;
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    const collected = heapKb();
    const released = process.argv[1] === 'trim' ? require(process.argv[2]).trim() : false;
    console.log(JSON.stringify({ peak, collected, after: heapKb(), released, kept: keep.length }));
  `;
  const addon = new URL('../../server/native/malloc-trim/build/Release/malloc_trim.node', import.meta.url)
    .pathname;
  const run = (mode: string) => {
    const r = spawnSync(process.execPath, ['--expose-gc', '-e', child, mode, addon], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { peak: number; collected: number; after: number; released: boolean };
  };
  const without = run('none');
  const trimmed = run('trim');
  assert.ok(without.peak > 50_000, `the arena grew: ${without.peak} KiB`);
  assert.ok(
    without.collected > without.peak * 0.8,
    `collected but not trimmed, glibc keeps nearly all of it: ${JSON.stringify(without)}`,
  );
  assert.equal(trimmed.released, true);
  assert.ok(trimmed.collected > trimmed.peak * 0.8, `the same before the trim: ${JSON.stringify(trimmed)}`);
  assert.ok(trimmed.after < trimmed.peak / 4, `trimmed, most goes back: ${JSON.stringify(trimmed)}`);
});
