import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Field, WsFrame, WsMessage } from '../../../src/wire/index.ts';
import { decodeFrames, find, join, kinds, ofKind, wsFrame } from './conversation.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);
const HELLO = [0x48, 0x65, 0x6c, 0x6c, 0x6f];
const KEY = bytes(0x37, 0xfa, 0x21, 0x3d);

/** Returns [close code, message] of the error items. */
const errorsOf = (items: Field[]) => ofKind(items, 'error').map((e) => [e.error?.code, e.note]);

describe('WebSocket frames: the RFC 6455 §5.7 examples', () => {
  it('a single-frame unmasked text message "Hello"', () => {
    const items = decodeFrames('out', [bytes(0x81, 0x05, ...HELLO)]);
    assert.deepEqual(kinds(items), ['ws-frame', 'ws-message']);
    const frame = items[0] as WsFrame;
    assert.deepEqual(
      [frame.fin, frame.opcode, frame.masked, frame.length, frame.start, frame.end],
      [true, 1, false, 5, 0, 7],
    );
    assert.deepEqual(find(frame, 'ws-fin').bits, [0, 1]);
    assert.equal(find(frame, 'ws-opcode').label, 'opcode 0x1 text');
    assert.deepEqual(find(frame, 'ws-length').bits, [1, 7]);
    const payload = find(frame, 'ws-payload');
    assert.deepEqual([payload.start, payload.end, payload.value], [2, 7, 'Hello']);
    assert.equal(items[1]?.value, 'Hello');
  });

  it('a single-frame masked text message "Hello" is unmasked with its key', () => {
    const frameBytes = bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
    const [frame, message] = decodeFrames('in', [frameBytes]);
    const key = find(frame!, 'ws-mask-key');
    assert.deepEqual([key.start, key.end, key.value], [2, 6, '37 fa 21 3d']);
    const payload = find(frame!, 'ws-payload');
    assert.deepEqual([payload.start, payload.end, payload.value], [6, 11, 'Hello']);
    assert.match(payload.note ?? '', /unmasked with key 37 fa 21 3d/);
    assert.equal(message?.value, 'Hello');
  });

  it('a fragmented unmasked text message "Hel" + "lo" is one message of two frames', () => {
    const items = decodeFrames('out', [bytes(0x01, 0x03, 0x48, 0x65, 0x6c), bytes(0x80, 0x02, 0x6c, 0x6f)]);
    assert.deepEqual(kinds(items), ['ws-frame', 'ws-frame', 'ws-message']);
    assert.equal((items[0] as WsFrame).fin, false);
    assert.equal(find(items[1]!, 'ws-opcode').label, 'opcode 0x0 continuation');
    const message = items[2] as WsMessage;
    assert.deepEqual(
      [message.value, message.frames, message.ranges],
      [
        'Hello',
        2,
        [
          [2, 5],
          [7, 9],
        ],
      ],
    );
  });

  it('an unmasked ping and the masked pong that echoes it', () => {
    const [ping] = decodeFrames('out', [bytes(0x89, 0x05, ...HELLO)]);
    const [pong] = decodeFrames('in', [
      bytes(0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58),
    ]);
    assert.equal(find(ping!, 'ws-opcode').label, 'opcode 0x9 ping');
    assert.equal(find(ping!, 'ws-payload').value, 'Hello');
    assert.equal(find(pong!, 'ws-opcode').label, 'opcode 0xa pong');
    assert.equal(find(pong!, 'ws-payload').value, 'Hello');
  });

  it('a 256-byte binary message uses the 16-bit length', () => {
    const data = Uint8Array.from({ length: 256 }, (_, i) => i);
    const [frame, message] = decodeFrames('out', [join(bytes(0x82, 0x7e, 0x01, 0x00), data)]);
    const length = find(frame!, 'ws-length');
    assert.deepEqual([length.start, length.end, length.value], [1, 4, '256']);
    assert.equal(length.note, undefined);
    assert.equal(find(frame!, 'ws-payload').start, 4);
    assert.equal((message as WsMessage).length, 256);
  });

  it('a 64 KiB binary message uses the 64-bit length', () => {
    const data = new Uint8Array(65536).fill(7);
    const [frame] = decodeFrames('out', [join(bytes(0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0), data)]);
    const length = find(frame!, 'ws-length');
    assert.deepEqual([length.start, length.end, length.value], [1, 10, '65536']);
    assert.equal(frame?.end, 10 + 65536);
  });
});

describe('WebSocket frames written by ws', () => {
  it('ws writes the RFC 6455 §5.7 masked "Hello" byte for byte', () => {
    assert.deepEqual(
      wsFrame('Hello', { opcode: 1, mask: KEY }),
      bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58),
    );
  });

  it('every length encoding ws chooses decodes to the payload it framed', () => {
    for (const n of [0, 1, 125, 126, 127, 65535, 65536, 70000]) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
      for (const mask of [undefined, KEY]) {
        const dir = mask ? 'in' : 'out';
        const items = decodeFrames(dir, [wsFrame(data, { opcode: 2, mask })]);
        const message = items[1] as WsMessage;
        assert.equal((items[0] as WsFrame).length, n, `length ${n}`);
        assert.equal(message.length, n);
        if (n > 0 && n <= 256)
          assert.equal(
            find(items[0]!, 'ws-payload').value,
            Buffer.from(data)
              .toString('hex')
              .replace(/(..)(?!$)/g, '$1 '),
          );
      }
    }
  });

  it('a text message ws fragments into three frames, masked, reassembles', () => {
    const parts = [
      wsFrame('Wire ', { opcode: 1, fin: false, mask: KEY }),
      wsFrame('Lab ', { opcode: 0, fin: false, mask: KEY }),
      wsFrame('✓', { opcode: 0, mask: KEY }),
    ];
    const items = decodeFrames('in', parts);
    assert.equal(ofKind(items, 'ws-message')[0]?.value, 'Wire Lab ✓');
  });
});

describe('WebSocket frame errors (RFC 6455 §5)', () => {
  it('a non-minimal 16-bit or 64-bit length is flagged with a note, not an error', () => {
    const [f16] = decodeFrames('out', [bytes(0x81, 0x7e, 0x00, 0x05, ...HELLO)]);
    assert.match(find(f16!, 'ws-length').note ?? '', /non-minimal/);
    const [f64] = decodeFrames('out', [bytes(0x81, 0x7f, 0, 0, 0, 0, 0, 0, 0, 5, ...HELLO)]);
    assert.match(find(f64!, 'ws-length').note ?? '', /non-minimal/);
    assert.equal(f64?.value, undefined);
  });

  it('a 64-bit length with the most significant bit set is error 1002', () => {
    const items = decodeFrames('out', [bytes(0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1)]);
    assert.deepEqual(kinds(items), ['error']);
    assert.equal(items[0]?.error?.code, 1002);
    assert.deepEqual([items[0]?.start, items[0]?.end], [2, 10]);
    assert.ok(find(items[0]!, 'ws-length').error, 'the length field is marked');
  });

  it('a length past 2^53 − 1 is error 1009', () => {
    const items = decodeFrames('out', [bytes(0x82, 0x7f, 0x00, 0x20, 0, 0, 0, 0, 0, 0)]);
    assert.equal(items[0]?.error?.code, 1009);
  });

  it('every reserved opcode is error 1002', () => {
    for (const op of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
      const items = decodeFrames('out', [bytes(0x80 | op, 0x00)]);
      assert.deepEqual(errorsOf(items), [[1002, `opcode 0x${op.toString(16)} is reserved (RFC 6455 §5.2)`]]);
      const partial = items[0]?.children?.[0] as Field;
      assert.equal(partial.kind, 'ws-frame', 'the header read so far is kept under the error');
      assert.ok(find(partial, 'ws-opcode').error);
    }
  });

  it('RSV2 or RSV3 set is error 1002, and so is RSV1 without a negotiated extension', () => {
    assert.equal(decodeFrames('out', [bytes(0xa1, 0x00)])[0]?.error?.code, 1002);
    assert.equal(decodeFrames('out', [bytes(0x91, 0x00)])[0]?.error?.code, 1002);
    assert.match(decodeFrames('out', [bytes(0xc1, 0x00)])[0]?.note ?? '', /no extension was negotiated/);
  });

  it('an unmasked client frame and a masked server frame are error 1002 at the MASK bit', () => {
    const client = decodeFrames('in', [bytes(0x81, 0x05, ...HELLO)]);
    assert.deepEqual(errorsOf(client), [[1002, 'a client must mask every frame it sends (RFC 6455 §5.1)']]);
    assert.deepEqual([client[0]?.start, client[0]?.end], [1, 2]);
    const server = decodeFrames('out', [
      bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58),
    ]);
    assert.deepEqual(errorsOf(server), [
      [1002, 'a server must not mask the frames it sends (RFC 6455 §5.1)'],
    ]);
  });

  it('a control frame longer than 125 bytes, or fragmented, is error 1002', () => {
    assert.match(decodeFrames('out', [bytes(0x89, 0x7e, 0x00, 0x7e)])[0]?.note ?? '', /at most 125 bytes/);
    assert.match(decodeFrames('out', [bytes(0x09, 0x00)])[0]?.note ?? '', /must not be fragmented/);
  });

  it('bytes after the Close frame are an error', () => {
    const items = decodeFrames('out', [bytes(0x88, 0x02, 0x03, 0xe8, 0x81, 0x00)]);
    assert.deepEqual(kinds(items), ['ws-frame', 'error']);
    assert.equal(items[1]?.start, 4);
  });
});
