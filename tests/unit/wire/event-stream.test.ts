import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Field, SseEvent } from '../../../src/wire/index.ts';
import { DEFAULT_LIMITS, EventStreamParser } from '../../../src/wire/index.ts';
import { chunk, dissect, find, findAll, ofKind, rawText, streams, utf8Bytes } from './conversation.ts';

/** Returns the items an event stream made of `reads` gives, the stream ended after them. */
function parse(reads: Array<string | Uint8Array>, end = true, limits = DEFAULT_LIMITS): SseEvent[] {
  const items: SseEvent[] = [];
  const p = new EventStreamParser(
    'out',
    { emit: (i) => items.push(i as SseEvent), update: () => {} },
    limits,
  );
  let offset = 0;
  for (const r of reads) {
    const bytes = typeof r === 'string' ? utf8Bytes(r) : r;
    p.data(bytes, offset);
    offset += bytes.length;
  }
  if (end) p.end();
  return items;
}

/** Returns [type, data, lastEventId] of the dispatched events. */
const dispatched = (items: SseEvent[]) =>
  items.filter((e) => e.dispatched).map((e) => [e.type, e.value, e.lastEventId]);

describe('event stream interpretation (WHATWG HTML §9.2.6)', () => {
  it('the stock-ticker example joins data lines with LF into one message', () => {
    assert.deepEqual(dispatched(parse(['data: YHOO\ndata: +2\ndata: 10\n\n'])), [
      ['message', 'YHOO\n+2\n10', ''],
    ]);
  });

  it('"data:test" and "data: test" are the same event: one leading space is dropped', () => {
    assert.deepEqual(dispatched(parse(['data:test\n\ndata: test\n\n'])), [
      ['message', 'test', ''],
      ['message', 'test', ''],
    ]);
  });

  it('only one leading space is dropped from a value', () => {
    assert.deepEqual(dispatched(parse(['data:  third event\n\n'])), [['message', ' third event', '']]);
  });

  it('the id example: an id sets the last event ID, a bare "id" resets it, and it persists across events', () => {
    const items = parse([
      ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n',
    ]);
    assert.deepEqual(dispatched(items), [
      ['message', 'first event', '1'],
      ['message', 'second event', ''],
      ['message', ' third event', ''],
    ]);
    assert.equal(items[0]?.label, 'comment (nothing dispatched)');
    assert.equal(find(items[0]!, 'sse-comment').value, ' test stream');
  });

  it('a field with no colon is all name, with an empty value; an unfinished event at the end is discarded', () => {
    const items = parse(['data\n\ndata\ndata\n\ndata:']);
    assert.deepEqual(dispatched(items), [
      ['message', '', ''],
      ['message', '\n', ''],
    ]);
    const last = items.at(-1)!;
    assert.equal(last.dispatched, false);
    assert.match(last.note ?? '', /ended before the blank line/);
    assert.equal(find(last, 'sse-line').label, 'unterminated line');
  });

  it('a CR at the end of one read and LF at the start of the next is one line end', () => {
    const whole = parse(['data: a\r\n\r\ndata: b\r\n\r\n']);
    const split = parse(['data: a\r', '\n\r', '\ndata: b\r', '\n\r', '\n']);
    assert.deepEqual(dispatched(split), [
      ['message', 'a', ''],
      ['message', 'b', ''],
    ]);
    assert.deepEqual(split, whole);
    assert.equal(find(split[0]!, 'eol').label, 'CRLF');
  });

  it('CR, LF and CRLF all end lines', () => {
    assert.deepEqual(dispatched(parse(['data: 1\rdata: 2\ndata: 3\r\n\r'])), [['message', '1\n2\n3', '']]);
  });

  it('a leading BOM is stripped once, even split over reads; a second BOM is part of the field name', () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    const items = parse([bom.subarray(0, 2), bom.subarray(2), 'data: a\n\n', bom, 'data: b\n\n']);
    assert.deepEqual(dispatched(items), [['message', 'a', '']]);
    assert.equal(find(items[0]!, 'sse-bom').end, 3);
    assert.match(items[1]?.children?.[0]?.note ?? '', /unknown field "\uFEFFdata": ignored/);
  });

  it('event sets the type; the default is message, and the type resets after each dispatch', () => {
    assert.deepEqual(dispatched(parse(['event: add\ndata: 73857293\n\ndata: plain\n\n'])), [
      ['add', '73857293', ''],
      ['message', 'plain', ''],
    ]);
  });

  it('an id containing NUL is ignored', () => {
    const items = parse(['id: 7\ndata: a\n\nid: 8\u0000\ndata: b\n\n']);
    assert.deepEqual(dispatched(items), [
      ['message', 'a', '7'],
      ['message', 'b', '7'],
    ]);
    assert.match(items[1]?.children?.[0]?.note ?? '', /NUL: ignored/);
  });

  it('retry sets the reconnection time only when it is all ASCII digits', () => {
    const items = parse(['retry: 2500\ndata: a\n\nretry: 10s\ndata: b\n\nretry: ١٢\ndata: c\n\n']);
    assert.deepEqual(
      items.map((e) => e.retry),
      [2500, undefined, undefined],
    );
    assert.match(items[1]?.children?.[0]?.note ?? '', /not only ASCII digits/);
  });

  it('a block without data dispatches nothing, but its id still becomes the last event ID', () => {
    const items = parse(['id: 42\n\ndata: next\n\n']);
    assert.equal(items[0]?.dispatched, false);
    assert.equal(items[0]?.lastEventId, '42');
    assert.deepEqual(dispatched(items), [['message', 'next', '42']]);
  });

  it('an id in a block cut off by the end of the stream never becomes the last event ID', () => {
    const items = parse(['data: a\n\nid: 9\ndata: b\n']);
    assert.deepEqual(
      items.map((e) => [e.dispatched, e.lastEventId]),
      [
        [true, ''],
        [false, ''],
      ],
    );
  });

  it('unknown fields are ignored, with a note', () => {
    const items = parse(['foo: bar\ndata: x\n\n']);
    assert.match(items[0]?.children?.[0]?.note ?? '', /unknown field "foo": ignored/);
    assert.deepEqual(dispatched(items), [['message', 'x', '']]);
  });

  it('each line and field keeps its byte range', () => {
    const [e] = parse(['event: tick\ndata: 1\n\n']);
    const lines = findAll(e!, 'sse-line');
    assert.deepEqual(
      lines.map((l) => [l.start, l.end]),
      [
        [0, 12],
        [12, 20],
        [20, 21],
      ],
    );
    const value = findAll(e!, 'sse-field-value')[0]!;
    assert.deepEqual([value.start, value.end], [7, 11]);
    assert.deepEqual([e!.start, e!.end], [0, 21]);
  });

  it('data past the display limit is cut, with a note', () => {
    const [e] = parse([`data: ${'x'.repeat(100)}\n\n`], true, { ...DEFAULT_LIMITS, maxValueBytes: 10 });
    assert.equal(e?.value?.length, 10);
    assert.match(e?.note ?? '', /cut to the first 10/);
  });
});

describe('event streams inside HTTP responses', () => {
  const head =
    'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n';

  it('an event that spans chunk boundaries maps to the raw bytes around the chunk framing', () => {
    const chunks = [
      chunk('in', 'GET /sse HTTP/1.1\r\n\r\n'),
      chunk('out', `${head}5\r\ndata:\r\n7\r\n hello\n\r\n1\r\n\n\r\n0\r\n\r\n`),
    ];
    const s = streams(chunks);
    const [event] = ofKind<SseEvent>(dissect(chunks).items, 'sse-event');
    assert.equal(event?.value, 'hello');
    assert.equal(event?.ranges?.length, 3);
    assert.equal(rawText(s, event!), 'data: hello\n\n');
    const value = find(event!, 'sse-field-value') as Field;
    assert.equal(rawText(s, value), 'hello');
  });

  it('a multi-byte character split across chunks decodes whole', () => {
    const snow = utf8Bytes('☃');
    const body = [
      utf8Bytes('7\r\ndata: '),
      snow.subarray(0, 1),
      utf8Bytes('\r\n4\r\n'),
      snow.subarray(1),
      utf8Bytes('\n\n\r\n0\r\n\r\n'),
    ];
    const chunks = [
      chunk('in', 'GET /sse HTTP/1.1\r\n\r\n'),
      chunk('out', head),
      ...body.map((b) => chunk('out', b)),
    ];
    const [event] = ofKind<SseEvent>(dissect(chunks).items, 'sse-event');
    assert.equal(event?.value, '☃');
  });

  it('a reconnecting EventSource carries on from the Last-Event-ID it sent', () => {
    const chunks = [
      chunk('in', 'GET /sse HTTP/1.1\r\nLast-Event-ID: 41\r\n\r\n'),
      chunk(
        'out',
        'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: a\n\nid: 42\ndata: b\n\n',
      ),
    ];
    const events = ofKind<SseEvent>(dissect(chunks).items, 'sse-event');
    assert.deepEqual(
      events.map((e) => e.lastEventId),
      ['41', '42'],
    );
  });

  it('a stream that ends without a blank line discards its last event, as EventSource does', () => {
    const chunks = [
      chunk('in', 'GET /sse HTTP/1.1\r\n\r\n'),
      chunk('out', `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: 1\n\ndata: 2\n`),
    ];
    const events = ofKind<SseEvent>(dissect(chunks).items, 'sse-event');
    assert.deepEqual(
      events.map((e) => [e.dispatched, e.value ?? null]),
      [
        [true, '1'],
        [false, null],
      ],
    );
  });
});
