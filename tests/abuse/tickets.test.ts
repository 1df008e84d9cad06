/**
 * Lesson 18's tickets under abuse: a session asking for tickets in a loop, many sessions doing
 * it at once, handshakes with guessed, reused, expired and stolen tickets in a loop, and sockets
 * that open `ws?auth=first` and never speak. Each bound is named in the refusal, the ticket table
 * stays bounded, and the rightful owner of a ticket is still served.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { newSession, startLab } from '../server/lab-harness.ts';
import { raw, request } from '../server/lab-wire.ts';

const s = await startLab({
  tickIntervalMs: 3_600_000,
  maxTicketsPerSession: 3,
  requestsPerSecond: 1_000,
  authFirstMessageMs: 500,
});
const wsUrl = (path: string) => `${s.url.replace('http', 'ws')}${path}`;
const post = (id: string) => raw(s.port, request('POST', `/lab/${id}/ticket`));

/** The status a handshake is answered with: 101, or the refusal's. */
function handshakeStatus(path: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl(path));
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => {});
  });
}

test('a ticket flood from one session stops at maxTicketsPerSession with 429, Retry-After and the bound named; using one frees a slot', async () => {
  const id = newSession();
  const tickets: string[] = [];
  for (let i = 0; i < 3; i++) tickets.push(JSON.parse((await post(id)).body.toString()).ticket);
  for (let i = 0; i < 20; i++) {
    const r = await post(id);
    assert.equal(r.status, 429);
    assert.match(r.body.toString(), /^bound maxTicketsPerSession \(3\) reached/);
    assert.match(r.headers['retry-after'] ?? '', /^[1-9]\d*$/);
  }
  // Another session is not affected by this one's flood.
  assert.equal((await post(newSession())).status, 200);
  assert.equal(await handshakeStatus(`/lab/${id}/ws?ticket=${tickets[0]}`), 101);
  assert.equal((await post(id)).status, 200, 'a used ticket no longer counts');
  assert.equal((await post(id)).status, 429);
});

test('guessed, reused and stolen tickets in a loop are all refused, and the owner’s own ticket still opens', async () => {
  const owner = newSession();
  const attacker = newSession();
  const good = JSON.parse((await post(owner)).body.toString()).ticket as string;
  const used = JSON.parse((await post(attacker)).body.toString()).ticket as string;
  assert.equal(await handshakeStatus(`/lab/${attacker}/ws?ticket=${used}`), 101);
  for (let i = 0; i < 50; i++) {
    const guess = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url');
    assert.equal(await handshakeStatus(`/lab/${attacker}/ws?ticket=${guess}`), 401);
    assert.equal(await handshakeStatus(`/lab/${attacker}/ws?ticket=${used}`), 401);
    assert.equal((await raw(s.port, request('GET', `/lab/${attacker}/sse?ticket=${used}`))).status, 401);
  }
  assert.equal(await handshakeStatus(`/lab/${owner}/ws?ticket=${good}`), 101);
});

test('sockets that open ws?auth=first and never speak are all closed 1008 by authFirstMessageMs', async () => {
  const id = newSession();
  const closes = await Promise.all(
    Array.from(
      { length: 6 },
      () =>
        new Promise<{ code: number; reason: string }>((resolve) => {
          const ws = new WebSocket(wsUrl(`/lab/${id}/ws?auth=first`));
          ws.on('error', () => {});
          ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
        }),
    ),
  );
  for (const c of closes) {
    assert.equal(c.code, 1008);
    assert.match(c.reason, /bound authFirstMessageMs \(500\)/);
  }
  // Their connections were given back: the session opens a new socket at once.
  assert.equal(await handshakeStatus(`/lab/${id}/ws`), 101);
});
