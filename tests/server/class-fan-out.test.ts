/**
 * A push to a crowd goes out a slice per event-loop turn (server/lab/fan-out.ts): with slices of
 * three, a class's learners still get every push once, in order, on their EventSource and their
 * WebSocket, though pushes follow each other faster than a fan-out ends; a learner who leaves in
 * the middle is skipped without harm to the rest.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { channel, createClass, join, StreamReader, sleep } from './class-harness.ts';

const s = await startTestServer({
  tickIntervalMs: 3_600_000,
  classRequestsPerSecond: 1_000,
  feedFanOutSlice: 3,
});

/** The push texts in an SSE stream's events, in the order they came. */
const ssePushes = (text: string): string[] =>
  [...text.matchAll(/event: push\ndata: (.*)\n\n/g)].map((m) => (JSON.parse(m[1]!) as { text: string }).text);

test('eight learners, six pushes in a row, slices of three: each push once, in order, everywhere', async () => {
  const { code, key } = await createClass(s.url);
  const teacher = await channel(s.url, code, { role: 'teacher', key });
  await teacher.next('welcome');
  const sessions = Array.from({ length: 8 }, () => newSessionId());
  for (const [i, session] of sessions.entries()) await join(s.url, code, `Learner ${i + 1}`, session);
  const readers = sessions.map((id) => new StreamReader(s.port, `/lab/${id}/sse`));
  const sockets = await Promise.all(
    sessions.map(async (id) => {
      const ws = new WebSocket(`${s.url.replace('http', 'ws')}/lab/${id}/ws`);
      const pushes: string[] = [];
      ws.on('message', (d) => {
        const frame = JSON.parse(String(d)) as { type: string; data: { text: string } };
        if (frame.type === 'push') pushes.push(frame.data.text);
      });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      return { ws, pushes };
    }),
  );
  for (const r of readers) await r.waitFor('\r\n\r\n');
  await sleep(50);

  const texts = ['one', 'two', 'three', 'four', 'five', 'six'];
  for (const text of texts) teacher.send({ type: 'push', text });
  for (const _ of texts) await teacher.next('pushed');
  // The last learner leaves as the pushes go out: the others must not notice.
  readers[7]!.close();
  sockets[7]!.ws.terminate();

  for (const r of readers.slice(0, 7)) {
    await r.waitFor('"text":"six"');
    assert.deepEqual(ssePushes(r.received), texts);
  }
  const deadline = Date.now() + 5_000;
  while (sockets.slice(0, 7).some((w) => w.pushes.length < texts.length) && Date.now() < deadline)
    await sleep(20);
  for (const w of sockets.slice(0, 7)) assert.deepEqual(w.pushes, texts);

  // The server is still answering, and a learner who arrives now reads the pushes back by id.
  const late = newSessionId();
  await join(s.url, code, 'Late', late);
  const replay = new StreamReader(s.port, `/lab/${late}/sse`, { 'Last-Event-ID': '0' });
  await replay.waitFor('"text":"six"');
  assert.deepEqual(ssePushes(replay.received), texts);

  replay.close();
  for (const r of readers) r.close();
  for (const w of sockets) w.ws.close();
  teacher.close();
});
