/**
 * Lesson 13 ("Write an SSE endpoint"), below the UI: each step's handler is deployed to
 * `/lab/<session>/mine` and read over real sockets the way the step's EventSource reads it
 * (`Origin: null`, `Accept: text/event-stream`, and on each reconnect the `Last-Event-ID` of the
 * last event received); the lesson's checks then read the captured bytes. Every step's traffic
 * check passes with its starters, and the exercise fails for its starter and for the two
 * classic wrong resumes, and passes for the solution, in both languages.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, it } from 'node:test';
import lesson13 from '../../content/13-write-an-sse-endpoint/checks.ts';
import { factsFromRecords } from '../../src/checks/facts.ts';
import { captureSnapshot } from '../../src/checks/snapshot.ts';
import type { WireFacts } from '../../src/checks/types.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { type RawResponse, raw, request, SseParser } from './lab-wire.ts';
import { deploy, deployOk } from './mine-harness.ts';
import { assertFails } from '../helpers/verdicts.ts';

const server = await startTestServer({ requestsPerSecond: 1_000, tickIntervalMs: 3_600_000 });

const lessonFile = (name: string): string =>
  readFileSync(new URL(`../../content/13-write-an-sse-endpoint/${name}`, import.meta.url), 'utf8');

/** The headers Chromium's EventSource sends from the runner (an opaque origin). */
const eventSourceHeaders = { Accept: 'text/event-stream', 'Cache-Control': 'no-cache', Origin: 'null' };

async function facts(session: string): Promise<WireFacts> {
  return factsFromRecords(await captureSnapshot(session, { origin: server.url }), []);
}

/** One GET of the handler as EventSource makes it; read to the end of the response. */
function open(session: string, path: string, lastEventId?: string): Promise<RawResponse> {
  const headers: Record<string, string> = { ...eventSourceHeaders };
  if (lastEventId) headers['Last-Event-ID'] = lastEventId;
  return raw(server.port, request('GET', `/lab/${session}/mine/${path}`, headers), { timeoutMs: 20_000 });
}

/**
 * What the step's EventSource does with `?drop=3`: reads a stream to its end, then reconnects
 * with the last id it received, until it holds 9 events (as the client closes then) or the
 * server answers something other than an event stream. Returns the ids received, in order.
 */
async function readWithReconnects(session: string): Promise<string[]> {
  const parser = new SseParser();
  const ids: string[] = [];
  for (let attempt = 0; attempt < 6 && ids.length < 9; attempt++) {
    const r = await open(session, 'headlines?drop=3', parser.lastEventId);
    if (r.status !== 200) break;
    for (const e of parser.push(r.body.toString('utf8'))) ids.push(e.id);
    parser.reset();
  }
  return ids;
}

/**
 * The same, the way Chromium does it: every stream ends with its last chunk, so the connection
 * stays open and the reconnect goes out on it (keep-alive). Three requests, one connection.
 */
async function readOnOneConnection(session: string): Promise<string[]> {
  const socket = net.connect(server.port, '127.0.0.1');
  socket.setEncoding('latin1');
  let received = '';
  socket.on('data', (text: string) => {
    received += text;
  });
  const parser = new SseParser();
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const headers = Object.entries(eventSourceHeaders).map(([k, v]) => `${k}: ${v}\r\n`);
    if (parser.lastEventId) headers.push(`Last-Event-ID: ${parser.lastEventId}\r\n`);
    received = '';
    socket.write(
      `GET /lab/${session}/mine/headlines?drop=3 HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.join('')}\r\n`,
    );
    const deadline = Date.now() + 20_000;
    while (!received.endsWith('\r\n0\r\n\r\n')) {
      assert.ok(Date.now() < deadline, `no end of response ${i + 1}: ${received.slice(0, 300)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // De-chunk (RFC 9112 §7.1): size line, data, CRLF; the event stream is UTF-8.
    let body = received.slice(received.indexOf('\r\n\r\n') + 4);
    let data = '';
    for (;;) {
      const eol = body.indexOf('\r\n');
      const size = Number.parseInt(body.slice(0, eol), 16);
      if (size === 0) break;
      data += body.slice(eol + 2, eol + 2 + size);
      body = body.slice(eol + 2 + size + 2);
    }
    for (const e of parser.push(Buffer.from(data, 'latin1').toString('utf8'))) ids.push(e.id);
  }
  socket.destroy();
  return ids;
}

describe('lesson 13: every server file deploys', () => {
  for (const name of [
    'data-lines.server.js',
    'data-lines.server.zh.js',
    'ids-and-retry.server.js',
    'ids-and-retry.server.zh.js',
    'resume.server.js',
    'resume.server.zh.js',
    'resume.server.solution.js',
    'resume.server.solution.zh.js',
  ]) {
    it(`${name} deploys (PUT 200)`, async () => {
      const d = await deploy(server.port, newSessionId(), lessonFile(name));
      assert.equal(d.status, 200, JSON.stringify(d.body));
    });
  }
});

describe('lesson 13: the steps’ traffic with their starters', () => {
  it('data-lines: five data: events, each flushed as a chunk, with a CORS header', async () => {
    const session = newSessionId();
    await deployOk(server.port, session, lessonFile('data-lines.server.js'));
    const r = await open(session, 'clock');
    assert.equal(r.end, 'complete');
    const events = new SseParser().push(r.body.toString('utf8'));
    assert.equal(events.length, 5);
    assert.match(events[0]?.data ?? '', /^The server time is \d\d:\d\d:\d\d$/);
    assert.equal(lesson13.traffic?.['data-lines']?.(await facts(session)), true);
  });

  it('data-lines: fails for a handler that forgets to flush (one late download)', async () => {
    const session = newSessionId();
    await deployOk(server.port, session, lessonFile('data-lines.server.js').replace('res.flush();', ''));
    await open(session, 'clock');
    assertFails(lesson13.traffic!['data-lines']!(await facts(session)), /res\.flush\(\)/, /res\.flush\(\)/);
  });

  it('ids-and-retry: ids, a named event and retry, and a reconnect with Last-Event-ID after drop=3', async () => {
    const session = newSessionId();
    await deployOk(server.port, session, lessonFile('ids-and-retry.server.js'));
    const ids = await readWithReconnects(session);
    assert.deepEqual(ids, ['1', '2', '3', '1', '2', '3', '1', '2', '3'], 'the starter starts again from 1');
    assert.equal(lesson13.traffic?.['ids-and-retry']?.(await facts(session)), true);
  });

  it('resume: the starter’s stream is an event stream (the browser then refuses its `*`)', async () => {
    const session = newSessionId();
    await deployOk(server.port, session, lessonFile('resume.server.js'));
    const r = await open(session, 'headlines?drop=3');
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.equal(lesson13.traffic?.resume?.(await facts(session)), true);
  });
});

describe('lesson 13 exercise: resume after Last-Event-ID, with the exact origin', () => {
  it('fails for the starter: `*` is refused with credentials (the browser reads one head and gives up)', async () => {
    const session = newSessionId();
    await deployOk(server.port, session, lessonFile('resume.server.js'));
    await open(session, 'headlines?drop=3');
    assertFails(
      lesson13.exercise!.check(await facts(session)),
      /Origin: null.*Access-Control-Allow-Origin: \*/,
      /Origin: null.*Access-Control-Allow-Origin: \*/,
    );
  });

  /** The solution's CORS lines with the starter's `next = 1`: the exact origin, no resume. */
  const restartsFromOne = lessonFile('resume.server.solution.js').replace(
    /const after = [^\n]*\n\s*let next = [^\n]*\n/,
    'let next = 1;\n',
  );
  /** Resumes *at* the id received instead of after it: the last event of each stream comes twice. */
  const repeatsLast = lessonFile('resume.server.solution.js').replace(': 0) + 1;', ': 1);');

  it('fails for a handler that sends the exact origin but starts again from 1', async () => {
    assert.notEqual(restartsFromOne, lessonFile('resume.server.solution.js'));
    const session = newSessionId();
    await deployOk(server.port, session, restartsFromOne);
    assert.deepEqual((await readWithReconnects(session)).slice(0, 4), ['1', '2', '3', '1']);
    assertFails(
      lesson13.exercise!.check(await facts(session)),
      /resume after 3, and your handler started again from 1: events 1–3 came twice/,
      /从 3 之后继续，你的处理函数却又从 1 开始：事件 1–3 收到了两次/,
    );
  });

  it('fails for a handler that resumes at the id received, repeating it', async () => {
    assert.notEqual(repeatsLast, lessonFile('resume.server.solution.js'));
    const session = newSessionId();
    await deployOk(server.port, session, repeatsLast);
    assert.deepEqual((await readWithReconnects(session)).slice(0, 4), ['1', '2', '3', '3']);
    assertFails(
      lesson13.exercise!.check(await facts(session)),
      /resume after 3, and your handler sent 3 again/,
      /从 3 之后继续，你的处理函数却把 3 又发了一遍/,
    );
  });

  it('fails for a handler that resumes but forgets Vary: Origin', async () => {
    const session = newSessionId();
    await deployOk(
      server.port,
      session,
      lessonFile('resume.server.solution.js').replace("res.setHeader('Vary', 'Origin');", ''),
    );
    await readWithReconnects(session);
    assertFails(lesson13.exercise!.check(await facts(session)), /Vary: Origin/, /Vary: Origin/);
  });

  it('fails for a handler that skips the event after the id received', async () => {
    const skips = lessonFile('resume.server.solution.js').replace(
      '? after : 0) + 1;',
      '? after + 1 : 0) + 1;',
    );
    assert.notEqual(skips, lessonFile('resume.server.solution.js'));
    const session = newSessionId();
    await deployOk(server.port, session, skips);
    assert.deepEqual((await readWithReconnects(session)).slice(0, 4), ['1', '2', '3', '5']);
    assertFails(
      lesson13.exercise!.check(await facts(session)),
      /resume after 3, and your handler began at 5: 4 never arrived/,
      /从 3 之后继续，你的处理函数却从 5 开始：4 就这样丢了/,
    );
  });

  it('reads each response apart when the reconnects share one kept-alive connection, as in Chromium', async () => {
    const session = newSessionId();
    await deployOk(server.port, session, lessonFile('resume.server.solution.js'));
    assert.deepEqual(await readOnOneConnection(session), ['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const wire = await facts(session);
    const streams = wire.exchanges.filter((e) => e.endpoint.startsWith('mine/'));
    assert.equal(new Set(streams.map((e) => e.conn)).size, 1, 'one connection');
    assert.equal(streams.length, 3);
    assert.equal(lesson13.exercise!.check(wire), true);

    const again = newSessionId();
    await deployOk(server.port, again, restartsFromOne);
    assert.deepEqual((await readOnOneConnection(again)).slice(0, 4), ['1', '2', '3', '1']);
    assertFails(lesson13.exercise!.check(await facts(again)), /started again from 1/, /又从 1 开始/);
  });

  for (const name of ['resume.server.solution.js', 'resume.server.solution.zh.js']) {
    it(`passes for ${name}: every event exactly once across three connections, then 204`, async () => {
      const session = newSessionId();
      await deployOk(server.port, session, lessonFile(name));
      const ids = await readWithReconnects(session);
      assert.deepEqual(ids, ['1', '2', '3', '4', '5', '6', '7', '8', '9']);
      const wire = await facts(session);
      const reconnects = wire.exchanges.filter((e) => e.requestHeaders['last-event-id'] !== undefined);
      assert.deepEqual(
        reconnects.map((e) => e.requestHeaders['last-event-id']),
        ['3', '6'],
        'two reconnects, each after the last id received',
      );
      assert.equal(
        wire.exchanges.find((e) => e.endpoint.startsWith('mine/'))?.responseHeaders[
          'access-control-allow-origin'
        ],
        'null',
        'the exact origin, echoed',
      );
      assert.equal(lesson13.exercise!.check(wire), true);
      // Past the end of the log the handler says stop: EventSource does not reconnect after 204.
      const done = await open(session, 'headlines?drop=3', '9');
      assert.equal(done.status, 204);
      assert.equal(lesson13.exercise!.check(await facts(session)), true, 'a 204 at the end still passes');
    });
  }
});
