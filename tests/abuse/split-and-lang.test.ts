/**
 * `stream?split=` and `lang=` from the outside: every bad value is a 400 naming the option, what
 * it got and what it expects, before anything runs; the smallest pieces cannot keep a stream past
 * its bounds; the server keeps serving everyone else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { raw, request } from '../server/lab-wire.ts';
import { assertStillServes } from './still-serves.ts';

const s = await startTestServer({ tickIntervalMs: 3_600_000, maxStreamMs: 1_000, splitGapMs: 20 });
const get = (path: string) => raw(s.port, request('GET', path), { timeoutMs: 15_000 });

const badSplits = [
  '0',
  '-1',
  'abc',
  '',
  '10000',
  '07',
  '7,',
  ',7',
  '1.5',
  '1e3',
  '1,2,3,4,5,6,7,8,9',
  'RANDOM',
  'random,7',
  '%E2%80%8B7',
  '9'.repeat(5_000),
];

for (const value of badSplits) {
  test(`stream?split=${value.slice(0, 24)}${value.length > 24 ? '…' : ''} is a 400 that names split and what it expects`, async () => {
    const r = await get(`/lab/${newSessionId()}/stream?split=${value}`);
    assert.equal(r.status, 400);
    const text = r.body.toString();
    assert.match(text, /^Bad query parameter split=/);
    assert.match(text, /"random", or 1 to 8 piece sizes in bytes from 1 to 9999/);
  });
}

test('split given twice is a 400 naming split', async () => {
  const r = await get(`/lab/${newSessionId()}/stream?split=7&split=random`);
  assert.equal(r.status, 400);
  assert.match(r.body.toString(), /Query parameter split is given 2 times; give it once\./);
});

test('split with buffer=1 is a 400 naming both: one write cannot also be many', async () => {
  const r = await get(`/lab/${newSessionId()}/stream?split=7&buffer=1`);
  assert.equal(r.status, 400);
  assert.match(r.body.toString(), /split="7" and buffer=1 do not go together/);
});

for (const [endpoint, value] of [
  ['time', 'fr'],
  ['time', 'ZH'],
  ['time', ''],
  ['stream', 'zh-CN'],
] as const) {
  test(`${endpoint}?lang=${value} is a 400 that names lang and the languages there are`, async () => {
    const r = await get(`/lab/${newSessionId()}/${endpoint}?lang=${value}`);
    assert.equal(r.status, 400);
    assert.equal(r.body.toString(), `Bad query parameter lang="${value}": expected one of "en", "zh".\n`);
  });
}

test('1-byte pieces cannot hold a stream past maxStreamMs: the rest goes at once, then the reason', async () => {
  // 500 messages × ~45 bytes in 1-byte pieces 20 ms apart would take over seven minutes.
  const r = await get(`/lab/${newSessionId()}/stream?lang=zh&interval=0&count=500&split=1`);
  assert.equal(r.status, 200);
  assert.equal(r.end, 'complete', 'a proper end, with the last chunk');
  const lines = r.body.toString().trim().split('\n');
  assert.deepEqual(JSON.parse(lines.at(-1)!), { ended: 'bound maxStreamMs (1000) reached — stream ended' });
  assert.equal(lines.length - 1, 500, 'every message arrived whole before the reason');
  assert.ok(
    r.chunks.filter((c) => c.data.length === 1).length > 10,
    'the start of the stream went out in 1-byte chunks',
  );
  await assertStillServes(s.port);
});
