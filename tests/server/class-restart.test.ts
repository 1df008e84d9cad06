/**
 * A restarted server resumes its classes from the class store: a server is closed and a new one
 * started on the same data directory, and everything a class had is back, over real sockets.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { channel, createClass, join, StreamReader } from './class-harness.ts';

const BOUNDS = { tickIntervalMs: 3_600_000, classRequestsPerSecond: 1_000, classActivityMs: 50 };

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wirelab-restart-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('after a restart on the same data directory: class, learners, tokens, hand-ins, progress and feed ids are back', async () => {
  const dataDir = tempDir();
  const first = await startTestServer({ ...BOUNDS, dataDir });
  const { code, key } = await createClass(first.url);
  const teacher = await channel(first.url, code, { role: 'teacher', key, session: newSessionId() });
  await teacher.next('welcome');
  const sessions = [newSessionId(), newSessionId()];
  const ada = (await join(first.url, code, 'Ada', sessions[0] ?? '')).learner;
  const grace = (await join(first.url, code, 'Grace', sessions[1] ?? '')).learner;
  const bar = await channel(first.url, code, {
    role: 'learner',
    token: ada.token,
    lesson: '06-server-sent-events',
  });
  await bar.next('welcome');
  bar.send({
    type: 'hand-in',
    lesson: '06-server-sent-events',
    step: 'listen',
    code: "new EventSource('sse')",
  });
  await bar.next('handed-in');
  bar.send({ type: 'check', lesson: '06-server-sent-events', passed: true });
  teacher.send({ type: 'goto', lesson: '08-websocket-handshake' });
  await teacher.next('brought');
  teacher.send({ type: 'push', text: 'one' });
  const one = (await teacher.next('pushed')).id as number;
  teacher.send({ type: 'push', text: 'two' });
  const two = (await teacher.next('pushed')).id as number;
  assert.equal(two, one + 1);
  // The check reached the server before it stops: the dashboard shows it.
  await teacher.activity((m) => JSON.stringify(m).includes('"passed":["06-server-sent-events"]'));
  teacher.close();
  bar.close();
  await first.close();

  const second = await startTestServer({ ...BOUNDS, dataDir });
  const info = (await (await fetch(`${second.url}/class/${code}`)).json()) as Record<string, unknown>;
  assert.equal(info.learners, 2);
  assert.equal(info.lesson, '08-websocket-handshake');

  // The teacher key and both tokens still work; the hand-in and the progress are there.
  const again = await channel(second.url, code, { role: 'teacher', key });
  const welcome = await again.next('welcome');
  assert.deepEqual(
    (welcome.handIns as Array<{ name: string; step: string; code: string }>).map((h) => [
      h.name,
      h.step,
      h.code,
    ]),
    [['Ada', 'listen', "new EventSource('sse')"]],
  );
  assert.equal(welcome.storeProblem, null);
  const activity = await again.activity((m) => (m.learners as unknown[]).length === 2);
  const rows = activity.learners as Array<{ id: number; name: string; passed: string[] }>;
  assert.deepEqual(
    rows.map((r) => [r.id, r.name, r.passed]),
    [
      [ada.id, 'Ada', ['06-server-sent-events']],
      [grace.id, 'Grace', []],
    ],
  );
  for (const token of [ada.token, grace.token]) {
    const c = await channel(second.url, code, { role: 'learner', token });
    assert.equal((await c.next('welcome')).role, 'learner');
    c.close();
  }

  // The learner's tab is bound again: `sse` with no room resumes on the class feed after its
  // Last-Event-ID, and the next push continues the ids.
  const sse = new StreamReader(second.port, `/lab/${sessions[0]}/sse`, { 'Last-Event-ID': String(one) });
  await sse.waitFor(`id: ${two}\nevent: push\ndata: {"from":"teacher","text":"two"}\n\n`);
  assert.ok(!sse.received.includes(`id: ${one}\n`), 'nothing repeated');
  again.send({ type: 'push', text: 'three' });
  const three = (await again.next('pushed')).id as number;
  assert.equal(three, two + 1);
  await sse.waitFor(`id: ${three}\nevent: push\ndata: {"from":"teacher","text":"three"}\n\n`);
  const polled = (await (await fetch(`${second.url}/lab/${sessions[1]}/poll?since=${one}`)).json()) as {
    messages: Array<{ id: number }>;
  };
  assert.deepEqual(
    polled.messages.map((m) => m.id),
    [two, three],
  );
  sse.close();
  again.close();
});

test('the data file keeps hashes of the teacher key and the tokens, never the secrets', async () => {
  const dataDir = tempDir();
  const s = await startTestServer({ ...BOUNDS, dataDir });
  const { code, key } = await createClass(s.url);
  const { learner } = await join(s.url, code, 'Ada', newSessionId());
  await s.close();
  const bytes = fs.readdirSync(dataDir).map((f) => fs.readFileSync(path.join(dataDir, f)).toString('latin1'));
  const stored = bytes.join('');
  assert.ok(stored.includes(code), 'the class is in the file');
  assert.ok(!stored.includes(key), 'no teacher key');
  assert.ok(!stored.includes(learner.token.split('.')[1] ?? '-'), 'no token secret');
});

test('a class that ended is not resumed, and one that idled out while the server was down ends', async () => {
  const dataDir = tempDir();
  const first = await startTestServer({ ...BOUNDS, dataDir, classIdleMs: 1_000 });
  const ended = await createClass(first.url);
  const idle = await createClass(first.url);
  const teacher = await channel(first.url, ended.code, { role: 'teacher', key: ended.key });
  await teacher.next('welcome');
  teacher.send({ type: 'end' });
  await teacher.closed;
  await first.close();
  // Long enough for classIdleMs to pass while nothing runs.
  await new Promise((r) => setTimeout(r, 1_200));

  const second = await startTestServer({ ...BOUNDS, dataDir, classIdleMs: 1_000 });
  assert.equal((await fetch(`${second.url}/class/${ended.code}`)).status, 404);
  assert.equal((await fetch(`${second.url}/class/${idle.code}`)).status, 404);
});
