/**
 * The robustness requirement: a reference client for SSE and one for long polling, under random
 * `drop=`, receive 10,000 messages with none lost, none repeated, in order.
 *
 * Both clients are written against the wire, as a learner's would be: the SSE client parses the
 * event stream itself over a raw socket and reconnects with `Last-Event-ID` (header, or the
 * `lastEventId=` query every other time); the long-poll client loops with `since=`.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { newSession, startLab } from './lab-harness.ts';
import { raw, request, SseParser, sleep } from './lab-wire.ts';

const TOTAL = 10_000;
const s = await startLab({
  tickIntervalMs: 20, // ticks interleave with the chat: ids must stay consecutive anyway
  requestsPerSecond: 1_000_000,
  feedKeep: 20_000,
  feedKeepBytes: 64 * 1024 * 1024,
});

/** Random whole number from `min` to `max`. */
const random = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/** What a reference client saw: chat texts in order, and any break in the id sequence. */
interface Seen {
  chats: string[];
  lastId: number;
  errors: string[];
  connections: number;
}

/** Checks that `id` follows the previous one exactly; records the chat text. */
function take(seen: Seen, id: number, type: string, data: unknown): void {
  if (id !== seen.lastId + 1) seen.errors.push(`id ${id} after ${seen.lastId}`);
  seen.lastId = id;
  if (type === 'chat') seen.chats.push(String(data));
}

async function sseClient(id: string, room: string): Promise<Seen> {
  const seen: Seen = { chats: [], lastId: 0, errors: [], connections: 0 };
  const parser = new SseParser();
  parser.lastEventId = '0';
  while (seen.chats.length < TOTAL && seen.errors.length === 0) {
    seen.connections += 1;
    const drop = random(1, 100);
    const byHeader = seen.connections % 2 === 0;
    const path = byHeader
      ? `/lab/${id}/sse?room=${room}&drop=${drop}`
      : `/lab/${id}/sse?room=${room}&drop=${drop}&lastEventId=${parser.lastEventId}`;
    const decoder = new TextDecoder();
    await raw(s.port, request('GET', path, byHeader ? { 'Last-Event-ID': parser.lastEventId } : {}), {
      timeoutMs: 30_000,
      onChunk(data) {
        for (const e of parser.push(decoder.decode(data, { stream: true })))
          take(seen, Number(e.id), e.event, e.data);
        return seen.chats.length >= TOTAL;
      },
    });
    parser.reset(); // a partial event at a cut is not an event
  }
  return seen;
}

async function longPollClient(id: string, room: string): Promise<Seen> {
  const seen: Seen = { chats: [], lastId: 0, errors: [], connections: 0 };
  while (seen.chats.length < TOTAL && seen.errors.length === 0) {
    seen.connections += 1;
    const fault = [``, `&drop=0`, `&drop=1`][random(0, 2)];
    let r: Awaited<ReturnType<typeof raw>>;
    try {
      r = await raw(
        s.port,
        request('GET', `/lab/${id}/poll?room=${room}&since=${seen.lastId}&timeout=2000${fault}`),
      );
    } catch {
      continue; // cut before the answer (drop=0): ask again with the same since
    }
    if (r.status === 204) continue;
    if (r.status !== 200 || r.end !== 'complete') {
      seen.errors.push(`status ${r.status}, ${r.end}`);
      break;
    }
    const answer = JSON.parse(r.body.toString()) as {
      messages: Array<{ id: number; type: string; data: unknown }>;
      last: number;
    };
    for (const m of answer.messages) take(seen, m.id, m.type, m.data);
    if (answer.last !== seen.lastId)
      seen.errors.push(`last ${answer.last} but the last message is ${seen.lastId}`);
  }
  return seen;
}

/**
 * Appends m1…m10000 to the room: in process through `lab.rooms` in bursts of 50 a millisecond
 * apart (so the clients read live messages and replays alike), or with POST send over one
 * kept-alive connection when the tests run through the app.
 */
async function produce(room: string): Promise<void> {
  const lab = s.lab;
  if (lab) {
    for (let i = 1; i <= TOTAL; i++) {
      lab.rooms.append(room, 'chat', `m${i}`);
      if (i % 50 === 0) await sleep(1);
    }
    return;
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const id = newSession();
  for (let i = 1; i <= TOTAL; i++) {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${s.url}/lab/${id}/send?room=${room}`, { method: 'POST', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(`m${i}`);
    });
    if (status !== 200) throw new Error(`send ${i} answered ${status}`);
  }
  agent.destroy();
}

test('an SSE client and a long-poll client under random drop= receive 10,000 messages: none lost, none repeated, in order', async () => {
  const room = `ref${Date.now()}`;
  const expected = Array.from({ length: TOTAL }, (_, i) => `m${i + 1}`);
  const started = performance.now();
  const [sse, poll] = await Promise.all([
    sseClient(newSession(), room),
    longPollClient(newSession(), room),
    produce(room),
  ]);
  const took = performance.now() - started;

  for (const [name, seen] of [
    ['SSE', sse],
    ['long poll', poll],
  ] as const) {
    assert.deepEqual(seen.errors, [], `${name}: breaks in the id sequence`);
    assert.equal(seen.chats.length, TOTAL, `${name}: chat messages received`);
    assert.ok(
      seen.chats.every((text, i) => text === expected[i]),
      `${name}: chat messages out of order or changed`,
    );
  }
  assert.ok(sse.connections > 20, `the SSE client reconnected only ${sse.connections - 1} times`);
  assert.ok(poll.connections > 20, `the long-poll client asked only ${poll.connections} times`);
  console.log(
    `10,000 messages in ${Math.round(took)} ms; SSE connections ${sse.connections}, polls ${poll.connections}`,
  );
});
