/**
 * The lab through the real app (`startTestServer`): the routes reach it for HTTP, SSE and
 * WebSocket, with the capture tapping the same sockets. The rest of the lab suite runs on its
 * own harness, or through the app with WIRELAB_LAB_TESTS_VIA_APP=1.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { raw, request, SseParser } from './lab-wire.ts';

const s = await startTestServer({ tickIntervalMs: 3_600_000 });

test('the app routes /lab/ requests to the lab: send, news and an SSE resume', async () => {
  const id = newSessionId();
  const sent = await raw(s.port, request('POST', `/lab/${id}/send`, {}, 'through the app'));
  assert.equal(sent.status, 200);
  assert.equal(sent.headers['access-control-allow-origin'], '*');
  const sse = await raw(s.port, request('GET', `/lab/${id}/sse?count=1`, { 'Last-Event-ID': '0' }));
  assert.deepEqual(new SseParser().push(sse.body.toString()), [
    { id: '1', event: 'chat', data: 'through the app' },
  ]);
});

test('the app routes /lab/ upgrades to the lab: echo closes with the code asked for', async () => {
  const ws = new WebSocket(`${s.url.replace('http', 'ws')}/lab/${newSessionId()}/echo`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const echoed = new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
  ws.send('hi');
  assert.equal(await echoed, 'hi');
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.send('{"close":4000,"reason":"bye"}');
  assert.equal(await closed, 4000);
});
