/**
 * Version 2 of the inspector channel: a records frame is binary (a 4-byte length, the JSON head,
 * then the data records' bytes). What the server writes, the panel reads back byte for byte; a
 * frame that does not add up is refused whole.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaptureRecord as ServerRecord } from '../../../server/capture/records.ts';
import { binaryRecordsFrame, encodeRecord } from '../../../server/inspect/protocol.ts';
import {
  type DataRecord,
  parseBinaryMessage,
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
function frameOf(records: ServerRecord[]): ArrayBuffer {
  const payloads = records.filter((r) => r.kind === 'data').map((r) => r.bytes!);
  const frame = binaryRecordsFrame(
    records.map((r) => encodeRecord(r, 2)),
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

test('records written by the server are read back with their bytes, in order, and nothing else moved', () => {
  const chunk = Buffer.from('5\r\nhello\r\n');
  const utf8 = Buffer.from('data: 推送\n\n');
  const frame = frameOf([
    record(1, 'data', chunk),
    record(2, 'note', null, 'a note with "quotes" and 中文'),
    record(3, 'data', Buffer.alloc(0)),
    record(4, 'data', utf8),
  ]);
  const m = parseBinaryMessage(frame);
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
  assert.equal(data[0]!.b64, undefined, 'no base64 in version 2');
  assert.ok(
    data.every((r) => r.bytes!.byteOffset === 0 && r.bytes!.buffer.byteLength === r.bytes!.length),
    'each record keeps its own bytes, not the frame they came in',
  );
  assert.equal((m.records[1] as { text?: string }).text, 'a note with "quotes" and 中文');
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
