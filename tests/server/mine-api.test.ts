/**
 * A learner's own handler (`/lab/<session>/mine`), checked on the wire: what the handler sees of
 * the request, how flush() and end() decide the framing, SSE with id/event/retry and
 * Last-Event-ID, the session's feed, the console, and the inspector showing the handler's bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { InspectorClient, RawClient, until } from './capture-harness.ts';
import { raw, request, SseParser } from './lab-wire.ts';
import { consoleOf, deploy, deployOk, getMine, waitForConsole } from './mine-harness.ts';

const s = await startTestServer({ requestsPerSecond: 1_000, tickIntervalMs: 3_600_000 });

test('the handler sees the method, path, query, headers, body and Last-Event-ID of the request', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(req));
    });`,
  );
  const answer = await raw(
    s.port,
    request(
      'POST',
      `/lab/${session}/mine/a/b?x=1&y=two`,
      { 'Last-Event-ID': '41', 'X-Hello': 'there' },
      'the body',
    ),
  );
  assert.equal(answer.status, 200);
  const seen = JSON.parse(answer.body.toString()) as Record<string, unknown>;
  assert.equal(seen.method, 'POST');
  assert.equal(seen.path, '/a/b');
  assert.deepEqual(seen.query, { x: '1', y: 'two' });
  assert.equal((seen.headers as Record<string, string>)['x-hello'], 'there');
  assert.equal(seen.body, 'the body');
  assert.equal(seen.lastEventId, '41');
});

test('end() with no flush() before it answers one body with Content-Length, however many writes', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
      let i = 0;
      const t = setInterval(() => {
        res.write('line ' + i + '\\n');
        if (++i === 3) { clearInterval(t); res.end(); }
      }, 30);
    });`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 200);
  assert.equal(answer.chunked, false, 'not chunked');
  assert.equal(answer.headers['content-length'], String('line 0\nline 1\nline 2\n'.length));
  assert.equal(
    answer.body.toString(),
    'line 0\nline 1\nline 2\n',
    'all of it, at the end: one late download',
  );
});

test('each flush() before end() goes out as a chunk of its own (Transfer-Encoding: chunked)', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
      let i = 0;
      const t = setInterval(() => {
        res.write('{"n":' + i + '}\\n');
        res.flush();
        if (++i === 3) { clearInterval(t); res.end(); }
      }, 100);
    });`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 200);
  assert.equal(answer.chunked, true);
  assert.equal(answer.headers['content-length'], undefined);
  assert.deepEqual(
    answer.chunks.map((c) => c.data.toString()),
    ['{"n":0}\n', '{"n":1}\n', '{"n":2}\n'],
    'one chunk per flush',
  );
  assert.ok(answer.reads.length >= 3, `the chunks came in separate reads (${answer.reads.length})`);
  assert.equal(answer.end, 'complete', 'ended with the last chunk');
});

test('an HTTP/1.0 client gets the flushed stream close-delimited, never chunked', async () => {
  const session = newSessionId();
  await deployOk(s.port, session, `onRequest((req, res) => { res.write('a'); res.flush(); res.end('b'); });`);
  const client = await RawClient.connect(s.port);
  client.send(`GET /lab/${session}/mine/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`);
  await client.waitClosed();
  const text = client.received.toString('latin1');
  assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.doesNotMatch(text, /transfer-encoding/i);
  assert.doesNotMatch(text, /content-length/i);
  assert.ok(text.endsWith('\r\n\r\nab'), `the body runs to the close: ${JSON.stringify(text)}`);
});

test('a handler streams SSE with id, event and retry, and resumes after Last-Event-ID', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
      res.setHeader('Content-Type', 'text/event-stream');
      res.setHeader('Access-Control-Allow-Origin', 'null');
      res.write('retry: 1500\\n\\n');
      let id = Number(req.lastEventId ?? 0);
      const last = id + 3;
      const t = setInterval(() => {
        id++;
        res.write('id: ' + id + '\\nevent: count\\ndata: ' + id + '\\n\\n');
        res.flush();
        if (id === last) { clearInterval(t); res.end(); }
      }, 20);
    });`,
  );
  const first = await getMine(s.port, session, '/events');
  assert.equal(first.headers['content-type'], 'text/event-stream');
  assert.equal(
    first.headers['access-control-allow-origin'],
    'null',
    'the learner’s own CORS header, exactly',
  );
  const parser = new SseParser();
  const events = parser.push(first.body.toString());
  assert.equal(parser.retry, 1500);
  assert.deepEqual(
    events.map((e) => [e.id, e.event, e.data]),
    [
      ['1', 'count', '1'],
      ['2', 'count', '2'],
      ['3', 'count', '3'],
    ],
  );
  const again = await getMine(s.port, session, '/events', { 'Last-Event-ID': parser.lastEventId });
  const resumed = new SseParser().push(again.body.toString());
  assert.deepEqual(
    resumed.map((e) => e.id),
    ['4', '5', '6'],
    'resumes after Last-Event-ID without repeating',
  );
});

test('the lab adds no CORS header to a handler’s answer: the learner’s code decides', async () => {
  const session = newSessionId();
  await deployOk(s.port, session, `onRequest((req, res) => res.end('x'));`);
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.headers['access-control-allow-origin'], undefined);
});

test('feed.append reaches the built-in endpoints, and feed.read and feed.subscribe see their messages', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest(async (req, res) => {
      if (req.method === 'POST') { feed.append({ said: req.body }); res.end('ok'); return; }
      if (req.path === '/read') {
        const { messages } = await feed.read(Number(req.query.since ?? 0));
        res.end(JSON.stringify(messages.map((m) => m.data)));
        return;
      }
      const stop = feed.subscribe((m) => { res.end(JSON.stringify(m)); stop(); });
      res.write(''); res.flush();
    });`,
  );
  const waiting = await RawClient.connect(s.port);
  waiting.send(`GET /lab/${session}/mine/wait HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  await waiting.waitFor('HTTP/1.1 200', 1, 15_000); // the head goes out once it subscribed
  const posted = await raw(s.port, request('POST', `/lab/${session}/mine/say`, {}, 'hello'));
  assert.equal(posted.status, 200);
  await waiting.waitFor('\r\n0\r\n\r\n', 1, 15_000);
  const text = waiting.received.toString('utf8');
  const json = text.slice(text.indexOf('{"id"'), text.lastIndexOf('}') + 1);
  const heard = JSON.parse(json) as { id: number; type: string; data: unknown };
  assert.equal(heard.type, 'chat');
  assert.deepEqual(heard.data, { said: 'hello' });
  waiting.socket.destroy();
  const read = await getMine(s.port, session, '/read?since=0');
  assert.deepEqual(JSON.parse(read.body.toString()), [{ said: 'hello' }]);
  const news = await raw(s.port, request('GET', `/lab/${session}/news?since=0`));
  assert.match(news.body.toString(), /"said":"hello"/, 'the built-in news endpoint reads the same feed');
});

test('console.log lines are kept per session and read after a sequence number', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => { console.log('hit', req.path, { n: 1 }); res.end(); });`,
  );
  await getMine(s.port, session, '/one');
  const line = await waitForConsole(s.port, session, /^hit \/one/);
  assert.equal(line.text, 'hit /one {"n":1}');
  assert.equal(line.level, 'log');
  assert.equal(line.code, undefined, 'what the handler printed has no code: it is not the server speaking');
  const deployed = (await consoleOf(s.port, session)).find((l) => l.code === 'deployed');
  assert.deepEqual(deployed && { level: deployed.level, text: deployed.text, params: deployed.params }, {
    level: 'info',
    text: 'Your handler is deployed.',
    params: {},
  });
  await getMine(s.port, session, '/two');
  await waitForConsole(s.port, session, /^hit \/two/);
  const later = await consoleOf(s.port, session, line.seq);
  assert.deepEqual(
    later.map((l) => l.text),
    ['hit /two {"n":1}'],
  );
  assert.deepEqual(await consoleOf(s.port, newSessionId()), [], 'another session sees nothing of it');
});

test('a deploy answers the seq of its console line, so a reader asks only for what its code says', async () => {
  const session = newSessionId();
  const broken = await deploy(s.port, session, 'onRequest((req, res) => {');
  assert.equal(broken.status, 400);
  assert.equal(typeof broken.body.seq, 'number');
  const good = await deploy(
    s.port,
    session,
    `onRequest((req, res) => { console.log('fresh'); res.end(); });`,
  );
  assert.equal(good.status, 200);
  assert.ok((good.body.seq ?? 0) > (broken.body.seq ?? 0), 'a later deploy has a later seq');
  await getMine(s.port, session, '/x');
  await waitForConsole(s.port, session, /^fresh$/);
  assert.deepEqual(
    (await consoleOf(s.port, session, good.body.seq)).map((l) => l.text),
    ['fresh'],
    'after the deploy’s seq: only what the deployed code logged',
  );
});

test('the deploy and the console reads are not in the session’s capture; the handler’s answers are', async () => {
  const session = newSessionId();
  const inspector = await InspectorClient.open(s.port, session);
  await deployOk(s.port, session, `onRequest((req, res) => { res.end('hello from mine'); });`);
  await consoleOf(s.port, session);
  await getMine(s.port, session, '/seen');
  await until(
    () => inspector.records.some((r) => r.kind === 'close'),
    'the handler’s connection closed in the capture',
    15_000,
  );
  const conns = new Set(inspector.records.filter((r) => r.kind === 'open').map((r) => r.conn));
  const ins = [...conns].map((c) => inspector.bytes(c, 'in').toString('latin1'));
  assert.ok(
    ins.some((i) => i.includes(`GET /lab/${session}/mine/seen`)),
    'the handler’s request is shown',
  );
  assert.ok(
    !ins.some((i) => /^(PUT|GET) \/lab\/[^/]+\/mine[ ?]/m.test(i)),
    'no PUT or console read is shown',
  );
  inspector.ws.close();
});

test('res.onClose runs when the client leaves, and the request’s timers stop with it', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `let ticks = 0;
    onRequest((req, res) => {
      if (req.path === '/ticks') { res.end(String(ticks)); return; }
      setInterval(() => { ticks++; res.write('.'); res.flush(); }, 10);
      res.onClose(() => console.log('client left'));
    });`,
  );
  const client = await RawClient.connect(s.port);
  client.send(`GET /lab/${session}/mine/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  await client.waitFor('.', 3);
  client.socket.destroy();
  await waitForConsole(s.port, session, /^client left$/);
  const a = Number((await getMine(s.port, session, '/ticks')).body.toString());
  await new Promise((r) => setTimeout(r, 200)); // twenty intervals, were it still running
  const b = Number((await getMine(s.port, session, '/ticks')).body.toString());
  assert.equal(b, a, 'no tick after the client left');
});

test('framing headers are the server’s: setting Content-Length throws a message that says why', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {\n  res.setHeader('Content-Length', '5');\n  res.end('hello');\n});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 500);
  assert.match(answer.body.toString(), /Content-Length is set by the server/);
  assert.match(answer.body.toString(), /line 2/);
});

test('the inspector shows the bytes the handler wrote, on the session’s own capture', async () => {
  const session = newSessionId();
  const inspector = await InspectorClient.open(s.port, session);
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => { res.write('first '); res.flush(); res.end('and last'); });`,
  );
  await getMine(s.port, session, '/shown');
  await until(
    () => inspector.records.some((r) => r.kind === 'close'),
    'the handler’s connection closed in the capture',
    15_000,
  );
  const conns = new Set(inspector.records.filter((r) => r.kind === 'open').map((r) => r.conn));
  const outs = [...conns].map((c) => inspector.bytes(c, 'out').toString('latin1'));
  const shown = outs.find((o) => o.includes('first '));
  assert.ok(shown, 'a captured response carries the handler’s bytes');
  assert.match(shown, /transfer-encoding: chunked/i);
  assert.match(shown, /\r\n6\r\nfirst \r\n8\r\nand last\r\n0\r\n\r\n/, 'byte for byte, chunk by chunk');
  inspector.ws.close();
});

test('without a deployed handler, mine/ answers 404 saying how to deploy', async () => {
  const answer = await getMine(s.port, newSessionId(), '/x');
  assert.equal(answer.status, 404);
  assert.match(answer.body.toString(), /PUT your code/);
});

test('DELETE forgets the handler', async () => {
  const session = newSessionId();
  await deployOk(s.port, session, `onRequest((req, res) => res.end('here'));`);
  assert.equal((await getMine(s.port, session, '/')).status, 200);
  const gone = await raw(s.port, request('DELETE', `/lab/${session}/mine`));
  assert.equal(gone.status, 204);
  assert.equal((await getMine(s.port, session, '/')).status, 404);
  const d = await deploy(s.port, session, `onRequest((req, res) => res.end('back'));`);
  assert.equal(d.status, 200);
  assert.equal((await getMine(s.port, session, '/')).body.toString(), 'back');
});

test('at shutdown a handler’s stream ends properly with its last chunk', async () => {
  const own = await startTestServer({ requestsPerSecond: 1_000 });
  const session = newSessionId();
  await deployOk(own.port, session, `onRequest((req, res) => { res.write('open\\n'); res.flush(); });`);
  const client = await RawClient.connect(own.port);
  client.send(`GET /lab/${session}/mine/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  await client.waitFor('open\n', 1, 15_000);
  await own.close();
  await client.waitClosed();
  assert.ok(client.received.toString('latin1').endsWith('\r\n0\r\n\r\n'), 'the last chunk, not a cut');
});

test('the 404 for an unknown lab endpoint lists mine beside the built-in endpoints, over HTTP and WebSocket', async () => {
  const session = newSessionId();
  const answer = await raw(s.port, request('GET', `/lab/${session}/nope`));
  assert.equal(answer.status, 404);
  const text = answer.body.toString();
  assert.match(text, /GET time, .*GET sse/);
  assert.match(text, /PUT mine \(your own handler\), any method mine\/…/);
  assert.match(text, /WebSocket: ws, echo, mine\/…/);
  const upgrade = await raw(
    s.port,
    request('GET', `/lab/${session}/nope`, {
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version': '13',
    }),
  );
  assert.equal(upgrade.status, 404);
  assert.match(upgrade.body.toString(), /WebSocket endpoints: ws, echo, mine\/…/);
});
