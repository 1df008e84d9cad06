/**
 * The ticket table (server/lab/tickets.ts) on a fake clock: good once, for one session, for
 * ticketTtlMs; bounded per session; spent tickets remembered within a cap, forgotten ones still
 * refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { config } from '../../../server/config.ts';
import { createTickets } from '../../../server/lab/tickets.ts';

const cfg = { ...config, ticketTtlMs: 30_000, maxTicketsPerSession: 2, maxSessions: 3 };

function issued(t: ReturnType<typeof createTickets>, session: string, now: number): string {
  const i = t.issue(session, now);
  assert.ok(i.ok);
  return i.ticket;
}

test('a ticket is good once, for its own session, until it expires', () => {
  const t = createTickets(cfg);
  const a = issued(t, 'sessionA1', 0);
  assert.deepEqual(t.redeem('sessionA1', a, 1_000), { ok: true });
  const again = t.redeem('sessionA1', a, 2_000);
  assert.ok(!again.ok && again.status === 401 && /already used 1 s ago/.test(again.text));
  const b = issued(t, 'sessionA1', 0);
  const late = t.redeem('sessionA1', b, 30_000);
  assert.ok(!late.ok && late.status === 401 && /expired 0 s ago/.test(late.text));
  const c = issued(t, 'sessionA1', 0);
  const stolen = t.redeem('sessionB1', c, 1);
  assert.ok(!stolen.ok && stolen.status === 403);
  const owner = t.redeem('sessionA1', c, 2);
  assert.ok(!owner.ok && owner.status === 401, 'a ticket shown by another session is spent');
});

test('a session holds at most maxTicketsPerSession unused tickets; Retry-After is when the oldest expires', () => {
  const t = createTickets(cfg);
  issued(t, 's1', 0);
  issued(t, 's1', 10_000);
  const over = t.issue('s1', 12_000);
  assert.ok(!over.ok);
  assert.equal(over.retryAfterS, 18);
  assert.match(over.text, /^bound maxTicketsPerSession \(2\) reached/);
  assert.ok(t.issue('s1', 30_000).ok, 'the expired one no longer counts');
});

test('the table stays within sessions × maxTicketsPerSession live plus maxSessions × maxTicketsPerSession spent', () => {
  const t = createTickets(cfg);
  const spentCap = cfg.maxSessions * cfg.maxTicketsPerSession;
  let first = '';
  for (let i = 0; i < 10_000; i++) {
    const ticket = issued(t, 'flooder1', i);
    if (i === 0) first = ticket;
    assert.deepEqual(t.redeem('flooder1', ticket, i), { ok: true });
    assert.ok(t.size <= spentCap + cfg.maxTicketsPerSession, `size ${t.size} at ${i}`);
  }
  const forgotten = t.redeem('flooder1', first, 10_000);
  assert.ok(!forgotten.ok && forgotten.status === 401 && /No such ticket/.test(forgotten.text));
});
