/**
 * Inspector channels are shared out per client address and bounded for the whole server: one
 * address opening channels on made-up sessions (4 each is allowed per session) is refused with
 * close 1013 naming the bound, while another address still gets its channel; closing channels
 * gives the share back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { newSessionId, startTestServer } from '../helpers/server.ts';

// The test's requests come through "a proxy" on loopback, so X-Forwarded-For names the client.
const s = await startTestServer({ trustProxy: '127.0.0.1', maxInspectorsPerAddress: 3, maxInspectors: 5 });

interface Opened {
  ws: WebSocket;
  /** Resolves with the close code and reason once the server closes the channel. */
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens an inspector channel on a fresh session as `address`; resolves once it is open. */
async function inspector(address: string): Promise<Opened> {
  const ws = new WebSocket(`${s.url.replace('http', 'ws')}/inspect/${newSessionId()}`, {
    headers: { 'X-Forwarded-For': address },
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, closed };
}

/** The close the server sent `o`; fails the test if it stays open for 10 s. */
function refusal(o: Opened): Promise<{ code: number; reason: string }> {
  return Promise.race([
    o.closed,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the channel was not refused: it stayed open')), 10_000).unref(),
    ),
  ]);
}

/** True when `o` is still open a moment after the server had its chance to refuse it. */
async function staysOpen(o: Opened): Promise<boolean> {
  const outcome = await Promise.race([o.closed, new Promise((r) => setTimeout(() => r('open'), 300))]);
  return outcome === 'open';
}

test('one address gets maxInspectorsPerAddress channels across sessions; the next is closed 1013 naming the bound', async () => {
  const mine = await Promise.all([1, 2, 3].map(() => inspector('198.51.100.7')));
  for (const o of mine) assert.ok(await staysOpen(o), 'a channel within the share stays open');
  const extra = await inspector('198.51.100.7');
  const refused = await refusal(extra);
  assert.equal(refused.code, 1013);
  assert.match(refused.reason, /maxInspectorsPerAddress 3/);

  // Another address is not held back by the first one's share.
  const other = await inspector('203.0.113.9');
  assert.ok(await staysOpen(other), "another address's channel stays open");

  // Closing a channel gives its share back to its address.
  const first = mine[0];
  assert.ok(first);
  first.ws.close();
  await first.closed;
  let again: Opened | undefined;
  for (let tries = 0; tries < 50 && !again; tries++) {
    const o = await inspector('198.51.100.7');
    if (await staysOpen(o)) again = o;
    else await new Promise((r) => setTimeout(r, 50)); // the server may not have seen the close yet
  }
  assert.ok(again, 'a closed channel gives its place back');
  for (const o of [...mine.slice(1), other, again]) o.ws.close();
  await Promise.all([...mine.slice(1), other, again].map((o) => o.closed));
});

test('the server holds at most maxInspectors channels from every address together', async () => {
  const opened = await Promise.all([1, 2, 3, 4, 5].map((i) => inspector(`192.0.2.${i}`)));
  for (const o of opened) assert.ok(await staysOpen(o));
  const sixth = await inspector('192.0.2.6');
  const refused = await refusal(sixth);
  assert.equal(refused.code, 1013);
  assert.match(refused.reason, /maxInspectors\)/);
  for (const o of opened) o.ws.close();
  await Promise.all(opened.map((o) => o.closed));
});
