/**
 * Lesson 9's "Compressed frames" step reads the wire: its traffic check passes for a real
 * compressed run (ws client with permessage-deflate against `ws?deflate=1`, read back from the
 * capture) and fails, saying what is missing, when the extension was not agreed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import lesson9 from '../../content/09-websocket-frames/checks.ts';
import { factsFromRecords } from '../../src/checks/facts.ts';
import { captureSnapshot } from '../../src/checks/snapshot.ts';
import type { WireFacts } from '../../src/checks/types.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';

const server = await startTestServer({ tickIntervalMs: 3_600_000 });
const TEXT = 'tick tock '.repeat(100);

/** Does what the step's starter does, from Node: open, send 1000 repetitive bytes, wait for the chat, close. */
async function runStep(path: string): Promise<WireFacts> {
  const session = newSessionId();
  // ws compresses only messages of 1 KiB or more by default; a browser compresses every one.
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/lab/${session}/${path}`, {
    perMessageDeflate: { threshold: 0 },
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const back = new Promise((resolve) =>
    ws.on('message', (d) => JSON.parse(String(d)).type === 'chat' && resolve(d)),
  );
  ws.send(TEXT);
  await back;
  const closed = new Promise((resolve) => ws.once('close', resolve));
  ws.close(1000, 'done');
  await closed;
  // The capture has every byte once both close frames and the FIN crossed: wait for the snapshot to hold them.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const facts = factsFromRecords(await captureSnapshot(session, { origin: server.url }), []);
    if (facts.wsFrames.filter((f) => f.opcode === 8).length >= 2) return facts;
    assert.ok(Date.now() < deadline, 'the capture never showed both close frames');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the deflate step passes on a compressed run: the extension agreed, RSV1 both ways, 1000 bytes crossing as a few', async () => {
  const facts = await runStep('ws?deflate=1');
  const compressed = facts.wsFrames.filter((f) => f.rsv1);
  assert.deepEqual([...new Set(compressed.map((f) => f.dir))].sort(), ['in', 'out']);
  const sentFrame = compressed.find((f) => f.dir === 'in')!;
  assert.equal(sentFrame.text, TEXT, 'the facts carry the inflated text');
  assert.equal(sentFrame.inflatedLength, 1000);
  assert.ok(sentFrame.length < 100, `1000 repetitive bytes crossed as ${sentFrame.length}`);
  assert.equal(lesson9.traffic!.deflate!(facts), true);
});

test('the deflate step fails, naming the missing agreement, when the socket was opened without deflate=', async () => {
  const facts = await runStep('ws');
  const verdict = lesson9.traffic!.deflate!(facts);
  assert.notEqual(verdict, true);
  assert.match((verdict as { en: string }).en, /No handshake to ws\?deflate=1/);
});
