/**
 * What the teacher's dashboard sees: each learner's lesson, open connections by technique,
 * messages per second and exercise checks, counted by the lab. Never the bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import {
  type ChannelMessage,
  channel,
  classWithLearner,
  createClass,
  join,
  StreamReader,
  sleep,
} from './class-harness.ts';

const s = await startTestServer({
  tickIntervalMs: 3_600_000,
  classRequestsPerSecond: 1_000,
  classActivityMs: 100,
});

interface Row {
  id: number;
  name: string;
  lesson: string | null;
  online: number;
  open: Record<string, number>;
  rate: number;
  delivered: number;
  passed: string[];
}
const rows = (m: ChannelMessage) => m.learners as Row[];

test("the dashboard counts each learner's open connections by technique, and who is on which lesson", async () => {
  const { code, key } = await createClass(s.url);
  const teacher = await channel(s.url, code, { role: 'teacher', key });
  await teacher.next('welcome');
  const session = newSessionId();
  const { learner } = await join(s.url, code, 'Ada', session);
  const bar = await channel(s.url, code, {
    role: 'learner',
    token: learner.token,
    session,
    lesson: '07-sse-in-depth',
  });
  await bar.next('welcome');

  const sse = new StreamReader(s.port, `/lab/${session}/sse`);
  const stream = new StreamReader(s.port, `/lab/${session}/stream?source=feed`);
  const ws = new WebSocket(`${s.url.replace('http', 'ws')}/lab/${session}/ws`);
  ws.on('error', () => {});
  const held = new AbortController();
  const poll = fetch(`${s.url}/lab/${session}/poll?timeout=10000`, { signal: held.signal });

  const seen = await teacher.activity((m) => {
    const open = rows(m)[0]?.open;
    return open?.sse === 1 && open.comet === 1 && open.websocket === 1 && open.longPolling === 1;
  });
  const row = rows(seen)[0] as Row;
  assert.equal(row.name, 'Ada');
  assert.equal(row.lesson, '07-sse-in-depth');
  assert.equal(row.online, 1);
  assert.deepEqual((seen.totals as { joined: number; online: number }).joined, 1);

  // Short polls are open only for a moment: they are counted per second.
  for (let i = 0; i < 3; i++) await fetch(`${s.url}/lab/${session}/news`);
  await teacher.activity((m) => (rows(m)[0]?.open.polling ?? 0) > 0);

  sse.close();
  stream.close();
  ws.close();
  held.abort();
  await poll.catch(() => {});
  await teacher.activity((m) => {
    const open = rows(m)[0]?.open;
    return open?.sse === 0 && open.comet === 0 && open.websocket === 0 && open.longPolling === 0;
  });
  bar.close();
  await teacher.activity((m) => rows(m)[0]?.online === 0);
  teacher.close();
});

test("messages delivered to a learner's readers show as a rate, and checks passed per lesson", async () => {
  const session = newSessionId();
  const { teacher, bar } = await classWithLearner(s.url, session, { bind: true });
  const sse = new StreamReader(s.port, `/lab/${session}/sse`);
  await sse.waitFor('\r\n\r\n');
  for (let i = 0; i < 5; i++) {
    teacher.send({ type: 'push', text: `message ${i}` });
    await sleep(20);
  }
  const busy = await teacher.activity((m) => (rows(m)[0]?.rate ?? 0) > 0);
  assert.ok((busy.totals as { rate: number }).rate > 0);
  const quiet = await teacher.activity((m) => rows(m)[0]?.rate === 0); // all five arrived, then quiet
  assert.equal(rows(quiet)[0]?.delivered, 5);
  assert.equal((quiet.totals as { delivered: number }).delivered, 5);

  bar.send({ type: 'check', lesson: '07-sse-in-depth', step: 'exercise', passed: true });
  bar.send({ type: 'check', lesson: '08-websocket-handshake', step: 'exercise', passed: false });
  const checked = await teacher.activity((m) => (rows(m)[0]?.passed.length ?? 0) > 0);
  assert.deepEqual(rows(checked)[0]?.passed, ['07-sse-in-depth']);
  sse.close();
  bar.close();
  teacher.close();
});

test('a learner who leaves is gone from the dashboard, and their session reads its own feed again', async () => {
  const session = newSessionId();
  const { teacher, bar } = await classWithLearner(s.url, session, { bind: true });
  await teacher.activity((m) => rows(m).length === 1);
  bar.send({ type: 'leave' });
  assert.deepEqual(await bar.closed, { code: 1000, reason: 'left the class' });
  await teacher.activity((m) => rows(m).length === 0);
  const sse = new StreamReader(s.port, `/lab/${session}/sse`);
  await sse.waitFor('\r\n\r\n');
  teacher.send({ type: 'push', text: 'after you left' });
  await teacher.next('pushed');
  await sleep(100);
  assert.ok(!sse.received.includes('event: push'));
  sse.close();
  teacher.close();
});
