/**
 * The boundary trackers give every byte to the session of the message it
 * belongs to — for every way the bytes can be split into reads and writes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Exchange,
  type Owner,
  type RangeSink,
  RequestBoundaries,
  ResponseBoundaries,
} from '../../server/capture/http-boundaries.ts';
import { sessionOfTarget } from '../../server/capture/session-of-target.ts';

const A = 'sessionAAAA';
const B = 'sessionBBBB';

type Segment = [text: string, owner: Owner];

/** Feeds `pieces` to a tracker and returns the owner it gave each byte, in order. */
function attribute(push: (chunk: Buffer, sink: RangeSink) => void, pieces: Buffer[]): Owner[] {
  const owners: Owner[] = [];
  let held = 0;
  let chunkLength = 0;
  const sink: RangeSink = {
    bytes(owner, start, end) {
      for (let i = start; i < Math.min(end, chunkLength); i++) owners.push(owner);
    },
    hold(start, end) {
      held += end - start;
    },
    release(owner) {
      // held bytes come first: they precede everything given since
      for (; held > 0; held--) owners.push(owner);
    },
  };
  for (const piece of pieces) {
    chunkLength = piece.length;
    push(piece, sink);
  }
  for (; held > 0; held--) owners.push(undefined as unknown as Owner); // still held at the end
  return owners;
}

function expected(segments: Segment[]): { bytes: Buffer; owners: Owner[] } {
  const owners: Owner[] = [];
  for (const [text, owner] of segments)
    for (let i = 0; i < Buffer.byteLength(text, 'latin1'); i++) owners.push(owner);
  return { bytes: Buffer.from(segments.map((s) => s[0]).join(''), 'latin1'), owners };
}

/** Every way to cut `bytes` in two, plus one byte at a time. */
function splits(bytes: Buffer): Buffer[][] {
  const all: Buffer[][] = [[bytes]];
  for (let i = 1; i < bytes.length; i++) all.push([bytes.subarray(0, i), bytes.subarray(i)]);
  all.push([...bytes].map((b) => Buffer.from([b])));
  return all;
}

const requests: Segment[] = [
  [`GET /lab/${A}/time HTTP/1.1\r\nHost: x\r\n\r\n`, A],
  [`POST /lab/${B}/send HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello`, B],
  ['GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n', null],
  [
    `\r\nPOST /lab/${A}/send HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nTrailer: 1\r\n\r\n`,
    A,
  ],
  ['GET /inspect/sessionAAAA HTTP/1.1\r\nHost: x\r\n\r\n', null],
  [
    `GET /lab/${B}/ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\n\x81\x85maskdata`,
    B,
  ],
];

test('every byte of pipelined requests goes to its own session, however the reads split', () => {
  const { bytes, owners } = expected(requests);
  for (const pieces of splits(bytes)) {
    const pending: Exchange[] = [];
    const tracker = new RequestBoundaries(pending, sessionOfTarget);
    assert.deepEqual(
      attribute((c, s) => tracker.push(c, s), pieces),
      owners,
      `split ${pieces[0]?.length}`,
    );
    assert.deepEqual(
      pending.map((e) => e.owner),
      [A, B, null, A, null, B],
    );
  }
});

const responses: Segment[] = [
  ['HTTP/1.1 100 Continue\r\n\r\n', A],
  ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc', A],
  ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', B], // answers HEAD: no body
  ['HTTP/1.1 204 No Content\r\n\r\n', null],
  ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\nwxyz\r\n0\r\n\r\n', A],
  ['HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n', B],
  ['HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x03abc\x88\x00', A],
];

test('every byte of responses goes to the request it answers, however the writes split', () => {
  const { bytes, owners } = expected(responses);
  for (const pieces of splits(bytes)) {
    const pending: Exchange[] = [
      { owner: A, method: 'POST' },
      { owner: B, method: 'HEAD' },
      { owner: null, method: 'GET' },
      { owner: A, method: 'GET' },
      { owner: B, method: 'GET' },
      { owner: A, method: 'GET' },
    ];
    const tracker = new ResponseBoundaries(pending);
    assert.deepEqual(
      attribute((c, s) => tracker.push(c, s), pieces),
      owners,
      `split ${pieces[0]?.length}`,
    );
    assert.equal(pending.length, 0);
  }
});

test('a response with neither length nor chunking runs to the close, in its request’s session', () => {
  const pending: Exchange[] = [{ owner: A, method: 'GET' }];
  const tracker = new ResponseBoundaries(pending);
  const text = 'HTTP/1.0 200 OK\r\n\r\nstreaming until close HTTP/1.1 200 OK\r\n\r\n';
  assert.deepEqual(
    attribute((c, s) => tracker.push(c, s), [Buffer.from(text)]),
    Array(text.length).fill(A),
  );
});

test('after a malformed request, nothing more on the connection is given to anyone', () => {
  const segments: Segment[] = [
    [`POST /lab/${A}/send HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n`, A],
    [`abcGET /lab/${B}/time HTTP/1.1\r\n\r\n`, null],
  ];
  const { bytes, owners } = expected(segments);
  const tracker = new RequestBoundaries([], sessionOfTarget);
  assert.deepEqual(
    attribute((c, s) => tracker.push(c, s), [bytes]),
    owners,
  );
  assert.equal(tracker.silent, true);
});

test('a request line that is not one gives its bytes and the rest to nobody', () => {
  const text = `GARBAGE\r\nGET /lab/${A}/time HTTP/1.1\r\n\r\n`;
  for (const pieces of splits(Buffer.from(text))) {
    const tracker = new RequestBoundaries([], sessionOfTarget);
    assert.deepEqual(
      attribute((c, s) => tracker.push(c, s), pieces),
      Array(text.length).fill(null),
    );
  }
});

test('targets name a session the way the lab reads them (WHATWG URL path)', () => {
  assert.equal(sessionOfTarget(`/lab/${A}/time?x=1.5`), A);
  assert.equal(sessionOfTarget(`/lab/${A}`), A);
  assert.equal(sessionOfTarget(`http://host:1/lab/${A}/sse`), A);
  // The playground's deploy and console polls are not the learner's bytes; the handler's answers are.
  assert.equal(sessionOfTarget(`/lab/${A}/mine`), null);
  assert.equal(sessionOfTarget(`/lab/${A}/mine?after=3`), null);
  assert.equal(sessionOfTarget(`/lab/${A}/mine/stream`), A);
  assert.equal(sessionOfTarget(`/lab/${A}/mine/`), A);
  assert.equal(sessionOfTarget(`/lab/${A}/../${B}/time`), B);
  assert.equal(sessionOfTarget(`/lab/${A}/%2e%2e/${B}/time`), B);
  assert.equal(sessionOfTarget(`/x/../lab/${A}/time`), A);
  assert.equal(sessionOfTarget(`/lab/${A}/../../index.html`), null);
  assert.equal(sessionOfTarget('/lab/short/time'), null);
  assert.equal(sessionOfTarget(`/inspect/${A}`), null);
  assert.equal(sessionOfTarget('*'), null);
  assert.equal(sessionOfTarget('example.com:443'), null);
});
