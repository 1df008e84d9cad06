import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpResponse } from '../../../src/wire/index.ts';
import { acceptKey, base64 } from '../../../src/wire/index.ts';
import { ascii, chunk, dissect, findAll, kinds, ofKind, wsFrame } from './conversation.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
const upgrade = (extra = '') =>
  chunk(
    'in',
    `GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
  );
const switching = (accept = ACCEPT, extra = '') =>
  chunk(
    'out',
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${extra}\r\n`,
  );

describe('WebSocket opening handshake (RFC 6455 §4)', () => {
  it('the RFC 6455 §1.3 key gives the accept value s3pPLMBiTxaQ9kYGzzhZRbK+xOo=', () => {
    assert.equal(acceptKey(KEY), ACCEPT);
  });

  it('base64 matches the RFC 4648 §10 test vectors', () => {
    const vectors = ['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==', 'Zm9vYmE=', 'Zm9vYmFy'];
    for (const [n, expected] of vectors.entries())
      assert.equal(base64(ascii('foobar'.slice(0, n))), expected);
  });

  it('a matching Sec-WebSocket-Accept gets a note showing the computation', () => {
    const items = dissect([upgrade(), switching()]).items;
    const [res] = ofKind<HttpResponse>(items, 'http-response');
    const accept = findAll(res!, 'header').find((h) => h.label === 'Sec-WebSocket-Accept')!;
    assert.match(
      accept.note ?? '',
      /matches base64\(SHA-1\("dGhlIHNhbXBsZSBub25jZQ==" \+ "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"\)\)/,
    );
    assert.deepEqual(ofKind(items, 'error'), []);
    const [req] = ofKind(items, 'http-request');
    assert.match(
      findAll(req!, 'header').find((h) => h.label === 'Sec-WebSocket-Key')?.note ?? '',
      /16-byte nonce/,
    );
  });

  it('a wrong Sec-WebSocket-Accept is an error on that header, naming the expected value', () => {
    const items = dissect([upgrade(), switching('AAAAAAAAAAAAAAAAAAAAAAAAAAA=')]).items;
    const [err] = ofKind(items, 'error');
    assert.match(err?.note ?? '', /should be s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
    const [res] = ofKind(items, 'http-response');
    assert.ok(findAll(res!, 'header').find((h) => h.label === 'Sec-WebSocket-Accept')?.error);
  });

  it('after the 101 both directions are WebSocket frames', () => {
    const items = dissect([
      upgrade(),
      switching(),
      chunk('in', wsFrame('hi', { opcode: 1, mask: Uint8Array.of(9, 9, 9, 9) })),
      chunk('out', wsFrame('hi', { opcode: 1 })),
    ]).items;
    assert.deepEqual(kinds(items), [
      'http-request',
      'http-response',
      'ws-frame',
      'ws-message',
      'ws-frame',
      'ws-message',
      'fin',
      'fin',
    ]);
    assert.deepEqual(
      ofKind(items, 'ws-message').map((m) => [m.dir, m.value, m.exchange]),
      [
        ['in', 'hi', 0],
        ['out', 'hi', 0],
      ],
    );
  });

  it('client frames sent before the 101 arrives wait for it, then decode as frames', () => {
    const items = dissect([
      upgrade(),
      chunk('in', wsFrame('early', { opcode: 1, mask: Uint8Array.of(1, 2, 3, 4) })),
      switching(),
    ]).items;
    assert.deepEqual(kinds(items).slice(0, 4), ['http-request', 'http-response', 'ws-frame', 'ws-message']);
  });

  it('a refused upgrade lets the client go on with HTTP on the same connection', () => {
    const items = dissect([
      upgrade(),
      chunk('out', 'HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n'),
      chunk('in', 'GET /next HTTP/1.1\r\n\r\n'),
    ]).items;
    assert.deepEqual(
      ofKind(items, 'http-request').map((r) => r.label),
      ['GET /chat HTTP/1.1', 'GET /next HTTP/1.1'],
    );
  });

  it('permessage-deflate is read from the response, and compressed frames are inflated', () => {
    const ext = 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n';
    const frame = Uint8Array.of(0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00);
    const items = dissect([upgrade(ext), switching(ACCEPT, ext), chunk('out', frame)]).items;
    const [res] = ofKind(items, 'http-response');
    assert.match(findAll(res!, 'header').at(-1)?.note ?? '', /permessage-deflate \(RFC 7692\)/);
    assert.equal(ofKind(items, 'ws-message')[0]?.value, 'Hello');
  });

  it('a 101 to another protocol leaves the rest of the bytes undissected', () => {
    const items = dissect([
      chunk('in', 'GET / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\nPRI * HTTP/2.0'),
      chunk(
        'out',
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n\x00\x00\x12\x04',
      ),
    ]).items;
    assert.deepEqual(
      ofKind(items, 'unparsed').map((u) => [u.dir, u.end - u.start]),
      [
        ['in', 14],
        ['out', 4],
      ],
    );
  });
});
