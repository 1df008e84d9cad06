/**
 * Long polls while messages flow (`pollBatchMs`, docs/lab-api.md "GET poll"): a held poll whose
 * first new message follows the one before closely gathers what comes next into one answer; a
 * lone message is answered at once, alone; `since=` loses and repeats nothing either way.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { newSession, startLab } from './lab-harness.ts';
import { raw, request, sleep } from './lab-wire.ts';

// A wide window, so a slow machine still sends a burst within it.
const batching = await startLab({ tickIntervalMs: 3_600_000, pollBatchMs: 2_000 });
// A window no test would sit through: a poll that waited for it would time the test out.
const patient = await startLab({ tickIntervalMs: 3_600_000, pollBatchMs: 600_000 });
after(async () => {
  await batching.close();
  await patient.close();
});

type Lab = typeof batching;
const get = (lab: Lab, path: string) => raw(lab.port, request('GET', path));
const send = (lab: Lab, id: string, text: string) =>
  raw(lab.port, request('POST', `/lab/${id}/send`, { 'Content-Type': 'text/plain' }, text));
const answer = (r: { body: Buffer }) =>
  JSON.parse(r.body.toString()) as { messages: Array<{ id: number; data: string }>; last: number };

test('a lone message comes back at once, alone, however wide the batching window', {
  timeout: 30_000,
}, async () => {
  const id = newSession();
  const held = get(patient, `/lab/${id}/poll?since=0&timeout=60000`);
  await sleep(100);
  await send(patient, id, 'alone');
  const r = await held; // had it waited for the 10-minute window, the test would time out
  assert.equal(r.status, 200);
  assert.deepEqual(
    answer(r).messages.map((m) => [m.id, m.data]),
    [[1, 'alone']],
  );
});

test('messages arriving in a burst come back in one answer', { timeout: 30_000 }, async () => {
  const id = newSession();
  await send(batching, id, 'first');
  const held = get(batching, `/lab/${id}/poll?since=1&timeout=60000`);
  await sleep(100);
  // Each send waits for its own answer: without batching the held poll would take only "two".
  for (const text of ['two', 'three', 'four']) await send(batching, id, text);
  const r = await held;
  assert.equal(r.status, 200);
  assert.deepEqual(
    answer(r).messages.map((m) => [m.id, m.data]),
    [
      [2, 'two'],
      [3, 'three'],
      [4, 'four'],
    ],
  );
  assert.equal(answer(r).last, 4);
});

test('polling with since= while messages flow loses and repeats nothing, in fewer answers than messages', {
  timeout: 60_000,
}, async () => {
  const id = newSession();
  const total = 30;
  const sender = (async () => {
    for (let i = 1; i <= total; i++) {
      await send(batching, id, `m${i}`);
      await sleep(i % 3 === 0 ? 40 : 5);
    }
  })();
  const ids: number[] = [];
  let since = 0;
  let answers = 0;
  while (ids.length < total) {
    const r = await get(batching, `/lab/${id}/poll?since=${since}&timeout=20000`);
    if (r.status === 204) continue;
    const { messages, last } = answer(r);
    answers += 1;
    ids.push(...messages.map((m) => m.id));
    assert.equal(last, messages.at(-1)!.id, 'last is the newest id in the answer');
    since = last;
  }
  await sender;
  assert.deepEqual(
    ids,
    Array.from({ length: total }, (_, i) => i + 1),
  );
  assert.ok(answers <= total / 2, `${answers} answers for ${total} messages`);
});
