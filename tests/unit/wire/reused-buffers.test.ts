/**
 * The dissectors reuse their per-line buffers and range lists (docs/performance.md, "One SSE
 * record"): what one event or line was given must never change when the next reuses them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Field, Range, SseEvent } from '../../../src/wire/index.ts';
import { DEFAULT_LIMITS, EventStreamParser } from '../../../src/wire/index.ts';
import { field, Retained, sliceRanges } from '../../../src/wire/bytes.ts';
import { utf8Bytes } from './conversation.ts';

/** Returns the events, and a deep copy of each taken as it was emitted. */
function parse(reads: string[]): { items: SseEvent[]; atEmit: unknown[] } {
  const items: SseEvent[] = [];
  const atEmit: unknown[] = [];
  const p = new EventStreamParser(
    'out',
    {
      emit: (i) => {
        items.push(i as SseEvent);
        atEmit.push(snapshot(i));
      },
      update: () => {},
    },
    DEFAULT_LIMITS,
  );
  let offset = 0;
  for (const r of reads) {
    const bytes = utf8Bytes(r);
    p.data(bytes, offset);
    offset += bytes.length;
  }
  p.end();
  return { items, atEmit };
}

/** Every field of a tree with its ranges, as plain data (a deep copy). */
function snapshot(f: Field): unknown {
  return JSON.parse(JSON.stringify(f));
}

describe('reused line buffers and range lists', () => {
  it('an event keeps its lines and ranges while later events reuse the buffers', () => {
    const { items: events, atEmit } = parse([
      'id: 1\ndata: one\n',
      '\n',
      'id: 2\ndata: t',
      'wo\n\nid: 3\ndata: three\n\n',
    ]);
    assert.deepEqual(events.map(snapshot), atEmit);
    assert.deepEqual(
      events.map((e) => [e.value, e.lastEventId, e.start, e.end]),
      [
        ['one', '1', 0, 17],
        ['two', '2', 17, 34],
        ['three', '3', 34, 53],
      ],
    );
    // The second event's data line crossed two reads: its value's ranges say so, the first's do not.
    const value = (e: SseEvent) =>
      e.children?.[1]?.children?.find((c) => c.kind === 'sse-field-value') as Field;
    assert.equal(value(events[0]!).ranges, undefined);
    assert.deepEqual([value(events[1]!).start, value(events[1]!).end], [29, 32]);
  });

  it('sliceRanges of one range gives what the walk over touching pieces of it gives', () => {
    const one: Range[] = [[100, 120]];
    const pieces: Range[] = [
      [100, 107],
      [107, 120],
    ];
    for (let from = 0; from <= 20; from++) {
      for (let to = from; to <= 20; to++) {
        const a = sliceRanges(one, from, to);
        const b = sliceRanges(pieces, from, to);
        const merged = b.length === 2 && b[0]![1] === b[1]![0] ? [[b[0]![0], b[1]![1]]] : b;
        assert.deepEqual(a, merged, `[${from}, ${to})`);
      }
    }
  });

  it('Retained keeps the first cap bytes, counts all, and starts afresh after clear()', () => {
    const r = new Retained(5);
    r.add(utf8Bytes('abc'));
    r.add(utf8Bytes('defg'));
    assert.deepEqual(
      [new TextDecoder().decode(r.bytes()), r.kept, r.total, r.truncated],
      ['abcde', 5, 7, true],
    );
    r.clear();
    r.add(utf8Bytes('xy'));
    assert.deepEqual(
      [new TextDecoder().decode(r.bytes()), r.kept, r.total, r.truncated],
      ['xy', 2, 2, false],
    );
  });

  it('field() leaves out the extras given as undefined and keeps the rest', () => {
    const f = field('x', 'label', 'out', 1, 2, { value: 'v', note: undefined, t: 0 });
    assert.deepEqual(f, { kind: 'x', label: 'label', dir: 'out', start: 1, end: 2, value: 'v', t: 0 });
    assert.equal('note' in f, false);
  });
});
