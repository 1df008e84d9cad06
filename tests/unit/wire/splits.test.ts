/**
 * The dissectors' central promise: the items are the same however the bytes were cut into
 * reads. Each conversation is fed whole, cut in two at every offset, one byte at a time, and
 * shredded at random (seeded), and every result must equal the whole one — kinds, ranges, values,
 * notes, errors and times.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Chunk } from './conversation.ts';
import { chunk, cutAt, dissect, join, kinds, prng, shred, utf8Bytes, wsFrame } from './conversation.ts';

const KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

/** Returns the conversation with each chunk timed by its position (pieces of a chunk share its time). */
const timed = (chunks: Chunk[]): Chunk[] => chunks.map((c, i) => ({ ...c, t: 1000 * (i + 1) }));

/** Returns a chunked body: `text` cut into chunks of the given sizes (the rest in one more chunk), then the last chunk. */
function chunked(text: string | Uint8Array, sizes: number[], last = '0\r\n\r\n'): Uint8Array {
  const data = typeof text === 'string' ? utf8Bytes(text) : text;
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const n of [...sizes, data.length]) {
    if (at >= data.length) break;
    const piece = data.subarray(at, at + n);
    parts.push(utf8Bytes(`${piece.length.toString(16)}\r\n`), piece, utf8Bytes('\r\n'));
    at += piece.length;
  }
  return join(...parts, utf8Bytes(last));
}

const keepAlive = timed([
  chunk('in', 'GET /lab/s1/time HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n'),
  chunk(
    'out',
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 16\r\n\r\nIt is 12:00 ☀\n',
  ),
  chunk(
    'in',
    'POST /lab/s1/echo HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhelloHEAD /lab/s1/time HTTP/1.1\r\n\r\n',
  ),
  chunk(
    'out',
    join(
      utf8Bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Count\r\n\r\n'),
      chunked('hello', [2]).subarray(0, -2),
      utf8Bytes('X-Count: 2\r\n\r\n'),
    ),
  ),
  chunk('out', 'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n'),
  chunk('in', 'GET /lab/s1/stream HTTP/1.1\r\n\r\n'),
  chunk(
    'out',
    join(
      utf8Bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'),
      chunked('tick 1\ntick 2\n', [7], ''),
      utf8Bytes('5;last\r\ntic'),
    ),
  ),
]);

const sseBody = join(
  Uint8Array.of(0xef, 0xbb, 0xbf),
  utf8Bytes(': welcome\r\n\r\nretry: 3000\r\nid: 1\r\nevent: tick\r\ndata: 1\r\n\r\n'),
  utf8Bytes('data: snow ☃ and\rdata:second line\n\nid: 2\u0000\ndata\n\nid: 3\n\nfoo: bar\ndata: x\n\n'),
  utf8Bytes('data: never finished\r\n'),
);
const sse = timed([
  chunk('in', 'GET /lab/s1/sse?count=5 HTTP/1.1\r\nAccept: text/event-stream\r\nLast-Event-ID: 0\r\n\r\n'),
  chunk(
    'out',
    'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n',
  ),
  // Chunk sizes cut through the BOM, a CRLF, a field name and the snowman.
  chunk('out', chunked(sseBody, [2, 10, 3, 24, 1, 1, 20, 15, 11])),
]);

const offer = 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n';
const HELLO_DEFLATED = Uint8Array.of(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00);
const websocket = timed([
  chunk(
    'in',
    `GET /lab/s1/echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${offer}\r\n`,
  ),
  chunk(
    'out',
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n${offer}\r\n`,
  ),
  chunk(
    'in',
    join(
      wsFrame('Hello', { opcode: 1, mask: KEY }),
      wsFrame('Wire ', { opcode: 1, fin: false, mask: KEY }),
      wsFrame('ping?', { opcode: 9, mask: KEY }),
      wsFrame('Lab ✓', { opcode: 0, mask: KEY }),
    ),
  ),
  chunk(
    'out',
    join(
      wsFrame('Hello', { opcode: 1 }),
      wsFrame('ping?', { opcode: 10 }),
      wsFrame('Wire Lab ✓', { opcode: 1 }),
    ),
  ),
  chunk('in', wsFrame(HELLO_DEFLATED, { opcode: 1, rsv1: true, mask: KEY })),
  chunk(
    'out',
    join(
      wsFrame(HELLO_DEFLATED, { opcode: 1, rsv1: true }),
      wsFrame(Uint8Array.of(0xf2, 0x00, 0x11, 0x00, 0x00), { opcode: 1, rsv1: true }),
    ),
  ),
  chunk(
    'out',
    wsFrame(
      Uint8Array.from({ length: 300 }, (_, i) => i & 0xff),
      { opcode: 2 },
    ),
  ),
  chunk('in', wsFrame(join(Uint8Array.of(0x03, 0xe8), utf8Bytes('bye')), { opcode: 8, mask: KEY })),
  chunk('out', wsFrame(join(Uint8Array.of(0x03, 0xe8), utf8Bytes('bye')), { opcode: 8 })),
]);

const failures = timed([
  chunk(
    'in',
    'GET /lab/s1/echo HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  ),
  chunk(
    'out',
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n\r\n',
  ),
  chunk(
    'in',
    join(
      wsFrame(Uint8Array.of(0xce, 0xba, 0xe1), { opcode: 1, fin: false, mask: KEY }),
      wsFrame(Uint8Array.of(0xbd, 0xff), { opcode: 0, mask: KEY }),
      wsFrame('after', { opcode: 1, mask: KEY }),
    ),
  ),
  chunk('out', join(wsFrame(Uint8Array.of(0x03, 0xef), { opcode: 8 }), utf8Bytes('junk'))),
]);

const malformed = timed([
  chunk('in', 'GET / HTTP/1.1\r\n\r\n'),
  chunk(
    'out',
    'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nBad Header: x\r\n\r\nmore bytes',
  ),
]);

const conversations: Array<[string, Chunk[], string[]]> = [
  [
    'HTTP keep-alive with a body, a pipeline, HEAD, trailers and an unfinished comet stream',
    keepAlive,
    ['chunk', 'last-chunk', 'incomplete'],
  ],
  ['an SSE response whose events straddle chunks', sse, ['sse-event']],
  [
    'a WebSocket session with masking, fragments, ping/pong, permessage-deflate and close',
    websocket,
    ['ws-frame', 'ws-message'],
  ],
  ['a WebSocket session that breaks the rules', failures, ['error', 'unparsed']],
  ['a response with a malformed header after a good one', malformed, ['body', 'error', 'unparsed']],
];

describe('the items do not depend on how the bytes were cut into reads', () => {
  for (const [name, conversation, expected] of conversations) {
    describe(name, () => {
      const whole = dissect(conversation);
      const total = conversation.reduce((n, c) => n + c.bytes.length, 0);

      it('decodes what the conversation is about', () => {
        for (const kind of expected) assert.ok(kinds(whole.items).includes(kind), `expected a ${kind} item`);
      });

      it('gives the same items when cut in two at every offset', () => {
        for (let k = 1; k < total; k++) {
          const cut = dissect(cutAt(conversation, k));
          assert.deepStrictEqual(cut.items, whole.items, `cut at byte ${k}`);
          assert.deepStrictEqual(cut.summary(), whole.summary(), `summary, cut at byte ${k}`);
        }
      });

      it('gives the same items fed one byte at a time', () => {
        assert.deepStrictEqual(dissect(shred(conversation, () => 0, 1)).items, whole.items);
      });

      it('gives the same items when shredded at random', () => {
        for (let seed = 1; seed <= 40; seed++) {
          const random = prng(seed);
          const max = 1 + Math.floor(random() * 24);
          assert.deepStrictEqual(
            dissect(shred(conversation, random, max)).items,
            whole.items,
            `seed ${seed}`,
          );
        }
      });
    });
  }
});

/** Returns the conversation with a few bytes overwritten by values that matter to the parsers. */
function mutate(chunks: readonly Chunk[], random: () => number): Chunk[] {
  const interesting = [0x00, 0x0a, 0x0d, 0x20, 0x3a, 0x3b, 0x30, 0x7f, 0x80, 0x81, 0x88, 0xc1, 0xff];
  const total = chunks.reduce((n, c) => n + c.bytes.length, 0);
  const out = chunks.map((c) => ({ ...c, bytes: c.bytes.slice() }));
  for (let n = 1 + Math.floor(random() * 4); n > 0; n--) {
    let at = Math.floor(random() * total);
    const target = out.find((c) => {
      if (at < c.bytes.length) return true;
      at -= c.bytes.length;
      return false;
    })!;
    target.bytes[at] =
      random() < 0.7 ? interesting[Math.floor(random() * interesting.length)]! : Math.floor(random() * 256);
  }
  return out;
}

describe('corrupted conversations', () => {
  it('never throw, and still do not depend on how the bytes were cut', () => {
    for (const [name, conversation] of conversations) {
      for (let seed = 1; seed <= 60; seed++) {
        const random = prng(seed * 7919);
        const broken = mutate(conversation, random);
        const whole = dissect(broken);
        assert.deepStrictEqual(
          dissect(shred(broken, random, 1 + Math.floor(random() * 9))).items,
          whole.items,
          `${name}, seed ${seed}`,
        );
      }
    }
  });
});
