/**
 * Bad HTTP, byte by byte over raw sockets against the real server: heads too big or with too many
 * lines, huge queries, unknown methods, broken request lines, request smuggling, pipelining.
 * Each case asserts the documented answer, then that the server still serves everyone else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { InspectorClient, RawClient, until } from '../server/capture-harness.ts';
import { raw, request } from '../server/lab-wire.ts';
import { assertStillServes } from './still-serves.ts';

// Bounds below Node's own defaults (16 KiB, 2000 lines), so each case fails if the server's
// config were not applied: Node alone would accept these heads.
const s = await startTestServer({
  tickIntervalMs: 3_600_000,
  maxHeaderBytes: 4 * 1024,
  maxHeadersCount: 20,
  requestsPerSecond: 1_000,
});

/** Sends `text` on a new connection and reads the one answer (to the server's close). */
async function answerTo(text: string | Buffer) {
  const client = await RawClient.connect(s.port);
  client.send(text);
  await until(() => client.closed, 'the server to close the connection', 15_000);
  return client.received.toString('latin1');
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

// Defence: `maxHeaderSize` from config (maxHeaderBytes) + the clientError handler's 431 with a reason.
test('a request head larger than maxHeaderBytes is answered 431 with a reason, and the connection closed', async () => {
  const id = newSessionId();
  const answer = await answerTo(
    `GET /lab/${id}/time HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(6 * 1024)}\r\n\r\n`,
  );
  assert.equal(statusOf(answer), 431, answer);
  assert.match(answer, /The request head is larger than the server accepts\./);
  assert.match(answer, /\r\nConnection: close\r\n/i);
  await assertStillServes(s.port);
});

// Defence: server.maxHeadersCount from config (Node's default is 2000 lines): past it llhttp
// reports a header overflow and the clientError handler answers 431.
test('a request with more header lines than maxHeadersCount is answered 431, not half-read', async () => {
  const id = newSessionId();
  const lines = Array.from({ length: 60 }, (_, i) => `X-Many-${i}: ${i}`).join('\r\n');
  const answer = await answerTo(`GET /lab/${id}/time HTTP/1.1\r\nHost: x\r\n${lines}\r\n\r\n`);
  assert.equal(statusOf(answer), 431, answer);
  assert.match(answer, /The request head is larger than the server accepts\./);
  // …and the lab never ran for it: the session's first real request is its seq 1.
  const after = await raw(s.port, request('GET', `/lab/${id}/time`));
  assert.equal(JSON.parse(after.body.toString()).seq, 1);
  await assertStillServes(s.port);
});

test('a WebSocket handshake with more header lines than maxHeadersCount is refused 431, no upgrade', async () => {
  const id = newSessionId();
  const lines = Array.from({ length: 60 }, (_, i) => `X-Many-${i}: ${i}`).join('\r\n');
  const answer = await answerTo(
    `GET /lab/${id}/echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${lines}\r\n\r\n`,
  );
  assert.equal(statusOf(answer), 431, answer);
  assert.doesNotMatch(answer, /101 Switching Protocols/);
  await assertStillServes(s.port);
});

// Defence: the request line counts toward maxHeaderBytes, so a huge query is a 431 too.
test('a huge query string is answered 431; a long one within the bound is served', async () => {
  const id = newSessionId();
  const huge = await answerTo(
    `GET /lab/${id}/time?junk=${'q'.repeat(64 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  );
  assert.equal(statusOf(huge), 431, huge.slice(0, 200));
  const long = await raw(s.port, request('GET', `/lab/${id}/time?_=${'1'.repeat(3000)}`));
  assert.equal(long.status, 200, 'unknown query parameters are ignored (cache busters pass)');
  await assertStillServes(s.port);
});

// Defence: the clientError handler answers an unknown method 501 (Node's own answer is a bare 400).
test('an unknown method is answered 501 with a reason; a known but unsupported one 405 with Allow', async () => {
  const id = newSessionId();
  const unknown = await answerTo(`BREW /lab/${id}/time HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.equal(statusOf(unknown), 501, unknown);
  assert.match(unknown, /Unknown request method\./);
  const known = await raw(s.port, request('DELETE', `/lab/${id}/time`));
  assert.equal(known.status, 405);
  assert.equal(known.headers.allow, 'GET, OPTIONS');
  await assertStillServes(s.port);
});

// Defence: Node's strict parser (llhttp) + the clientError handler: 400 with the parser's code.
test('broken request lines are answered 400 and closed, never passed to a handler', async () => {
  const id = newSessionId();
  const cases: Array<[string, number, string]> = [
    ['HTTP/9.9', 400, `GET /lab/${id}/time HTTP/9.9\r\nHost: x\r\n\r\n`],
    ['a control byte in the target', 400, `GET /lab/${id}/ti\x01me HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['a space in the target', 400, `GET /lab/${id}/ti me HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['a header without a colon', 400, `GET /lab/${id}/time HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n`],
    ['a space before the colon', 400, `GET /lab/${id}/time HTTP/1.1\r\nHost : x\r\n\r\n`],
    ['obs-fold', 400, `GET /lab/${id}/time HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n`],
    ['a NUL in a header value', 400, `GET /lab/${id}/time HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n`],
    ['a bare CR', 400, `GET /lab/${id}/time HTTP/1.1\rHost: x\r\n\r\n`],
    ['bare LFs', 400, `GET /lab/${id}/time HTTP/1.1\nHost: x\n\n`],
    ['HTTP/1.1 without Host', 400, `GET /lab/${id}/time HTTP/1.1\r\n\r\n`],
    [
      'a negative Content-Length',
      400,
      `POST /lab/${id}/send HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
    ],
    [
      'a chunk size that is not hex',
      400,
      `POST /lab/${id}/send HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
    ],
    [
      'a 72-bit chunk size',
      400,
      `POST /lab/${id}/send HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n`,
    ],
    ['a lower-case method', 501, `get /lab/${id}/time HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['a TLS ClientHello on the plain port', 501, '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n'],
  ];
  for (const [name, status, text] of cases) {
    const answer = await answerTo(Buffer.from(text, 'latin1'));
    assert.equal(statusOf(answer), status, `${name}: ${JSON.stringify(answer)}`);
    assert.match(answer, /Connection: close/i, name);
  }
  // None of them reached the lab: the session's first real time request is seq 1.
  const after = await raw(s.port, request('GET', `/lab/${id}/time`));
  assert.equal(JSON.parse(after.body.toString()).seq, 1, 'no broken request was handled');
  await assertStillServes(s.port);
});

// Defence: llhttp refuses Content-Length with Transfer-Encoding (RFC 9112 §6.1), the clientError
// handler closes the connection, and the capture goes blind rather than guess where the next
// request starts: the smuggled request is neither run nor recorded.
test('Content-Length with Transfer-Encoding is a 400 and closes: the smuggled request never runs nor shows', async () => {
  const front = newSessionId();
  const victim = newSessionId();
  const inspector = await InspectorClient.open(s.port, victim);
  const smuggled = `GET /lab/${victim}/time HTTP/1.1\r\nHost: x\r\n\r\n`;
  const variants = [
    // CL.TE: a front end reading Content-Length and a back end reading chunked disagree
    `POST /lab/${front}/send HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    // TE.CL, the header order swapped
    `POST /lab/${front}/send HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n${smuggled}`,
    // two Content-Lengths that disagree
    `POST /lab/${front}/send HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n${smuggled}`,
    // a coding after chunked: the length of the body is unknowable (RFC 9112 §6.3)
    `POST /lab/${front}/send HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${smuggled}`,
  ];
  for (const text of variants) {
    const answer = await answerTo(text);
    assert.equal(statusOf(answer), 400, answer);
    assert.equal(answer.split('HTTP/1.1 ').length - 1, 1, `one answer only: ${answer}`);
  }
  const legit = await raw(s.port, request('GET', `/lab/${victim}/time`));
  assert.equal(JSON.parse(legit.body.toString()).seq, 1, 'the smuggled time requests never ran');
  await inspector.waitFor((rs) => rs.some((r) => r.kind === 'close'), 'the legit request in the capture');
  const conns = new Set(inspector.records.map((r) => r.conn));
  assert.equal(conns.size, 1, 'the victim’s capture holds its own connection only');
  assert.match(inspector.bytes(1, 'in').toString('latin1'), /^GET \/lab\/[^/]+\/time HTTP\/1\.1\r\nHost/);
  inspector.close();
  await assertStillServes(s.port);
});

// Defence: Node answers pipelined requests in order (RFC 9112 §9.3.2), even when the first is held.
test('pipelined requests are answered in order, a held long poll first', async () => {
  const id = newSessionId();
  const client = await RawClient.connect(s.port);
  const get = (path: string) => `GET /lab/${id}/${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
  client.send(get('poll?timeout=300') + get('time') + get('news') + get('time'));
  await client.waitFor('HTTP/1.1 ', 4, 15_000);
  await client.waitFor('"seq":2', 1, 15_000);
  const text = client.received.toString('latin1');
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
  assert.deepEqual(statuses, [204, 200, 200, 200]);
  const seq1 = text.indexOf('"seq":1');
  const news = text.indexOf('"messages"');
  const seq2 = text.indexOf('"seq":2');
  assert.ok(seq1 > 0 && seq1 < news && news < seq2, text);
  client.socket.destroy();
  await assertStillServes(s.port);
});
