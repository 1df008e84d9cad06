/**
 * The learner's WebSockets get the lab's keepalive: pinged every `wsPingMs`, so an idle handler
 * socket carries traffic a NAT or proxy sees, and a peer that stops answering pongs is cut and its
 * handler told (close 1006), as the lab's own `ws` and `echo` do (tests/server/lab-lifetime.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { until } from '../server/capture-harness.ts';
import { deployOk, waitForConsole } from '../server/mine-harness.ts';
import { InspectorNotes } from './inspector-notes.ts';

const s = await startTestServer({ requestsPerSecond: 1_000, tickIntervalMs: 3_600_000, wsPingMs: 200 });

/** A real client that answers pings itself while `answering` is true (ws's autoPong off). */
function client(session: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/lab/${session}/mine/`, { autoPong: false });
  const state = { answering: true, pings: 0, closed: 0, got: [] as string[] };
  ws.on('ping', (data) => {
    state.pings += 1;
    if (state.answering) ws.pong(data);
  });
  ws.on('message', (d) => state.got.push(String(d)));
  ws.on('close', (code) => {
    state.closed = code;
  });
  ws.on('error', () => {});
  return { ws, state };
}

test('a handler socket whose peer stops answering pongs is cut after wsPingMs, and its close handler runs with 1006', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onWebSocket({
      message(ws, data) { ws.send('echo: ' + data); },
      close(ws, code) { console.log('gone', ws.id, code); },
    });`,
  );
  const inspector = await InspectorNotes.open(s.port, session);
  const quiet = client(session); // answers, then goes silent like a laptop whose lid was shut
  const alive = client(session); // answers all along, and never sends anything
  await until(() => quiet.state.pings >= 3, 'three pings answered', 15_000);
  quiet.state.answering = false;

  await until(() => quiet.state.closed !== 0, 'the silent peer cut', 15_000);
  assert.equal(quiet.state.closed, 1006, 'cut without a close frame');
  await waitForConsole(s.port, session, /^gone \d+ 1006$/);
  await until(
    () =>
      inspector
        .notes()
        .some((n) => n.text === 'bound wsPingMs (200) reached — no pong to the last ping, connection cut'),
    'the wsPingMs note',
  );

  // The idle one that answers is still there, well past several ping intervals, and still served.
  await until(() => alive.state.pings >= 8, 'eight pings to the peer that answers', 15_000);
  assert.equal(alive.state.closed, 0);
  alive.ws.send('still here');
  await until(() => alive.state.got.includes('echo: still here'), 'the echo', 15_000);
  alive.ws.close();
  inspector.close();
});
