/**
 * Lesson 18's lab pieces over real sockets: `POST ticket`, `ws?ticket=` and `sse?ticket=` (good
 * once), `ws?auth=first` (the ticket in the first message) and `ws?origin=check`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { newSession, startLab } from './lab-harness.ts';
import { raw, request, SseParser } from './lab-wire.ts';

const s = await startLab({ tickIntervalMs: 3_600_000, ticketTtlMs: 1_000, authFirstMessageMs: 300 });
const wsUrl = (path: string) => `${s.url.replace('http', 'ws')}${path}`;

async function ticketFor(session: string): Promise<string> {
  const r = await raw(s.port, request('POST', `/lab/${session}/ticket`));
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(r.headers['cache-control'], 'no-store');
  const answer = JSON.parse(r.body.toString());
  assert.equal(answer.expiresIn, 1);
  assert.match(answer.ticket, /^[A-Za-z0-9_-]{24}$/);
  return answer.ticket;
}

/** A handshake's outcome: `open` (101), or the HTTP status and body it was refused with. */
function handshake(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ open: WebSocket } | { status: number; body: string; challenge?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(path), { headers });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, challenge: res.headers['www-authenticate'] as string }),
      );
    });
    ws.on('open', () => resolve({ open: ws }));
    ws.on('error', (err) => {
      if (!ws.listenerCount('unexpected-response')) reject(err);
    });
  });
}

function closedOf(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

test('a ticket opens ws once; the same ticket again is refused 401 before any 101, saying it was used', async () => {
  const id = newSession();
  const t = await ticketFor(id);
  const first = await handshake(`/lab/${id}/ws?ticket=${t}`);
  assert.ok('open' in first, 'the first handshake opens');
  first.open.close();
  const again = await handshake(`/lab/${id}/ws?ticket=${t}`);
  assert.ok('status' in again);
  assert.equal(again.status, 401);
  assert.match(again.body, /already used/);
  assert.match(again.challenge ?? '', /^Ticket /);
  // A fresh ticket opens it again: a reconnect needs a new ticket, nothing else.
  const fresh = await handshake(`/lab/${id}/ws?ticket=${await ticketFor(id)}`);
  assert.ok('open' in fresh);
  fresh.open.close();
});

test('a forged ticket is refused 401 (no such ticket), another session’s 403 — and that ticket is spent', async () => {
  const id = newSession();
  const forged = await handshake(`/lab/${id}/ws?ticket=AAAAAAAAAAAAAAAAAAAAAAAA`);
  assert.ok('status' in forged);
  assert.equal(forged.status, 401);
  assert.match(forged.body, /No such ticket/);

  const other = newSession();
  const theirs = await ticketFor(other);
  const stolen = await handshake(`/lab/${id}/ws?ticket=${theirs}`);
  assert.ok('status' in stolen);
  assert.equal(stolen.status, 403);
  assert.match(stolen.body, /another session/);
  const owner = await handshake(`/lab/${other}/ws?ticket=${theirs}`);
  assert.ok('status' in owner, 'a ticket shown by the wrong session no longer opens anything');
  assert.equal(owner.status, 401);
});

test('an expired ticket is refused 401, naming ticketTtlMs', async () => {
  const id = newSession();
  const t = await ticketFor(id);
  let outcome: Awaited<ReturnType<typeof handshake>> | undefined;
  // Wait for the condition, not a time: the 1 s TTL passes on any machine.
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (i < 10) continue;
    outcome = await handshake(`/lab/${id}/ws?ticket=${t}`);
    break;
  }
  assert.ok(outcome && 'status' in outcome);
  assert.equal(outcome.status, 401);
  assert.match(outcome.body, /expired .*bound ticketTtlMs \(1000\)/);
});

test('sse?ticket= streams once; EventSource’s reconnect with the same URL is refused 401', async () => {
  const id = newSession();
  const t = await ticketFor(id);
  await raw(s.port, request('POST', `/lab/${id}/send`, {}, 'hi'));
  const first = await raw(s.port, request('GET', `/lab/${id}/sse?ticket=${t}&count=1&lastEventId=0`));
  assert.equal(first.status, 200);
  const parser = new SseParser();
  const events = parser.push(first.body.toString());
  assert.equal(events[0]?.data, 'hi');
  const again = await raw(s.port, request('GET', `/lab/${id}/sse?ticket=${t}&count=1`));
  assert.equal(again.status, 401);
  assert.match(again.body.toString(), /already used/);
});

test('ws?auth=first: a good auth message is acknowledged, then the feed flows', async () => {
  const id = newSession();
  const t = await ticketFor(id);
  const h = await handshake(`/lab/${id}/ws?auth=first`);
  assert.ok('open' in h);
  const got: string[] = [];
  const two = new Promise<void>((resolve) =>
    h.open.on('message', (d) => {
      got.push(d.toString());
      if (got.length === 2) resolve();
    }),
  );
  h.open.send(JSON.stringify({ type: 'auth', ticket: t }));
  h.open.send('hello after auth');
  await two;
  assert.deepEqual(JSON.parse(got[0]!), { type: 'auth', ok: true });
  assert.equal(JSON.parse(got[1]!).data, 'hello after auth');
  h.open.close();
});

test('ws?auth=first closes 1008 when the auth message never comes, comes malformed, or carries a used ticket', async () => {
  const id = newSession();
  const silent = await handshake(`/lab/${id}/ws?auth=first`);
  assert.ok('open' in silent);
  const silentClose = await closedOf(silent.open);
  assert.equal(silentClose.code, 1008);
  assert.match(silentClose.reason, /bound authFirstMessageMs \(300\)/);

  for (const first of ['hello', '{"type":"auth"}', '{"type":"hello","ticket":"x"}', '[1,2]', 'null']) {
    const h = await handshake(`/lab/${id}/ws?auth=first`);
    assert.ok('open' in h);
    const closed = closedOf(h.open);
    h.open.send(first);
    const c = await closed;
    assert.equal(c.code, 1008, first);
    assert.match(c.reason, /first message must be/, first);
  }

  const t = await ticketFor(id);
  const ok = await handshake(`/lab/${id}/ws?ticket=${t}`);
  assert.ok('open' in ok);
  ok.open.close();
  const reuse = await handshake(`/lab/${id}/ws?auth=first`);
  assert.ok('open' in reuse);
  const closed = closedOf(reuse.open);
  reuse.open.send(JSON.stringify({ type: 'auth', ticket: t }));
  const c = await closed;
  assert.equal(c.code, 1008);
  assert.match(c.reason, /already used/);
});

test('ws?origin=check accepts this site’s Origin and refuses Origin: null, another site and none with 403', async () => {
  const id = newSession();
  const own = await handshake(`/lab/${id}/ws?origin=check`, { Origin: s.url });
  assert.ok('open' in own, 'the site’s own origin opens');
  own.open.close();
  for (const [origin, says] of [
    ['null', /opaque origin/],
    ['http://evil.example', /not this site/],
    [undefined, /no Origin header/],
  ] as const) {
    const h = await handshake(`/lab/${id}/ws?origin=check`, origin ? { Origin: origin } : {});
    assert.ok('status' in h, String(origin));
    assert.equal(h.status, 403);
    assert.match(h.body, says);
  }
  // Without the option, every origin is accepted as before.
  const any = await handshake(`/lab/${id}/ws`, { Origin: 'http://evil.example' });
  assert.ok('open' in any);
  any.open.close();
});

test('bad values and mixes are a 400 naming the parameter', async () => {
  const id = newSession();
  for (const [path, says] of [
    ['ws?auth=last', /auth="last"/],
    ['ws?origin=off', /origin="off"/],
    ['ws?auth=first&ticket=x', /do not go together/],
    ['ws?ticket=a&ticket=b', /ticket is given twice/],
  ] as const) {
    const h = await handshake(`/lab/${id}/${path}`);
    assert.ok('status' in h, path);
    assert.equal(h.status, 400, path);
    assert.match(h.body, says);
  }
  const sse = await raw(s.port, request('GET', `/lab/${id}/sse?auth=first`));
  assert.equal(sse.status, 400);
  assert.match(sse.body.toString(), /EventSource cannot send/);
  const get = await raw(s.port, request('GET', `/lab/${id}/ticket`));
  assert.equal(get.status, 405);
});
