/**
 * Long polls while messages flow (`pollBatchMs`, docs/lab-api.md "GET poll"): a held poll whose
 * first new message follows the one before closely gathers what comes next into one answer; a
 * lone message is answered at once, alone; `since=` loses and repeats nothing either way. A
 * crowd of held polls coming due together is answered over several turns (`turnBudgetMs`,
 * server/turns.ts), every one of them with every message.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { newSession, startLab } from './lab-harness.ts';
import { raw, request, sleep } from './lab-wire.ts';

// A wide window, so a slow machine still sends a burst within it.
const batching = await startLab({ tickIntervalMs: 3_600_000, pollBatchMs: 2_000 });
// A window no test would sit through: a poll that waited for it would time the test out.
const patient = await startLab({ tickIntervalMs: 3_600_000, pollBatchMs: 600_000 });
// A class's polls, with a budget a turn that a crowd's answers are sure to overrun.
const crowded = await startLab({ tickIntervalMs: 3_600_000, pollBatchMs: 4_000, turnBudgetMs: 1 });
after(async () => {
  await batching.close();
  await patient.close();
  await crowded.close();
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

test('a crowd of held polls due together is answered over turns, each with every message once', {
  timeout: 60_000,
}, async () => {
  const room = `crowd${newSession()
    .slice(0, 8)
    .replace(/[^A-Za-z0-9]/g, 'x')}`;
  const crowd = 150;
  const ids = Array.from({ length: crowd }, () => newSession());
  const sendRoom = (text: string) =>
    raw(
      crowded.port,
      request('POST', `/lab/${ids[0]}/send?room=${room}`, { 'Content-Type': 'text/plain' }, text),
    );
  await sendRoom('before');
  // Every poll is held after message 1; message 2 follows 1 closely, so each starts gathering
  // at the same moment and all come due together 4 s later: 150 answers of 1 ms budget a turn.
  const held = ids.map((id) => get(crowded, `/lab/${id}/poll?room=${room}&since=1&timeout=60000`));
  await sleep(300);
  for (const text of ['two', 'three', 'four']) await sendRoom(text);
  const answers = await Promise.all(held);
  for (const [i, r] of answers.entries()) {
    assert.equal(r.status, 200, `poll ${i}`);
    assert.deepEqual(
      answer(r).messages.map((m) => [m.id, m.data]),
      [
        [2, 'two'],
        [3, 'three'],
        [4, 'four'],
      ],
      `poll ${i}`,
    );
  }
});
