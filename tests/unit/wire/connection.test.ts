import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import type { WsMessage } from '../../../src/wire/index.ts';
import { ConnectionDissector } from '../../../src/wire/index.ts';
import type { Chunk } from './conversation.ts';
import { ascii, chunk, dissect, find, kinds, ofKind, wsFrame } from './conversation.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const UPGRADE = `GET /chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
const SWITCHED =
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';
const OK = (body: string) => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

describe('connection summary', () => {
  const technique = (chunks: Chunk[]) => dissect(chunks).summary().technique;

  it('one request and its response is plain http, with the first method, path and status', () => {
    const s = dissect([chunk('in', 'GET /lab/x/time HTTP/1.1\r\n\r\n'), chunk('out', OK('12:00'))]).summary();
    assert.deepEqual(s, {
      method: 'GET',
      path: '/lab/x/time',
      status: 200,
      technique: 'http',
      bytesIn: 28,
      bytesOut: 43,
      exchanges: 1,
      droppedItems: 0,
    });
  });

  it('the same resource asked for again on one connection is polling', () => {
    assert.equal(
      technique([
        chunk('in', 'GET /poll?n=1 HTTP/1.1\r\n\r\n'),
        chunk('out', OK('a')),
        chunk('in', 'GET /poll?n=2 HTTP/1.1\r\n\r\n'),
        chunk('out', OK('b')),
      ]),
      'poll',
    );
  });

  it('a response held back a second or more after its request is a long poll', () => {
    assert.equal(
      technique([chunk('in', 'GET /wait HTTP/1.1\r\n\r\n', 0), chunk('out', OK('news'), 2_500_000)]),
      'long-poll',
    );
    assert.equal(
      technique([chunk('in', 'GET /wait HTTP/1.1\r\n\r\n', 0), chunk('out', OK('news'), 20_000)]),
      'http',
    );
  });

  it('a chunked response of several chunks is a stream', () => {
    const res = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n1\r\nb\r\n';
    assert.equal(technique([chunk('in', 'GET /stream HTTP/1.1\r\n\r\n'), chunk('out', res)]), 'stream');
  });

  it('a text/event-stream response is sse, an upgrade is websocket', () => {
    assert.equal(
      technique([
        chunk('in', 'GET /sse HTTP/1.1\r\n\r\n'),
        chunk('out', 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n'),
      ]),
      'sse',
    );
    assert.equal(technique([chunk('in', UPGRADE), chunk('out', SWITCHED)]), 'websocket');
  });
});

describe('connection bounds and bookkeeping', () => {
  it('past maxItems the oldest items are dropped and counted', () => {
    const d = new ConnectionDissector({ maxItems: 3 });
    for (let i = 0; i < 4; i++) {
      d.push('in', ascii(`GET /${i} HTTP/1.1\r\n\r\n`));
      d.push('out', ascii(OK(String(i))));
    }
    assert.equal(d.items.length, 3);
    assert.equal(d.summary().droppedItems, 9);
    assert.equal(d.items.at(-1)?.value, '3');
  });

  it('bytes piling up undecoded past maxPendingBytes are an error, not unbounded memory', () => {
    const d = new ConnectionDissector({ limits: { maxPendingBytes: 1000 } });
    d.push('in', ascii(UPGRADE));
    d.push('in', new Uint8Array(2000));
    assert.match(ofKind(d.items, 'error')[0]?.note ?? '', /more than 1000 bytes waiting/);
  });

  it('the caller may reuse its buffer after push', () => {
    const d = new ConnectionDissector();
    const buffer = ascii('GET /a HTTP/1.1\r\n');
    d.push('in', buffer);
    buffer.fill(0x21);
    d.push('in', ascii('\r\n'));
    assert.equal(ofKind(d.items, 'http-request')[0]?.label, 'GET /a HTTP/1.1');
  });

  it('each item carries the time of the read that brought its first byte', () => {
    const items = dissect([
      chunk('in', 'GET / HT', 10),
      chunk('in', 'TP/1.1\r\n\r\n', 20),
      chunk('out', 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab', 30),
      chunk('out', 'cd', 40),
    ]).items;
    assert.deepEqual(
      items.map((i) => [i.kind, i.t]),
      [
        ['http-request', 10],
        ['http-response', 30],
        ['body', 30],
        ['fin', undefined],
        ['fin', undefined],
      ],
    );
  });

  it('a WebSocket direction that ends without a Close frame notes that the peer sees 1006', () => {
    const items = dissect([
      chunk('in', UPGRADE),
      chunk('out', SWITCHED),
      chunk('out', wsFrame('bye', { opcode: 1 })),
    ]).items;
    const fins = ofKind(items, 'fin');
    assert.match(fins.find((f) => f.dir === 'out')?.note ?? '', /1006/);
  });

  it('after a protocol error the rest of that direction is one unparsed item; the other direction goes on', () => {
    const items = dissect([
      chunk('in', UPGRADE),
      chunk('out', SWITCHED),
      chunk('in', Uint8Array.of(0x81, 0x02, 0x68, 0x69)),
      chunk('out', wsFrame(Uint8Array.of(0x03, 0xea), { opcode: 8 })),
    ]).items;
    assert.deepEqual(kinds(items).slice(2), ['error', 'ws-frame', 'unparsed', 'fin', 'fin']);
    assert.deepEqual(
      ofKind(items, 'unparsed').map((u) => [u.dir, u.end - u.start]),
      [['in', 2]],
    );
    const close = ofKind(items, 'ws-frame')[0];
    assert.equal(find(close!, 'ws-close-code').value, '1002');
  });
});

describe('a live WebSocket conversation', () => {
  it('bytes tapped from a real ws client and server, with permessage-deflate, dissect into the messages that were sent', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { threshold: 0 } });
    await once(wss, 'listening');
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    const records: Chunk[] = [];
    const sockets: Socket[] = [];
    // A tap in the middle, as the lab's capture sees the socket: every read and write, in order.
    const tap = createServer((client) => {
      const upstream = connect((wss.address() as AddressInfo).port, '127.0.0.1');
      sockets.push(client, upstream);
      client.on('data', (b) => {
        records.push({ dir: 'in', bytes: new Uint8Array(b) });
        upstream.write(b);
      });
      upstream.on('data', (b) => {
        records.push({ dir: 'out', bytes: new Uint8Array(b) });
        client.write(b);
      });
      client.on('end', () => upstream.end());
      upstream.on('end', () => client.end());
    });
    tap.listen(0, '127.0.0.1');
    await once(tap, 'listening');
    const ws = new WebSocket(`ws://127.0.0.1:${(tap.address() as AddressInfo).port}/echo`, {
      perMessageDeflate: { threshold: 0 },
    });
    await once(ws, 'open');
    const echoes: unknown[] = [];
    ws.on('message', (data) => echoes.push(data));
    const binary = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
    ws.send('hello, wire lab');
    ws.send('hello, wire lab, again');
    ws.send(binary);
    ws.ping('are you there');
    while (echoes.length < 3) await once(ws, 'message');
    ws.close(1000, 'bye');
    await once(ws, 'close');
    await Promise.all(sockets.map((s) => (s.closed ? undefined : once(s, 'close'))));
    tap.close();
    wss.close();

    const d = dissect(records);
    assert.equal(d.summary().technique, 'websocket');
    assert.deepEqual(ofKind(d.items, 'error'), []);
    const messages = ofKind<WsMessage>(d.items, 'ws-message');
    for (const dir of ['in', 'out'] as const) {
      const mine = messages.filter((m) => m.dir === dir);
      assert.deepEqual(
        mine.map((m) => [m.type, m.compressed, m.length]),
        [
          ['text', true, 15],
          ['text', true, 22],
          ['binary', true, 300],
        ],
      );
      assert.deepEqual(
        mine.slice(0, 2).map((m) => m.value),
        ['hello, wire lab', 'hello, wire lab, again'],
      );
      const closeFrame = ofKind(d.items, 'ws-frame').find(
        (f) => f.dir === dir && find(f, 'ws-opcode').value === 'close',
      );
      assert.equal(find(closeFrame!, 'ws-close-reason').value, 'bye');
    }
    const pong = ofKind(d.items, 'ws-frame').find((f) => find(f, 'ws-opcode').value === 'pong');
    assert.equal(find(pong!, 'ws-payload').value, 'are you there');
  });
});
