/**
 * The exercises of lessons 1, 4 and 10 test what they teach: each check, given the facts of a
 * real run (real sockets against the real server, read back from the capture) and the console a
 * learner's code would print, fails for the naive answer and passes for the right one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import lesson1 from '../../content/01-reading-the-wire/checks.ts';
import lesson4 from '../../content/04-comet-xhr-streaming/checks.ts';
import lesson10 from '../../content/10-choosing/checks.ts';
import { factsFromRecords } from '../../src/checks/facts.ts';
import { captureSnapshot } from '../../src/checks/snapshot.ts';
import type { ConsoleEntry, LessonChecks, Verdict } from '../../src/checks/types.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { raw, request, SseParser } from './lab-wire.ts';
import { assertFails } from '../helpers/verdicts.ts';

const server = await startTestServer({ tickIntervalMs: 50, splitGapMs: 5 });

const log = (...texts: string[]): ConsoleEntry[] => texts.map((text) => ({ level: 'log', text }));
const error = (text: string): ConsoleEntry => ({ level: 'error', text });

/** Runs `lesson`'s exercise check on the session's capture and `console`. */
async function verdict(lesson: LessonChecks, session: string, console: ConsoleEntry[]): Promise<Verdict> {
  const facts = factsFromRecords(await captureSnapshot(session, { origin: server.url }), console);
  return lesson.exercise!.check(facts);
}

describe("lesson 1: count the body's bytes", () => {
  it('fails for body.length and passes for the bytes TextEncoder counts, on a body beyond ASCII', async () => {
    const session = newSessionId();
    const res = await fetch(`${server.url}/lab/${session}/time?lang=en`);
    const body = await res.text();
    const bytes = new TextEncoder().encode(body).length;
    assert.notEqual(body.length, bytes);
    const shown = log(body, `Content-Length: ${res.headers.get('content-length')}`);

    const naive = await verdict(lesson1, session, [...shown, ...log(`bytes in the body: ${body.length}`)]);
    assertFails(naive, /that is body\.length/, /这是 body\.length/);
    assert.equal(await verdict(lesson1, session, [...shown, ...log(`bytes in the body: ${bytes}`)]), true);
    assert.equal(await verdict(lesson1, session, [...shown, ...log(`响应体的字节数： ${bytes}`)]), true);
    assertFails(
      await verdict(lesson1, session, [...shown, ...log('bytes in the body: ?')]),
      /Print the number of bytes/,
      /请打印消息体的字节数/,
    );
  });

  it('asks for the body beyond ASCII when the run fetched plain time, where characters are bytes', async () => {
    const session = newSessionId();
    const body = await (await fetch(`${server.url}/lab/${session}/time`)).text();
    assertFails(
      await verdict(lesson1, session, log(`bytes in the body: ${body.length}`)),
      /Fetch time\?lang=en/,
      /time\?lang=zh/,
    );
  });
});

/** A reader's view of a stream: its chunks as they came off the wire, one read each. */
async function streamReads(session: string, query: string): Promise<Uint8Array[]> {
  const r = await raw(server.port, request('GET', `/lab/${session}/stream?${query}`), { timeoutMs: 30_000 });
  assert.equal(r.end, 'complete');
  return r.chunks.map((c) => new Uint8Array(c.data));
}

/** Lesson 4's starter: decodes each read alone and parses each piece as a line; a throw ends the run. */
function naiveReader(reads: Uint8Array[]): ConsoleEntry[] {
  const out: ConsoleEntry[] = [];
  try {
    for (const value of reads) {
      const text = new TextDecoder().decode(value);
      for (const line of text.split('\n'))
        if (line) out.push(...log(`read ${value.length} bytes → ${JSON.parse(line).text}`));
    }
  } catch (err) {
    out.push(error(`Uncaught ${(err as Error).name}: ${(err as Error).message}`));
  }
  return out;
}

/** Keeps the unfinished line, but still decodes each read alone (`stream: true` forgotten). */
function linesWithoutStreamingDecoder(reads: Uint8Array[]): ConsoleEntry[] {
  const out: ConsoleEntry[] = [];
  let pending = '';
  for (const value of reads) {
    pending += new TextDecoder().decode(value);
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        out.push(...log(JSON.parse(line).text));
      } catch {
        out.push(...log(`not JSON: ${line}`));
      }
    }
  }
  return out;
}

/** The solution: one TextDecoder with `stream: true`, and the unfinished line kept. */
function solutionReader(reads: Uint8Array[]): ConsoleEntry[] {
  const out: ConsoleEntry[] = [];
  const decoder = new TextDecoder();
  let pending = '';
  for (const value of reads) {
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) out.push(...log(`read ${value.length} bytes → ${JSON.parse(line).text}`));
  }
  return out;
}

describe('lesson 4: a stream cut anywhere, read with fetch', () => {
  it('fails for a reader that takes each read as whole lines, and for one that decodes reads apart', async () => {
    const session = newSessionId();
    // 5-byte pieces cut line 1 inside its 📨 (bytes 24–27 of the line): both mistakes show.
    const reads = await streamReads(session, 'lang=en&split=5&interval=0');
    assertFails(
      await verdict(lesson4, session, naiveReader(reads)),
      /never shows whole/,
      /始终没有完整地出现/,
    );
    assertFails(
      await verdict(lesson4, session, linesWithoutStreamingDecoder(reads)),
      /\uFFFD.*one TextDecoder and \{ stream: true \}/,
      /\uFFFD.*\{ stream: true \}/,
    );
    assert.equal(await verdict(lesson4, session, solutionReader(reads)), true);
  });

  it('passes the solution on the cuts split=random draws for the session, in Chinese too', async () => {
    const session = newSessionId();
    const reads = await streamReads(session, 'lang=zh&split=random&interval=0');
    assertFails(
      await verdict(lesson4, session, naiveReader(reads)),
      /never shows whole/,
      /始终没有完整地出现/,
    );
    assert.equal(await verdict(lesson4, session, solutionReader(reads)), true);
  });

  it('fails when the stream was not cut: one line per chunk proves nothing about cuts', async () => {
    const session = newSessionId();
    const reads = await streamReads(session, 'lang=en&interval=0');
    assertFails(
      await verdict(lesson4, session, naiveReader(reads)),
      /keep split=random/,
      /保留 split=random/,
    );
  });
});

/** Ticks of one `sse?drop=3` connection, read until the lab cuts it; resumes after `lastEventId`. */
async function sseUntilCut(session: string, lastEventId?: string): Promise<string[]> {
  const headers: Record<string, string> = lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId };
  const r = await raw(server.port, request('GET', `/lab/${session}/sse?drop=3`, headers), {
    timeoutMs: 30_000,
  });
  assert.equal(r.end, 'cut');
  const events = new SseParser().push(r.body.toString());
  return events.filter((e) => e.event === 'tick').map((e) => e.id);
}

/** Ticks of one `ws?drop=3` socket until the lab cuts it. */
function wsUntilCut(session: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/lab/${session}/ws?drop=3`);
    const ids: number[] = [];
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data)) as { id: number; type: string };
      if (m.type === 'tick') ids.push(m.id);
    };
    ws.onclose = (e) => (e.code === 1006 ? resolve(ids) : reject(new Error(`closed ${e.code}`)));
  });
}

const printTicks = (ids: Array<number | string>) => log(...ids.map((id) => `tick #${id}: 100.5`));

describe('lesson 10: a ticker through tunnels', () => {
  it('fails for the WebSocket that goes deaf at the first cut', async () => {
    const session = newSessionId();
    const ids = await wsUntilCut(session);
    assert.equal(ids.length, 3);
    assertFails(
      await verdict(lesson10, session, [...printTicks(ids), ...log('closed 1006; 3 ticks so far')]),
      /printed 3 of 6 ticks/,
      /只打印了 6 条中的 3 条/,
    );
  });

  it('passes for EventSource-style resume after each cut (Last-Event-ID), in either language', async () => {
    const session = newSessionId();
    const first = await sseUntilCut(session);
    const second = await sseUntilCut(session, first.at(-1));
    const ids = [...first, ...second];
    assert.equal(ids.length, 6);
    assert.equal(await verdict(lesson10, session, printTicks(ids)), true);
    assert.equal(await verdict(lesson10, session, log(...ids.map((id) => `行情 #${id}：100.5`))), true);
  });

  it('fails for a reconnect that asks again from the start: ticks printed twice', async () => {
    const session = newSessionId();
    const first = await sseUntilCut(session);
    const again = await sseUntilCut(session, String(Number(first[0]) - 1));
    assertFails(
      await verdict(lesson10, session, printTicks([...first, ...again])),
      new RegExp(`Tick #${first[0]} is printed twice`),
      /被打印了两次/,
    );
  });

  it('fails without drop=3: a run with no tunnel proves nothing', async () => {
    const session = newSessionId();
    const r = await raw(server.port, request('GET', `/lab/${session}/sse?count=6`), { timeoutMs: 30_000 });
    const ids = new SseParser().push(r.body.toString()).map((e) => e.id);
    assertFails(await verdict(lesson10, session, printTicks(ids)), /keep drop=3/, /保留 drop=3/);
  });

  it('fails for polling: a request per tick', async () => {
    const session = newSessionId();
    await sseUntilCut(session); // the tunnel
    const printed: number[] = [];
    let since = 0;
    while (printed.length < 6) {
      const answer = await raw(server.port, request('GET', `/lab/${session}/poll?since=${since}`));
      const { messages, last } = JSON.parse(answer.body.toString()) as {
        messages: { id: number }[];
        last: number;
      };
      printed.push(
        ...messages
          .map((m) => m.id)
          .filter((id) => id > (printed.at(-1) ?? 0))
          .slice(0, 1),
      );
      since = printed.at(-1) ?? last;
    }
    assertFails(
      await verdict(lesson10, session, printTicks(printed)),
      /requests for 6 ticks: polling pays/,
      /轮询每得到一个应答/,
    );
  });
});
