import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Field, HttpRequest, HttpResponse } from '../../../src/wire/index.ts';
import { chunk, dissect, find, findAll, kinds, ofKind, rawText, streams } from './conversation.ts';

const GET = 'GET /lab/s1/time?tz=UTC HTTP/1.1\r\nHost: localhost:4321\r\nAccept:  text/plain \r\n\r\n';

describe('HTTP/1.1 heads', () => {
  it('a request head becomes request line, method, target, version, one field per header and the blank line, each at its bytes', () => {
    const chunks = [chunk('in', GET)];
    const s = streams(chunks);
    const [req] = ofKind<HttpRequest>(dissect(chunks).items, 'http-request');
    assert.ok(req);
    assert.equal(req.method, 'GET');
    assert.equal(req.target, '/lab/s1/time?tz=UTC');
    assert.equal(req.version, 'HTTP/1.1');
    assert.deepEqual(req.headers, [
      ['Host', 'localhost:4321'],
      ['Accept', 'text/plain'],
    ]);
    assert.equal(rawText(s, req), GET);
    assert.equal(rawText(s, find(req, 'method')), 'GET');
    assert.equal(rawText(s, find(req, 'target')), '/lab/s1/time?tz=UTC');
    assert.equal(rawText(s, find(req, 'version')), 'HTTP/1.1');
    const [host, accept] = findAll(req, 'header');
    assert.equal(rawText(s, host!), 'Host: localhost:4321\r\n');
    assert.equal(rawText(s, find(accept!, 'header-name')), 'Accept');
    assert.equal(
      rawText(s, find(accept!, 'header-value')),
      'text/plain',
      'optional whitespace is not part of the value',
    );
    assert.equal(rawText(s, find(req, 'blank-line')), '\r\n');
  });

  it('a status line gives version, status and reason', () => {
    const chunks = [chunk('in', GET), chunk('out', 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')];
    const [res] = ofKind<HttpResponse>(dissect(chunks).items, 'http-response');
    assert.equal(res?.status, 404);
    assert.equal(res?.reason, 'Not Found');
    assert.equal(rawText(streams(chunks), find(res!, 'status')), '404');
  });

  it('a bare LF line end is accepted, with a note that a sender must send CRLF', () => {
    const [req] = ofKind(dissect([chunk('in', 'GET / HTTP/1.1\nHost: a\n\n')]).items, 'http-request');
    assert.equal(find(req!, 'eol').label, 'LF');
    assert.match(find(req!, 'eol').note ?? '', /RFC 9112 §2\.2/);
  });

  it('an empty line before the request line is ignored, with a note', () => {
    const [req] = ofKind(dissect([chunk('in', `\r\n${GET}`)]).items, 'http-request');
    assert.equal(req?.start, 0);
    assert.match(find(req!, 'empty-line').note ?? '', /ignored/);
  });
});

describe('HTTP/1.1 bodies and keep-alive', () => {
  it('a Content-Length body is one body item covering exactly those bytes', () => {
    const chunks = [
      chunk(
        'in',
        'POST /echo HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"hi":"there"}GET',
      ),
    ];
    const items = dissect(chunks).items;
    const [body] = ofKind(items, 'body');
    assert.equal(rawText(streams(chunks), body!), '{"hi":"there"');
    assert.equal(body?.value, '{"hi":"there"');
    assert.equal(ofKind<HttpRequest>(items, 'http-request')[0]?.complete, true);
  });

  it('three requests and responses on one keep-alive connection pair up in order', () => {
    const items = dissect([
      chunk('in', 'GET /a HTTP/1.1\r\n\r\n'),
      chunk('out', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA'),
      chunk('in', 'HEAD /b HTTP/1.1\r\n\r\n'),
      chunk('out', 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'),
      chunk('in', 'GET /c HTTP/1.1\r\n\r\n'),
      chunk('out', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nC'),
    ]).items;
    const responses = ofKind<HttpResponse>(items, 'http-response');
    assert.deepEqual(
      responses.map((r) => [r.exchange, r.requestMethod, r.framing]),
      [
        [0, 'GET', 'length'],
        [1, 'HEAD', 'none'],
        [2, 'GET', 'length'],
      ],
    );
    assert.deepEqual(
      ofKind(items, 'body').map((b) => [b.value, b.exchange]),
      [
        ['A', 0],
        ['C', 2],
      ],
    );
  });

  it('pipelined requests sent before any response pair with the responses in order', () => {
    const items = dissect([
      chunk('in', 'GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n'),
      chunk(
        'out',
        'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2',
      ),
      chunk('out', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n3'),
    ]).items;
    assert.deepEqual(
      ofKind(items, 'http-request').map((r) => r.exchange),
      [0, 1, 2],
    );
    assert.deepEqual(
      ofKind(items, 'body').map((b) => `${b.exchange}:${b.value}`),
      ['0:1', '1:2', '2:3'],
    );
  });

  it('a response to HEAD has no body even with Content-Length', () => {
    const items = dissect([
      chunk('in', 'HEAD / HTTP/1.1\r\n\r\n'),
      chunk('out', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'),
    ]).items;
    const [res] = ofKind<HttpResponse>(items, 'http-response');
    assert.equal(res?.framing, 'none');
    assert.equal(res?.complete, true);
    assert.deepEqual(ofKind(items, 'incomplete'), []);
  });

  it('204 and 304 responses end at the blank line', () => {
    const items = dissect([
      chunk('in', 'GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n'),
      chunk('out', 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n'),
    ]).items;
    assert.deepEqual(
      ofKind<HttpResponse>(items, 'http-response').map((r) => [r.status, r.framing, r.complete]),
      [
        [204, 'none', true],
        [304, 'none', true],
      ],
    );
  });

  it('100 Continue is followed by the final response to the same request', () => {
    const items = dissect([
      chunk('in', 'POST /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n'),
      chunk('out', 'HTTP/1.1 100 Continue\r\n\r\n'),
      chunk('in', 'hi'),
      chunk('out', 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n'),
    ]).items;
    assert.deepEqual(
      ofKind<HttpResponse>(items, 'http-response').map((r) => [r.status, r.exchange]),
      [
        [100, 0],
        [201, 0],
      ],
    );
  });

  it('a response with neither length nor chunked coding runs until FIN', () => {
    const chunks = [
      chunk('in', 'GET / HTTP/1.0\r\n\r\n'),
      chunk('out', 'HTTP/1.0 200 OK\r\nConnection: close\r\n\r\nfirst '),
      chunk('out', 'second'),
    ];
    const d = dissect(chunks, {}, false);
    assert.deepEqual(ofKind(d.items, 'body'), [], 'no body before FIN');
    d.end('out');
    const [body] = ofKind(d.items, 'body');
    assert.equal(body?.value, 'first second');
    assert.equal(ofKind<HttpResponse>(d.items, 'http-response')[0]?.framing, 'close');
    assert.match(ofKind(d.items, 'fin')[0]?.note ?? '', /FIN ends the body/);
  });

  it('Transfer-Encoding overrides Content-Length, with a note about smuggling', () => {
    const items = dissect([
      chunk('in', 'GET / HTTP/1.1\r\n\r\n'),
      chunk(
        'out',
        'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n',
      ),
    ]).items;
    const [res] = ofKind<HttpResponse>(items, 'http-response');
    assert.equal(res?.framing, 'chunked');
    assert.match(res?.note ?? '', /smuggling/);
  });
});

describe('malformed HTTP', () => {
  /** Returns the error items, and what came after the first one. */
  const errorsOf = (text: string, dir: 'in' | 'out' = 'in') => {
    const chunks =
      dir === 'in' ? [chunk('in', text)] : [chunk('in', 'GET / HTTP/1.1\r\n\r\n'), chunk('out', text)];
    const items = dissect(chunks).items;
    return { items, errors: ofKind(items, 'error') };
  };

  it('a malformed request line is an error item at its offset, and the direction stops there', () => {
    const { items, errors } = errorsOf('GET /a b HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n\r\n');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.start, 0);
    assert.match(errors[0]?.note ?? '', /RFC 9112 §3/);
    assert.deepEqual(kinds(items), ['error', 'unparsed', 'fin', 'fin']);
    assert.equal(
      ofKind(items, 'unparsed')[0]?.start,
      19,
      'the bytes after the bad line are counted, not decoded',
    );
  });

  it('whitespace between a field name and its colon is an error at that byte (RFC 9112 §5.1)', () => {
    const { errors } = errorsOf('GET / HTTP/1.1\r\nHost : x\r\n\r\n');
    assert.equal(errors[0]?.start, 20);
    const partial = errors[0]!.children![0] as Field;
    assert.equal(partial.kind, 'http-request', 'the head read so far is kept under the error');
    assert.ok(find(partial, 'header').error);
  });

  it('obsolete line folding is an error (RFC 9112 §5.2)', () => {
    const { errors } = errorsOf('GET / HTTP/1.1\r\nX-A: 1\r\n  2\r\n\r\n');
    assert.match(errors[0]?.note ?? '', /folding/);
  });

  it('an invalid Content-Length is an error on that header', () => {
    const { errors } = errorsOf('HTTP/1.1 200 OK\r\nContent-Length: 12, 13\r\n\r\n', 'out');
    assert.equal(errors[0]?.start, 17);
    assert.match(errors[0]?.note ?? '', /invalid Content-Length/);
  });

  it('a request whose Transfer-Encoding does not end in chunked is an error', () => {
    const { errors } = errorsOf('POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n');
    assert.match(errors[0]?.note ?? '', /must end with chunked/);
  });

  it('a response that does not start with HTTP/ is an error', () => {
    const { errors } = errorsOf('SSH-2.0-OpenSSH\r\n', 'out');
    assert.equal(errors.length, 1);
  });

  it('a head longer than the limit is an error, not an ever-growing buffer', () => {
    const d = dissect(
      [chunk('in', `GET / HTTP/1.1\r\nX: ${'a'.repeat(5000)}`)],
      { limits: { maxHeadBytes: 1024 } },
      false,
    );
    assert.match(ofKind(d.items, 'error')[0]?.note ?? '', /head longer than 1024 bytes/);
  });

  it('a head cut off by FIN is reported incomplete, with what was read', () => {
    const items = dissect([chunk('in', 'GET / HTTP/1.1\r\nHost: x\r\nAcc')]).items;
    const [cut] = ofKind(items, 'incomplete');
    assert.equal(cut?.start, 0);
    assert.equal(cut?.end, 28);
    assert.equal(cut?.children?.[0]?.kind, 'http-request');
  });

  it('a Content-Length body cut off by FIN is reported incomplete with the bytes received', () => {
    const items = dissect([
      chunk('in', 'GET / HTTP/1.1\r\n\r\n'),
      chunk('out', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n1234'),
    ]).items;
    assert.match(ofKind(items, 'incomplete')[0]?.note ?? '', /after 4 of 10 body bytes/);
  });
});
