/**
 * The second half of every abuse case: after the attack, the server still answers everyone else.
 * A fresh client, on a fresh connection, in a fresh session, gets `GET /lab/<other>/time` 200 —
 * and, for WebSocket cases, an echo round trip.
 */
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { newSessionId } from '../helpers/server.ts';
import { raw, request } from '../server/lab-wire.ts';

/** Generous: the machine may be busy; a server that is down or wedged fails this anyway. */
const PATIENCE_MS = 15_000;

/** Asserts a fresh client in another session is answered `GET time` 200 with a fresh `seq`. */
export async function assertStillServes(port: number, what = 'after the attack'): Promise<void> {
  const other = newSessionId();
  const answer = await raw(port, request('GET', `/lab/${other}/time`), { timeoutMs: PATIENCE_MS });
  assert.equal(answer.status, 200, `${what}: another session's GET time is ${answer.status}`);
  const body = JSON.parse(answer.body.toString()) as { time: string; seq: number };
  assert.equal(body.seq, 1, `${what}: a fresh session starts at seq 1`);
}

/** Asserts a fresh client in another session gets its WebSocket echo back. */
export async function assertStillEchoes(port: number, what = 'after the attack'): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/lab/${newSessionId()}/echo`);
  ws.on('error', () => {});
  const echoed = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what}: no echo within ${PATIENCE_MS} ms`)),
      PATIENCE_MS,
    );
    ws.once('open', () => ws.send('still there?'));
    ws.once('message', (d) => {
      clearTimeout(timer);
      resolve(String(d));
    });
    ws.once('close', (code) => reject(new Error(`${what}: echo closed ${code} before answering`)));
  });
  ws.close();
  assert.equal(echoed, 'still there?');
}
