import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Field, HttpResponse } from '../../../src/wire/index.ts';
import { ConnectionDissector } from '../../../src/wire/index.ts';
import { ascii, chunk, dissect, find, findAll, kinds, ofKind, rawText, streams } from './conversation.ts';

const REQUEST = chunk('in', 'GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
const HEAD =
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nTrailer: Expires\r\n\r\n';
// The classic example, with an extension and a trailer.
const BODY =
  '4\r\nWiki\r\n5;lang=en\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n';

describe('chunked transfer coding', () => {
  it('each chunk is an item with its size line, data and CRLF at their bytes', () => {
    const chunks = [REQUEST, chunk('out', HEAD + BODY)];
    const s = streams(chunks);
    const items = dissect(chunks).items;
    const parts = ofKind(items, 'chunk');
    assert.deepEqual(
      parts.map((c) => find(c, 'chunk-data').value),
      ['Wiki', 'pedia', ' in\r\n\r\nchunks.'],
    );
    assert.equal(rawText(s, parts[1]!), '5;lang=en\r\npedia\r\n');
    assert.equal(rawText(s, find(parts[1]!, 'chunk-size')), '5');
    assert.equal(find(parts[2]!, 'chunk-size').label, 'chunk size 0xe = 14');
    assert.equal(rawText(s, find(parts[1]!, 'chunk-ext')), ';lang=en');
    assert.equal(find(parts[1]!, 'chunk-ext').value, 'en');
    assert.equal(rawText(s, find(parts[0]!, 'chunk-crlf')), '\r\n');
  });

  it('the last chunk carries the trailers and the final blank line', () => {
    const chunks = [REQUEST, chunk('out', HEAD + BODY)];
    const items = dissect(chunks).items;
    const [last] = ofKind(items, 'last-chunk');
    assert.equal(rawText(streams(chunks), last!), '0\r\nExpires: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n');
    assert.deepEqual(
      findAll(last!, 'trailer').map((t) => [t.label, t.value]),
      [['Expires', 'Wed, 21 Oct 2015 07:28:00 GMT']],
    );
    const [res] = ofKind<HttpResponse>(items, 'http-response');
    assert.equal(res?.bodyBytes, 23);
    assert.equal(res?.chunks, 3);
    assert.equal(res?.complete, true);
  });

  it('a chunk is an item as soon as its CRLF arrives, while the response goes on (comet)', () => {
    const d = new ConnectionDissector();
    const seen: string[] = [];
    d.onItem = (item) => seen.push(item.kind);
    d.push('in', REQUEST.bytes);
    d.push('out', ascii(HEAD));
    assert.deepEqual(seen, ['http-request', 'http-response']);
    d.push('out', ascii('6\r\ntick 1\r\n'));
    assert.deepEqual(seen.slice(2), ['chunk']);
    d.push('out', ascii('6\r\ntick 2'));
    assert.deepEqual(seen.slice(2), ['chunk'], 'no item before the CRLF');
    d.push('out', ascii('\r\n'));
    assert.deepEqual(seen.slice(2), ['chunk', 'chunk']);
  });

  it('the response item reports chunks and body bytes as they arrive', () => {
    const d = new ConnectionDissector();
    const updates: number[] = [];
    d.onUpdate = (item) => {
      if (item.kind === 'http-response') updates.push((item as HttpResponse).bodyBytes);
    };
    d.push('in', REQUEST.bytes);
    d.push('out', ascii(`${HEAD}3\r\nabc\r\n`));
    d.push('out', ascii('2\r\nde\r\n'));
    assert.equal(updates.at(-1), 5);
  });

  it('upper-case hex and leading zeros are sizes too; a quoted extension value is unquoted', () => {
    const items = dissect([
      REQUEST,
      chunk('out', `${HEAD}00A;name="a \\"b\\""\r\n0123456789\r\n000\r\n\r\n`),
    ]).items;
    const [c] = ofKind(items, 'chunk');
    assert.equal(find(c!, 'chunk-size').value, '10');
    assert.equal(find(c!, 'chunk-ext').value, 'a "b"');
  });

  it('a size line without hex digits is an error at its first byte', () => {
    const chunks = [REQUEST, chunk('out', `${HEAD}zz\r\n`)];
    const [err] = ofKind(dissect(chunks).items, 'error');
    assert.equal(err?.start, HEAD.length);
    assert.match(err?.note ?? '', /size in hex digits/);
  });

  it('chunk data not followed by CRLF is an error at the byte after the data', () => {
    const chunks = [REQUEST, chunk('out', `${HEAD}3\r\nabcd\r\n`)];
    const [err] = ofKind(dissect(chunks).items, 'error');
    assert.equal(err?.start, HEAD.length + 6);
    assert.match(err?.note ?? '', /the size line said 3 bytes/);
    const partial = err?.children?.[0] as Field;
    assert.equal(find(partial, 'chunk-data').value, 'abc');
  });

  it('a size too large to count is an error, not a wrapped-around number', () => {
    const [err] = ofKind(dissect([REQUEST, chunk('out', `${HEAD}fffffffffffffffff\r\n`)]).items, 'error');
    assert.match(err?.note ?? '', /too large/);
  });

  it('a stream cut before the last chunk is incomplete, with the partial chunk', () => {
    const items = dissect([REQUEST, chunk('out', `${HEAD}a\r\n01234`)]).items;
    assert.deepEqual(kinds(items).slice(2), ['fin', 'incomplete', 'fin']);
    const [cut] = ofKind(items, 'incomplete');
    assert.equal(find(cut!, 'chunk-data').label, '5 of 10 bytes');
  });
});
