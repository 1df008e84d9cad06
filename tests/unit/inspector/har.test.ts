import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportHar } from '../../../src/playground/inspector/export.ts';
import type { Har, HarEntry } from '../../../src/playground/inspector/har.ts';
import { CaptureModel } from '../../../src/playground/inspector/model.ts';
import { ConnectionDissector } from '../../../src/wire/index.ts';
import {
  bytes,
  chunk,
  RecordWriter,
  SSE_HEAD,
  SSE_REQUEST,
  WS_REQUEST,
  WS_SWITCHED,
  wsFrame,
} from './capture.ts';

const ORIGIN = 'http://127.0.0.1:4321';
const MASK = [0x37, 0xfa, 0x21, 0x3d];

/** A capture of three connections: a plain GET, an SSE stream, and a WebSocket echo. */
function capture(): CaptureModel {
  const w = new RecordWriter();
  w.open(1, 1_000_000)
    .data(1, 1_000_100, 'in', 'GET /lab/s3ss10n_x/time?tz=UTC HTTP/1.1\r\nHost: 127.0.0.1:4321\r\n\r\n')
    .data(
      1,
      1_003_000,
      'out',
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{"time":"12:00"}\n',
    )
    .end(1, 1_004_000, 'in')
    .close(1, 1_005_000);
  w.open(2, 2_000_000)
    .data(2, 2_000_100, 'in', SSE_REQUEST)
    .data(2, 2_001_000, 'out', SSE_HEAD)
    .data(2, 2_002_000, 'out', chunk('id: 1\nevent: tick\ndata: {"price":101.25}\n\n'))
    .data(2, 3_002_000, 'out', chunk('id: 2\nevent: tick\ndata: 价格\n\n'));
  w.open(3, 4_000_000)
    .data(3, 4_000_100, 'in', WS_REQUEST)
    .data(3, 4_001_000, 'out', WS_SWITCHED)
    .data(3, 4_100_000, 'in', wsFrame(1, bytes('hello 你好'), MASK))
    .data(3, 4_101_000, 'out', wsFrame(1, bytes('hello 你好')))
    .data(3, 4_200_000, 'in', wsFrame(2, Uint8Array.of(1, 2, 255), MASK))
    .data(3, 4_201_000, 'out', wsFrame(2, Uint8Array.of(1, 2, 255)))
    .data(3, 4_300_000, 'in', wsFrame(8, Uint8Array.of(0x03, 0xe8), MASK))
    .data(3, 4_301_000, 'out', wsFrame(8, Uint8Array.of(0x03, 0xe8)))
    .close(3, 4_302_000);
  const m = new CaptureModel({ createDissector: () => new ConnectionDissector() });
  m.apply({
    type: 'hello',
    v: 1,
    session: 's3ss10n_x',
    serverTime: { epochMs: 1_700_000_000_000, monoUs: 0 },
  });
  m.apply({ type: 'records', records: w.records });
  return m;
}

function har(): Har {
  const m = capture();
  return JSON.parse(exportHar(m, m.connections, ORIGIN)) as Har;
}

/** Checks the fields HAR 1.2 requires of an entry, with their types. */
function assertEntryShape(e: HarEntry): void {
  assert.equal(typeof e.startedDateTime, 'string');
  assert.ok(!Number.isNaN(Date.parse(e.startedDateTime)), 'ISO 8601 date');
  assert.equal(typeof e.time, 'number');
  for (const key of [
    'method',
    'url',
    'httpVersion',
    'cookies',
    'headers',
    'queryString',
    'headersSize',
    'bodySize',
  ] as const) {
    assert.ok(key in e.request, `request.${key}`);
  }
  for (const key of [
    'status',
    'statusText',
    'httpVersion',
    'cookies',
    'headers',
    'content',
    'redirectURL',
    'headersSize',
    'bodySize',
  ] as const) {
    assert.ok(key in e.response, `response.${key}`);
  }
  assert.equal(typeof e.response.content.size, 'number');
  assert.equal(typeof e.response.content.mimeType, 'string');
  assert.deepEqual(e.cache, {});
  for (const key of ['send', 'wait', 'receive'] as const) {
    assert.equal(typeof e.timings[key], 'number');
    assert.ok(e.timings[key] >= 0, `timings.${key} ≥ 0`);
  }
  for (const h of [...e.request.headers, ...e.response.headers]) {
    assert.equal(typeof h.name, 'string');
    assert.equal(typeof h.value, 'string');
  }
}

describe('HAR export', () => {
  it('is a HAR 1.2 log with one well-formed entry per request, in start order', () => {
    const doc = har();
    assert.equal(doc.log.version, '1.2');
    assert.equal(doc.log.creator.name, 'Wire Lab');
    assert.deepEqual(doc.log.pages, []);
    assert.equal(doc.log.entries.length, 3);
    doc.log.entries.forEach(assertEntryShape);
    const starts = doc.log.entries.map((e) => Date.parse(e.startedDateTime));
    assert.deepEqual(
      starts,
      [...starts].sort((a, b) => a - b),
    );
  });

  it('carries the request line, headers, query and the response body', () => {
    const [get] = har().log.entries;
    assert.equal(get!.request.method, 'GET');
    assert.equal(get!.request.url, `${ORIGIN}/lab/s3ss10n_x/time?tz=UTC`);
    assert.deepEqual(get!.request.queryString, [{ name: 'tz', value: 'UTC' }]);
    assert.deepEqual(get!.request.headers, [{ name: 'Host', value: '127.0.0.1:4321' }]);
    assert.equal(get!.response.status, 200);
    assert.equal(get!.response.statusText, 'OK');
    assert.equal(get!.response.content.mimeType, 'application/json');
    assert.equal(get!.response.content.text, '{"time":"12:00"}\n');
    assert.equal(get!.response.content.size, 17);
    assert.equal(get!.startedDateTime, new Date(1_700_000_000_000 + 1_000.1).toISOString());
    assert.equal(get!.timings.wait, 2.9);
    assert.equal(get!.connection, '1');
  });

  it('joins a chunked SSE body back together, UTF-8 included', () => {
    const sse = har().log.entries[1]!;
    assert.equal(sse.response.content.mimeType, 'text/event-stream; charset=utf-8');
    assert.equal(
      sse.response.content.text,
      'id: 1\nevent: tick\ndata: {"price":101.25}\n\nid: 2\nevent: tick\ndata: 价格\n\n',
    );
    assert.ok(sse.response.bodySize > sse.response.content.size, 'the wire size counts the chunk framing');
  });

  it("puts WebSocket messages in Chrome's _webSocketMessages: text, binary as base64, and the close", () => {
    const ws = har().log.entries[2]!;
    assert.equal(ws.response.status, 101);
    assert.equal(ws._resourceType, 'websocket');
    const msgs = ws._webSocketMessages!;
    assert.deepEqual(
      msgs.map((m) => [m.type, m.opcode, m.data]),
      [
        ['send', 1, 'hello 你好'],
        ['receive', 1, 'hello 你好'],
        ['send', 2, Buffer.from([1, 2, 255]).toString('base64')],
        ['receive', 2, Buffer.from([1, 2, 255]).toString('base64')],
        ['send', 8, '1000'],
        ['receive', 8, '1000'],
      ],
    );
    assert.equal(msgs[0]!.time, (1_700_000_000_000 + 4_100) / 1000, 'seconds since the epoch');
  });
});
