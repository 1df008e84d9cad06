/**
 * Guessing what opens a class: join codes (per address and across the server), the teacher key
 * and learner tokens on the class channel. Each guess is bounded, a refusal says which bound and
 * when to retry, and it never tells a known code from an unknown one (docs/classroom.md "Bounds").
 *
 * The server trusts 127.0.0.1 as a proxy here, so `X-Forwarded-For` gives each request the
 * address of a different computer (server/client-address.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { Channel, channel, createClass, join } from '../server/class-harness.ts';

/** A made-up code (of 2–9 only): one of 887 million, so it is no class's here. */
const unknownCode = (i: number) => `22${String(i).padStart(4, '2').replace(/[01]/g, '3')}`;

/** GET /class/<code> as the computer at `from`. */
const lookUp = (base: string, code: string, from: string) =>
  fetch(`${base}/class/${code}`, { headers: { 'x-forwarded-for': from } });

/** POST /class/<code>/join as the computer at `from`. */
const joinFrom = (base: string, code: string, from: string) =>
  fetch(`${base}/class/${code}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ name: 'Ada', session: newSessionId() }),
  });

test('past joinCodeMissesPerAddress every lookup from that address waits, known code or not; other addresses are answered', async () => {
  const s = await startTestServer({
    tickIntervalMs: 3_600_000,
    trustProxy: '127.0.0.1',
    joinCodeMissesPerAddress: 5,
  });
  const { code } = await createClass(s.url);
  const guesser = '198.51.100.7';
  for (let i = 0; i < 5; i++) assert.equal((await lookUp(s.url, unknownCode(i), guesser)).status, 404);
  for (const tried of [unknownCode(9), code]) {
    const refused = await lookUp(s.url, tried, guesser);
    assert.equal(refused.status, 429, 'the refusal is the same for a known code: it answers no guess');
    assert.match(
      await refused.text(),
      /^bound joinCodeMissesPerAddress \(5\) reached: .* try again in \d+ s\./,
    );
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  }
  const ws = new Channel(`${s.url.replace('http', 'ws')}/class/${code}/ws`, { 'x-forwarded-for': guesser });
  await assert.rejects(ws.opened, /handshake answered 429/, 'the channel handshake is a lookup too');
  assert.equal((await joinFrom(s.url, code, '198.51.100.8')).status, 201, 'another computer joins at once');
});

test('an unknown code on the class channel is a miss like any other lookup', async () => {
  const s = await startTestServer({
    tickIntervalMs: 3_600_000,
    trustProxy: '127.0.0.1',
    joinCodeMissesPerAddress: 2,
  });
  const guesser = { 'x-forwarded-for': '198.51.100.9' };
  for (let i = 0; i < 2; i++) {
    const c = new Channel(`${s.url.replace('http', 'ws')}/class/${unknownCode(i)}/ws`, guesser);
    assert.equal((await c.closed).code, 4404);
  }
  const refused = new Channel(`${s.url.replace('http', 'ws')}/class/${unknownCode(3)}/ws`, guesser);
  await assert.rejects(refused.opened, /handshake answered 429/);
});

test('200 guesses from 200 addresses are bounded by joinCodeMissesPerMinute; a computer that found its class is not held back', async () => {
  const s = await startTestServer({
    tickIntervalMs: 3_600_000,
    trustProxy: '127.0.0.1',
    joinCodeMissesPerMinute: 50,
  });
  const created = await createClass(s.url);
  // A learner joined before the guessing began: their computer found its class.
  assert.equal((await joinFrom(s.url, created.code, '192.0.2.10')).status, 201);
  const answers = [];
  for (let i = 0; i < 200; i++) answers.push(await lookUp(s.url, unknownCode(i), `203.0.113.${i % 250}`));
  const statuses = answers.map((a) => a.status);
  const answered = statuses.filter((x) => x === 404).length;
  assert.ok(
    answered >= 50 && answered <= 55,
    `${answered} of 200 guesses were answered; the budget is 50 a minute`,
  );
  assert.equal(statuses.filter((x) => x === 429).length, 200 - answered);
  const refused = answers[199] as Response;
  assert.match(
    await refused.text(),
    /^bound joinCodeMissesPerMinute \(50\) reached: someone is guessing class codes.* Try again in \d+ s\./,
  );
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  // While the budget is spent: the learner's computer joins a second tab at once, and the
  // teacher (who started the class from 127.0.0.1) opens the dashboard.
  assert.equal((await joinFrom(s.url, created.code, '192.0.2.10')).status, 201);
  const teacher = await channel(s.url, created.code, { role: 'teacher', key: created.key });
  await teacher.next('welcome');
  teacher.close();
  // A computer new to the server's classes waits its turn, known code or not: the answer must
  // not tell a guesser which codes are real.
  assert.equal((await joinFrom(s.url, created.code, '192.0.2.99')).status, 429);
});

test('guessing the teacher key on the class channel is bounded by classRequestsPerClassPerSecond; another class is untouched', async () => {
  const s = await startTestServer({ tickIntervalMs: 3_600_000, classRequestsPerClassPerSecond: 5 });
  const target = await createClass(s.url);
  const other = await createClass(s.url);
  const results: Array<number | string> = [];
  for (let i = 0; i < 15; i++) {
    const c = new Channel(`${s.url.replace('http', 'ws')}/class/${target.code}/ws`);
    try {
      await c.opened;
      c.send({ type: 'hello', role: 'teacher', key: `guess${i}guess${i}guess${i}xx`.slice(0, 22) });
      results.push((await c.closed).code);
    } catch (err) {
      results.push(String((err as Error).message));
    }
  }
  assert.ok(results.filter((r) => r === 1008).length <= 11, `guesses answered: ${results.join(', ')}`);
  assert.ok(results.includes('handshake answered 429'), 'past the class bucket, handshakes wait');
  const teacher = await channel(s.url, other.code, { role: 'teacher', key: other.key });
  assert.equal((await teacher.next('welcome')).role, 'teacher', 'the other class has its own bucket');
  teacher.close();
});

test('hand-ins flooded by one learner are closed at classMessagesPerSecond, and the class keeps at most classHandInBytes', async () => {
  const s = await startTestServer({
    tickIntervalMs: 3_600_000,
    classMessagesPerSecond: 50,
    classHandInBytes: 64 * 1024,
    maxMessageBytes: 16 * 1024,
  });
  const created = await createClass(s.url);
  const teacher = await channel(s.url, created.code, { role: 'teacher', key: created.key });
  await teacher.next('welcome');
  const { learner } = await join(s.url, created.code, 'Mallory', newSessionId());
  const bar = await channel(s.url, created.code, { role: 'learner', token: learner.token });
  await bar.next('welcome');
  for (let i = 0; i < 300; i++)
    bar.send({ type: 'hand-in', lesson: '07-sse-in-depth', step: `s${i}`, code: 'x'.repeat(15 * 1024) });
  assert.deepEqual(await bar.closed, { code: 1008, reason: 'bound classMessagesPerSecond (50) reached' });
  const later = await channel(s.url, created.code, { role: 'teacher', key: created.key });
  const welcome = await later.next('welcome');
  const kept = (welcome.handIns as Array<{ code: string }>).reduce((n, h) => n + h.code.length, 0);
  assert.ok(kept > 0 && kept <= 64 * 1024, `${kept} bytes of hand-ins kept`);
  // Another learner still hands in.
  const { learner: ada } = await join(s.url, created.code, 'Ada', newSessionId());
  const adaBar = await channel(s.url, created.code, { role: 'learner', token: ada.token });
  await adaBar.next('welcome');
  adaBar.send({ type: 'hand-in', lesson: '07-sse-in-depth', step: 'listen', code: 'console.log(1)' });
  assert.equal((await adaBar.next('handed-in')).step, 'listen');
  for (const c of [teacher, later, adaBar]) c.close();
});

test('learner tokens cannot be guessed into another class: made-up and borrowed tokens are closed 1008', async () => {
  const s = await startTestServer({ tickIntervalMs: 3_600_000 });
  const a = await createClass(s.url);
  const b = await createClass(s.url);
  const { learner } = await join(s.url, a.code, 'Ada', newSessionId());
  const [id, secret = ''] = learner.token.split('.');
  const flipped = `${id}.${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}`;
  for (const [code, token] of [
    [b.code, learner.token],
    [a.code, flipped],
    [a.code, `${Number(id) + 1}.${secret}`],
    [a.code, '1.'],
    [a.code, 'x'.repeat(5_000)],
  ] as const) {
    const c = await channel(s.url, code, { role: 'learner', token });
    assert.deepEqual(await c.closed, { code: 1008, reason: 'unknown learner: join the class again' });
  }
});
