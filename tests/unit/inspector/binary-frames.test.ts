/**
 * Versions 2 and 3 of the inspector channel: a records frame is binary (a 4-byte length, the JSON
 * head, then the data records' bytes; in version 3 a data record in the head is an array of six
 * numbers). What the server writes, the panel reads back byte for byte; a frame that does not add
 * up is refused whole.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaptureRecord as ServerRecord } from '../../../server/capture/records.ts';
import { binaryRecordsFrame, encodeRecord } from '../../../server/inspect/protocol.ts';
import {
  type DataRecord,
  parseBinaryMessage,
  parseMessage,
  recordBytes,
} from '../../../src/playground/inspector/protocol.ts';

const record = (
  seq: number,
  kind: ServerRecord['kind'],
  bytes: Buffer | null,
  info: ServerRecord['info'] = null,
) =>
  ({
    seq,
    kind,
    conn: 1,
    t: 1_000 + seq,
    dir: bytes ? 'out' : null,
    off: 0,
    bytes,
    size: bytes?.length ?? 0,
    cum: 0,
    charge: 0,
    info,
  }) as ServerRecord;

/** The frame the server would send for `records`, as the browser gets it (an ArrayBuffer of its own). */
function frameOf(records: ServerRecord[], version: 2 | 3): ArrayBuffer {
  const payloads = records.filter((r) => r.kind === 'data').map((r) => r.bytes!);
  const frame = binaryRecordsFrame(
    records.map((r) => encodeRecord(r, version)),
    payloads,
  );
  return frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.length) as ArrayBuffer;
}

/** A frame built by hand: `head` JSON, then `tail` bytes. */
function handFrame(head: unknown, tail: number[]): ArrayBuffer {
  const json = Buffer.from(JSON.stringify(head));
  const out = Buffer.alloc(4 + json.length + tail.length);
  out.writeUInt32BE(json.length, 0);
  json.copy(out, 4);
  Buffer.from(tail).copy(out, 4 + json.length);
  return out.buffer.slice(out.byteOffset, out.byteOffset + out.length) as ArrayBuffer;
}

for (const version of [2, 3] as const) {
  test(`version ${version}: records written by the server are read back with their bytes, in order, and nothing else moved`, () => {
    const chunk = Buffer.from('5\r\nhello\r\n');
    const utf8 = Buffer.from('data: 推送\n\n');
    const sent = [
      record(1, 'data', chunk),
      record(2, 'note', null, 'a note with "quotes" and 中文'),
      record(3, 'data', Buffer.alloc(0)),
      record(4, 'data', utf8),
    ];
    const m = parseBinaryMessage(frameOf(sent, version));
    assert.ok(m && m.type === 'records');
    assert.deepEqual(
      m.records.map((r) => r.kind),
      ['data', 'note', 'data', 'data'],
    );
    const data = m.records.filter((r): r is DataRecord => r.kind === 'data');
    assert.deepEqual(
      data.map((r) => Buffer.from(recordBytes(r))),
      [chunk, Buffer.alloc(0), utf8],
    );
    assert.deepEqual(
      data.map(({ seq, conn, t, dir, off, len }) => ({ seq, conn, t, dir, off, len })),
      [1, 3, 4].map((seq) => {
        const r = sent[seq - 1]!;
        return { seq, conn: r.conn, t: r.t, dir: r.dir, off: r.off, len: r.size };
      }),
      'every field of a data record, whichever way it was written',
    );
    assert.equal(data[0]!.b64, undefined, `no base64 in version ${version}`);
    assert.ok(
      data.every((r) => r.bytes!.byteOffset === 0 && r.bytes!.buffer.byteLength === r.bytes!.length),
      'each record keeps its own bytes, not the frame they came in',
    );
    assert.equal((m.records[1] as { text?: string }).text, 'a note with "quotes" and 中文');
  });
}

test('version 3 writes a data record as an array, and a head of them is smaller', () => {
  const r = { ...record(41, 'data', Buffer.from('hi')), conn: 7, t: 1_765_000_123_456, off: 9_000 };
  assert.equal(encodeRecord(r as ServerRecord, 3), '[41,7,1765000123456,1,9000,2]');
  assert.equal(encodeRecord({ ...r, dir: 'in' } as ServerRecord, 3), '[41,7,1765000123456,0,9000,2]');
  assert.ok(encodeRecord(r as ServerRecord, 3).length * 2 < encodeRecord(r as ServerRecord, 2).length);
  const note = record(2, 'note', null, 'n');
  assert.equal(encodeRecord(note, 3), encodeRecord(note, 2), 'other kinds are written as in version 2');
});

test('a version 3 array that cannot be read refuses the frame; arrays mean nothing in a text frame', () => {
  const frame = (a: unknown[], tail: number[]) => handFrame({ type: 'records', records: [a] }, tail);
  const read = parseBinaryMessage(frame([1, 1, 5, 0, 0, 2], [104, 105]));
  assert.ok(read && read.type === 'records');
  assert.equal(Buffer.from(recordBytes(read.records[0] as DataRecord)).toString(), 'hi');
  assert.ok(
    parseBinaryMessage(frame([1, 1, 5, 0, 0, 2, 'later'], [104, 105])),
    'more elements: a later revision',
  );
  for (const [bad, why] of [
    [[1, 1, 5, 2, 0, 2], 'a dir that is neither 0 nor 1'],
    [[1, 1, 5, 0, 0], 'five numbers'],
    [[1, 1, 5, 0, 0, -2], 'a negative len'],
    [[1, 1, 5, 0, 0, 1.5], 'a len that is not whole'],
    [[1, '1', 5, 0, 0, 2], 'a string'],
  ] as const)
    assert.equal(parseBinaryMessage(frame([...bad], [104, 105])), null, why);
  const text = parseMessage(JSON.stringify({ type: 'records', records: [[1, 1, 5, 0, 0, 2]] }));
  assert.ok(text && text.type === 'records');
  assert.equal(text.records.length, 0, 'a text frame carries no bytes for it: skipped');
});

test('a version 1 record still gives its bytes', () => {
  const r = { seq: 1, kind: 'data', conn: 1, t: 0, dir: 'in', off: 0, b64: 'R0VU' } as DataRecord;
  assert.equal(Buffer.from(recordBytes(r)).toString(), 'GET');
});

test('a frame that does not add up is refused whole', () => {
  const head = {
    type: 'records',
    records: [{ seq: 1, kind: 'data', conn: 1, t: 0, dir: 'out', off: 0, len: 3 }],
  };
  assert.ok(parseBinaryMessage(handFrame(head, [1, 2, 3])), 'the frame as it should be');
  assert.equal(parseBinaryMessage(handFrame(head, [1, 2])), null, 'cut short');
  assert.equal(parseBinaryMessage(handFrame(head, [1, 2, 3, 4])), null, 'bytes left over');
  const noLen = { type: 'records', records: [{ seq: 1, kind: 'data', conn: 1, t: 0, dir: 'out', off: 0 }] };
  assert.equal(parseBinaryMessage(handFrame(noLen, [])), null, 'a data record without len');
  const negative = {
    type: 'records',
    records: [{ seq: 1, kind: 'data', conn: 1, t: 0, dir: 'out', off: 0, len: -1 }],
  };
  assert.equal(parseBinaryMessage(handFrame(negative, [])), null, 'a negative len');
  const tooLong = new Uint8Array([0, 0, 1, 0, 123]).buffer;
  assert.equal(parseBinaryMessage(tooLong), null, 'a head longer than the frame');
  assert.equal(parseBinaryMessage(new Uint8Array([0, 0]).buffer), null, 'shorter than its length');
  const notJson = new Uint8Array([0, 0, 0, 2, 123, 125 + 1]).buffer;
  assert.equal(parseBinaryMessage(notJson), null, 'a head that is not JSON');
});
