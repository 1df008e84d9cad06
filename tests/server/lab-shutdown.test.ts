/**
 * Graceful shutdown: every open stream ends properly, WebSockets close 1001, held polls get 204,
 * all within about a second.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { newSession, startLab } from './lab-harness.ts';
import { raw, request, sleep } from './lab-wire.ts';

test('close() ends SSE and comet streams with their last chunk, closes WebSockets 1001, answers polls 204', async () => {
  const s = await startLab({ tickIntervalMs: 3_600_000 });
  const id = newSession();
  const other = newSession();
  const sse = raw(s.port, request('GET', `/lab/${id}/sse`));
  const stream = raw(s.port, request('GET', `/lab/${id}/stream?count=100&interval=1000`));
  const poll = raw(s.port, request('GET', `/lab/${id}/poll?timeout=30000`));
  const delayed = raw(s.port, request('GET', `/lab/${other}/time?delay=20000`));
  const ws = new WebSocket(`${s.url.replace('http', 'ws')}/lab/${other}/ws`);
  ws.on('error', () => {});
  const wsClosed = new Promise<[number, string]>((resolve) =>
    ws.once('close', (c, r) => resolve([c, r.toString()])),
  );
  await new Promise((resolve) => ws.once('open', resolve));
  await sleep(100);

  const started = performance.now();
  await s.close();
  assert.ok(performance.now() - started < 1500, `close took ${performance.now() - started} ms`);

  const sseEnd = await sse;
  assert.equal(sseEnd.end, 'complete');
  assert.match(sseEnd.body.toString(), /: server shutting down\n\n$/);
  const streamEnd = await stream;
  assert.equal(streamEnd.end, 'complete');
  assert.deepEqual(JSON.parse(streamEnd.chunks.at(-1)!.data.toString()), { ended: 'server shutting down' });
  assert.equal((await poll).status, 204);
  assert.equal((await delayed).status, 503);
  assert.deepEqual(await wsClosed, [1001, 'server shutting down']);
});
