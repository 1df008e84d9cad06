/**
 * Who a request is from, over real sockets: `X-Forwarded-For` and `Forwarded` count only from a
 * peer listed in `WIRELAB_TRUST_PROXY` (server/client-address.ts). Seen through the lab's
 * per-address share of sessions: a forged header cannot buy a second share.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWireLabServer } from '../../server/app.ts';
import { startTestServer } from '../helpers/server.ts';
import { StreamReader } from '../server/class-harness.ts';
import { madeUp, pipelined } from './pipelined.ts';

/** Fills the share of the address the server sees (two held long polls), returns them to close. */
async function fillShare(port: number, headers: Record<string, string>): Promise<StreamReader[]> {
  const held = [1, 2].map(() => new StreamReader(port, `/lab/${madeUp('s')}/poll?timeout=20000`, headers));
  for (let i = 0; i < 200; i++) {
    const [probe] = await pipelined(port, [`/lab/${madeUp('p')}/time`], { headers });
    if (probe?.status === 429) return held;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the share never filled');
}

test('a forged X-Forwarded-For or Forwarded from a peer that is not a trusted proxy is ignored', async () => {
  const s = await startTestServer({ tickIntervalMs: 3_600_000, maxSessionsPerAddress: 2 });
  const held = await fillShare(s.port, { 'X-Forwarded-For': '198.51.100.1' });
  const forgeries: Record<string, string>[] = [
    { 'X-Forwarded-For': '198.51.100.2' },
    { Forwarded: 'for=198.51.100.3' },
  ];
  for (const forged of forgeries) {
    const [refused] = await pipelined(s.port, [`/lab/${madeUp('s')}/time`], { headers: forged });
    assert.equal(refused?.status, 429, `${JSON.stringify(forged)} still counts as 127.0.0.1`);
    assert.match(refused?.body ?? '', /^bound maxSessionsPerAddress \(2\) reached/);
  }
  for (const r of held) r.close();
});

test('behind a trusted proxy each forwarded client has its own share', async () => {
  const s = await startTestServer({
    tickIntervalMs: 3_600_000,
    maxSessionsPerAddress: 2,
    trustProxy: '127.0.0.0/8',
  });
  const held = await fillShare(s.port, { 'X-Forwarded-For': '198.51.100.1' });
  const [same] = await pipelined(s.port, [`/lab/${madeUp('s')}/time`], {
    headers: { 'X-Forwarded-For': '198.51.100.1' },
  });
  assert.equal(same?.status, 429);
  const [other] = await pipelined(s.port, [`/lab/${madeUp('s')}/time`], {
    headers: { 'X-Forwarded-For': '198.51.100.2' },
  });
  assert.equal(other?.status, 200);
  const [forwarded] = await pipelined(s.port, [`/lab/${madeUp('s')}/time`], {
    headers: { Forwarded: 'for="[2001:db8::5]:80"' },
  });
  assert.equal(forwarded?.status, 200);
  // The client wrote 198.51.100.2 itself; the proxy appended who it saw: 198.51.100.1, whose share is full.
  const [spoofed] = await pipelined(s.port, [`/lab/${madeUp('s')}/time`], {
    headers: { 'X-Forwarded-For': '198.51.100.2, 198.51.100.1' },
  });
  assert.equal(spoofed?.status, 429);
  for (const r of held) r.close();
});

test('a bad WIRELAB_TRUST_PROXY stops the server at start with the name of the variable', async () => {
  await assert.rejects(
    createWireLabServer({ host: '127.0.0.1', port: 0, config: { trustProxy: '10.0.0.0/8, proxy.lan' } }),
    /^Error: WIRELAB_TRUST_PROXY: "proxy\.lan" is not an IP address or CIDR/,
  );
});
