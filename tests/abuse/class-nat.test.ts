/**
 * A school behind one NAT (or a reverse proxy): every learner arrives from one address. Class
 * rates key on the class, not the address, so a whole class gets in (docs/classroom.md "Bounds").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { type Channel, channel, createClass, joinRaw, sleep } from '../server/class-harness.ts';

test('60 simultaneous joins through one address all get in', async () => {
  const s = await startTestServer({ tickIntervalMs: 3_600_000 });
  const { code } = await createClass(s.url);
  const answers = await Promise.all(
    Array.from({ length: 60 }, (_, i) => joinRaw(s.url, code, { name: `L${i}`, session: newSessionId() })),
  );
  assert.deepEqual(
    answers.map((a) => a.status),
    answers.map(() => 201),
  );
});

test('a class of 500 joining within 10 s through one address all get in: each reads the class, joins and opens its channel', async () => {
  const s = await startTestServer({ tickIntervalMs: 3_600_000 });
  const { code } = await createClass(s.url);
  const started = performance.now();
  const channels: Channel[] = [];
  const learner = async (i: number): Promise<void> => {
    const info = await fetch(`${s.url}/class/${code}`);
    assert.equal(info.status, 200, `learner ${i} reading the class: ${await info.clone().text()}`);
    await info.arrayBuffer();
    const joined = await joinRaw(s.url, code, { name: `Learner ${i}`, session: newSessionId() });
    assert.equal(joined.status, 201, `learner ${i} joining: ${await joined.clone().text()}`);
    const { learner } = (await joined.json()) as { learner: { token: string } };
    const bar = await channel(s.url, code, { role: 'learner', token: learner.token });
    channels.push(bar);
    await bar.next('welcome', 30_000);
  };
  // 500 learners arriving over 9 s: the QR code on the projector, scanned around the room.
  const all: Promise<void>[] = [];
  for (let i = 0; i < 500; i++) {
    all.push(learner(i));
    await sleep(18);
  }
  await Promise.all(all);
  const ms = Math.round(performance.now() - started);
  const info = (await (await fetch(`${s.url}/class/${code}`)).json()) as { learners: number };
  assert.equal(info.learners, 500);
  console.log(`500 learners read, joined and said hello through one address in ${ms} ms`);
  for (const c of channels) c.close();
});
