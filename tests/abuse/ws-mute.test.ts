/**
 * `ws?mute=` and `ws?plan=` from the outside: bad values are refused before the handshake with a
 * reason, and a muted connection, which answers no ping and so is never cut by `wsPingMs`, still
 * ends at `maxMuteMs` — in a class too, where no `maxStreamMs` applies — and is let go.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { newSession, startLab } from '../server/lab-harness.ts';
import { refusedHandshake, sleep } from '../server/lab-wire.ts';

const s = await startLab({ tickIntervalMs: 20, wsPingMs: 100, maxMuteMs: 500, maxPlanSteps: 3 });
const wsUrl = (path: string) => `${s.url.replace('http', 'ws')}${path}`;

const bad: Array<[string, RegExp]> = [
  ['mute=abc', /mute="abc": expected a whole number/],
  ['mute=-1', /mute="-1"/],
  ['plan=drop2,boom', /plan="drop2,boom": expected 1 to 3 comma-separated steps \(bound maxPlanSteps\)/],
  ['plan=drop2,down1,mute1,drop1', /bound maxPlanSteps/],
  ['plan=down0', /downN \(N from 1 to 9999\)/],
  ['plan=drop2,down', /plan="drop2,down"/],
  ['plan=drop12345', /N from 0 to 9999/],
  ['plan=', /plan="": expected/],
];
for (const [query, reason] of bad) {
  test(`ws?${query} is refused with 400 and a reason that says what is expected`, async () => {
    const r = await refusedHandshake(wsUrl(`/lab/${newSession()}/ws?${query}`));
    assert.equal(r.status, 400);
    assert.match(r.body, reason);
  });
}

for (const inClass of [false, true]) {
  test(`a muted ws ${inClass ? 'in a class ' : ''}is cut at maxMuteMs and the lab lets it go`, async () => {
    const id = newSession();
    if (inClass) {
      assert.ok(s.lab, 'this test needs the lab in process');
      assert.equal(s.lab.bindRoom(id, 'MUTECLASS'), true);
    }
    const ws = new WebSocket(wsUrl(`/lab/${id}/ws?mute=1`));
    ws.on('error', () => {});
    let messages = 0;
    ws.on('message', () => {
      messages += 1;
    });
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    assert.equal(code, 1006, 'cut, with no close frame');
    assert.equal(messages, 1);
    assert.ok(s.notes?.some((n) => n.startsWith('bound maxMuteMs (500) reached')));
    // The connection is no longer counted against the session (once the server side has closed).
    const openWs = () => s.lab?.sessionActivity(id)?.open.ws ?? 0;
    for (let i = 0; i < 200 && openWs() > 0; i++) await sleep(50);
    assert.equal(openWs(), 0);
  });
}
