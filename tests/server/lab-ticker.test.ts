/**
 * The made-up stock quote: deterministic per session, ticking while someone listens.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSession, startLab } from './lab-harness.ts';
import { raw, request, SseParser, sleep } from './lab-wire.ts';

const fast = { tickIntervalMs: 20 };

/** The first `n` tick prices an SSE reader of `id` sees on server `port`. */
async function prices(port: number, id: string, n: number): Promise<number[]> {
  const r = await raw(port, request('GET', `/lab/${id}/sse?count=${n}`));
  return new SseParser().push(r.body.toString()).map((e) => {
    assert.equal(e.event, 'tick');
    const quote = JSON.parse(e.data);
    assert.deepEqual(Object.keys(quote), ['symbol', 'price']);
    assert.equal(quote.symbol, 'WIRE');
    assert.equal(Math.round(quote.price * 100) / 100, quote.price, 'prices are whole cents');
    return quote.price;
  });
}

test('ticks follow from the session id: the same id gives the same prices, on any server', async () => {
  const a = await startLab(fast);
  const b = await startLab(fast);
  const id = newSession();
  const first = await prices(a.port, id, 5);
  assert.equal(first.length, 5);
  assert.deepEqual(await prices(b.port, id, 5), first);
  assert.notDeepEqual(await prices(b.port, newSession(), 5), first);
});

test('short polls keep the ticker ticking between them (tickLingerMs)', async () => {
  const s = await startLab(fast);
  const id = newSession();
  const news = async (since: number) =>
    JSON.parse((await raw(s.port, request('GET', `/lab/${id}/news?since=${since}`))).body.toString());
  const first = await news(0);
  await sleep(150);
  const later = await news(first.last);
  assert.ok(later.messages.length >= 3, `${later.messages.length} ticks in 150 ms`);
  assert.ok(later.messages.every((m: { type: string }) => m.type === 'tick'));
});

test('the ticker stops when nobody listens', async () => {
  const s = await startLab({ ...fast, tickLingerMs: 0 });
  const id = newSession();
  await prices(s.port, id, 2);
  await sleep(100);
  const lastId = async () =>
    JSON.parse((await raw(s.port, request('GET', `/lab/${id}/news`))).body.toString()).last as number;
  const before = await lastId();
  await sleep(200);
  assert.equal(await lastId(), before);
});
