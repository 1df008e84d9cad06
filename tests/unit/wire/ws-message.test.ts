import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants, deflateRawSync } from 'node:zlib';
import type { Field, WsMessage } from '../../../src/wire/index.ts';
import { DEFAULT_LIMITS } from '../../../src/wire/index.ts';
import { decodeFrames, find, join, kinds, ofKind, utf8Bytes, wsFrame } from './conversation.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);
const KEY = bytes(1, 2, 3, 4);
const text = (data: string | Uint8Array, fin = true, opcode = 1) => wsFrame(data, { opcode, fin });
const close = (payload: Uint8Array) => wsFrame(payload, { opcode: 8 });
const code = (n: number, reason = '') => join(bytes(n >> 8, n & 0xff), utf8Bytes(reason));
const errorsOf = (items: Field[]) => ofKind(items, 'error').map((e) => e.error?.code);

describe('WebSocket messages: fragments and UTF-8 (RFC 6455 §5.4, §8.1)', () => {
  it('a character split across fragments is valid text', () => {
    const euro = utf8Bytes('€');
    const items = decodeFrames('out', [text(euro.subarray(0, 1), false), text(euro.subarray(1), true, 0)]);
    assert.deepEqual(errorsOf(items), []);
    assert.equal(ofKind(items, 'ws-message')[0]?.value, '€');
  });

  it('control frames may come between the fragments of a message', () => {
    const items = decodeFrames('out', [text('Hel', false), wsFrame('!', { opcode: 9 }), text('lo', true, 0)]);
    assert.deepEqual(kinds(items), ['ws-frame', 'ws-frame', 'ws-frame', 'ws-message']);
    assert.equal(items[3]?.value, 'Hello');
  });

  it('invalid UTF-8 in a text frame is error 1007 at the offending byte', () => {
    const items = decodeFrames('out', [text(bytes(0x61, 0x62, 0xff))]);
    assert.deepEqual(kinds(items), ['ws-frame', 'error']);
    assert.deepEqual([items[1]?.error?.code, items[1]?.start], [1007, 4]);
    assert.ok(find(items[0]!, 'ws-payload').error);
  });

  it('text that ends in the middle of a character at FIN is error 1007', () => {
    const items = decodeFrames('out', [text(bytes(0x61, 0xe2, 0x82))]);
    assert.deepEqual(errorsOf(items), [1007]);
    assert.ok((items.find((i) => i.kind === 'ws-message') as WsMessage).error);
  });

  it('binary messages are not checked as UTF-8', () => {
    assert.deepEqual(errorsOf(decodeFrames('out', [wsFrame(bytes(0xff, 0xfe), { opcode: 2 })])), []);
  });

  it('a continuation with no message to continue is error 1002', () => {
    assert.deepEqual(errorsOf(decodeFrames('out', [text('x', true, 0)])), [1002]);
  });

  it('a new data frame before the fragmented message ended is error 1002', () => {
    assert.deepEqual(errorsOf(decodeFrames('out', [text('a', false), text('b')])), [1002]);
  });
});

describe('WebSocket Close frames (RFC 6455 §5.5.1, §7.4)', () => {
  it('the close code and reason are decoded at their bytes', () => {
    const [frame] = decodeFrames('out', [close(code(1000, 'bye'))]);
    const c = find(frame!, 'ws-close-code');
    assert.deepEqual([c.start, c.end, c.value, c.label], [2, 4, '1000', 'close code 1000 normal closure']);
    const reason = find(frame!, 'ws-close-reason');
    assert.deepEqual([reason.start, reason.end, reason.value], [4, 7, 'bye']);
  });

  it('codes a peer may send are accepted', () => {
    for (const n of [
      1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999,
    ]) {
      assert.deepEqual(errorsOf(decodeFrames('out', [close(code(n))])), [], `code ${n}`);
    }
  });

  it('codes that may never be sent are error 1002', () => {
    for (const n of [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000]) {
      const items = decodeFrames('out', [close(code(n))]);
      assert.deepEqual(errorsOf(items), [1002], `code ${n}`);
      assert.ok(find(items[0]!, 'ws-close-code').error);
    }
  });

  it('a 1-byte close payload is error 1002', () => {
    assert.deepEqual(errorsOf(decodeFrames('out', [close(bytes(0x03))])), [1002]);
  });

  it('an empty Close frame is fine, and says the other side reports 1005', () => {
    const items = decodeFrames('out', [close(bytes())]);
    assert.deepEqual(errorsOf(items), []);
    assert.match(items[0]?.note ?? '', /1005/);
  });

  it('a close reason that is not UTF-8 is error 1007', () => {
    assert.deepEqual(errorsOf(decodeFrames('out', [close(join(code(1000), bytes(0xc3, 0x28)))])), [1007]);
  });
});

describe('permessage-deflate (RFC 7692)', () => {
  const deflate = { fresh: false };
  const HELLO = bytes(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00);

  it('§7.2.3.1: a compressed "Hello" is inflated in the message, and marked so', () => {
    const items = decodeFrames('out', [join(bytes(0xc1, 0x07), HELLO)], deflate);
    const message = items[1] as WsMessage;
    assert.deepEqual([message.value, message.compressed, message.length], ['Hello', true, 5]);
    assert.match(message.note ?? '', /inflated 7 → 5 bytes/);
    assert.match(find(items[0]!, 'ws-payload').note ?? '', /compressed/);
  });

  it('§7.2.3.2: the second message refers back into the first (context takeover)', () => {
    const items = decodeFrames(
      'out',
      [join(bytes(0xc1, 0x07), HELLO), bytes(0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00)],
      deflate,
    );
    assert.deepEqual(
      ofKind(items, 'ws-message').map((m) => m.value),
      ['Hello', 'Hello'],
    );
  });

  it('with no context takeover each message starts from an empty window', () => {
    const twice = decodeFrames('out', [join(bytes(0xc1, 0x07), HELLO), join(bytes(0xc1, 0x07), HELLO)], {
      fresh: true,
    });
    assert.deepEqual(
      ofKind(twice, 'ws-message').map((m) => m.value),
      ['Hello', 'Hello'],
    );
    const backReference = decodeFrames(
      'out',
      [join(bytes(0xc1, 0x07), HELLO), bytes(0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00)],
      { fresh: true },
    );
    assert.deepEqual(errorsOf(backReference), [1007]);
  });

  it('§7.2.3.3 and §7.2.3.4: a stored block and a block with BFINAL set', () => {
    const stored = decodeFrames(
      'out',
      [bytes(0xc1, 0x0b, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00)],
      deflate,
    );
    assert.equal(stored[1]?.value, 'Hello');
    const final = decodeFrames(
      'out',
      [bytes(0xc1, 0x08, 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00)],
      deflate,
    );
    assert.equal(final[1]?.value, 'Hello');
  });

  it('§7.2.3.5: two DEFLATE blocks in one message', () => {
    const items = decodeFrames(
      'out',
      [bytes(0xc1, 0x0d, 0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00)],
      deflate,
    );
    assert.equal(items[1]?.value, 'Hello');
  });

  it('a compressed message in fragments: RSV1 on the first frame only, inflated as a whole', () => {
    const items = decodeFrames(
      'in',
      [
        wsFrame(HELLO.subarray(0, 3), { opcode: 1, fin: false, rsv1: true, mask: KEY }),
        wsFrame(HELLO.subarray(3), { opcode: 0, mask: KEY }),
      ],
      deflate,
    );
    const message = ofKind<WsMessage>(items, 'ws-message')[0];
    assert.deepEqual([message?.value, message?.frames], ['Hello', 2]);
  });

  it('RSV1 on a continuation frame is error 1002', () => {
    const items = decodeFrames('out', [bytes(0x41, 0x01, 0xf2), bytes(0xc0, 0x01, 0x48)], deflate);
    assert.deepEqual(errorsOf(items), [1002]);
  });

  it('invalid compressed data is error 1007', () => {
    const items = decodeFrames('out', [bytes(0xc1, 0x01, 0xff)], deflate);
    assert.deepEqual(errorsOf(items), [1007]);
    assert.match(items[2]?.note ?? '', /invalid compressed data/);
  });

  it('a message too big to keep for inflating is not inflated, and the next ones say the shared window is lost', () => {
    const limits = { ...DEFAULT_LIMITS, maxInflateInput: 4 };
    const items = decodeFrames(
      'out',
      [join(bytes(0xc1, 0x07), HELLO), join(bytes(0xc1, 0x07), HELLO)],
      deflate,
      limits,
    );
    const notes = ofKind(items, 'ws-message').map((m) => m.note);
    assert.match(notes[0] ?? '', /not inflated: more than 4 compressed bytes/);
    assert.match(notes[1] ?? '', /shared window .* is unknown/);
    assert.deepEqual(errorsOf(items), []);
  });

  it('a compressed message lists the agreement, RSV1, the compressed bytes and the inflated text side by side', () => {
    const items = decodeFrames('out', [join(bytes(0xc1, 0x07), HELLO)], deflate);
    const message = items[1] as WsMessage;
    const parts = message.children ?? [];
    assert.deepEqual(
      parts.map((p) => [p.kind, p.label]),
      [
        ['ws-extension', 'permessage-deflate, context takeover'],
        ['ws-rsv', 'RSV1 1 on the first frame'],
        ['ws-deflated', 'compressed payload, 7 bytes'],
        ['ws-inflated', 'inflated text, 5 bytes'],
      ],
    );
    // RSV1 is the second bit of the frame's first byte; the payload sits after the 2-byte header.
    assert.deepEqual([parts[1]?.start, parts[1]?.end, parts[1]?.bits], [0, 1, [1, 1]]);
    assert.deepEqual([parts[2]?.value, parts[2]?.start, parts[2]?.end], ['f2 48 cd c9 c9 07 00', 2, 9]);
    assert.equal(parts[3]?.value, 'Hello');
    const fresh = decodeFrames('out', [join(bytes(0xc1, 0x07), HELLO)], { fresh: true })[1];
    assert.equal(fresh?.children?.[0]?.label, 'permessage-deflate, no context takeover');
  });

  it('an inflate bomb from either side stops at maxInflateOutput with 1009, keeping only what is shown', () => {
    // 64 MiB of zeros in one frame of ~64 KiB: what a peer could send under the lab's message bound.
    const bomb = deflateRawSync(new Uint8Array(64 * 1024 * 1024), { finishFlush: constants.Z_SYNC_FLUSH });
    const payload = bomb.subarray(0, bomb.length - 4);
    for (const [dir, mask] of [
      ['out', undefined],
      ['in', KEY],
    ] as const) {
      const items = decodeFrames(dir, [wsFrame(payload, { opcode: 1, rsv1: true, mask })], deflate);
      assert.deepEqual(errorsOf(items), [1009], dir);
      const message = ofKind<WsMessage>(items, 'ws-message')[0];
      assert.equal(
        message?.error?.message,
        `inflated message larger than ${DEFAULT_LIMITS.maxInflateOutput} bytes`,
      );
      assert.equal(message?.value?.length, DEFAULT_LIMITS.maxValueBytes, 'only the shown part is kept');
      assert.ok(DEFAULT_LIMITS.maxInflateOutput <= 1024 * 1024, 'a bomb costs at most 1 MiB of inflating');
    }
  });

  it('past maxInflateTotal a direction stops inflating: many messages just under the bound stay cheap', () => {
    const limits = { ...DEFAULT_LIMITS, maxInflateOutput: 1000, maxInflateTotal: 3000 };
    const one = deflateRawSync(new Uint8Array(900), { finishFlush: constants.Z_SYNC_FLUSH });
    const frame = wsFrame(one.subarray(0, one.length - 4), { opcode: 2, rsv1: true });
    const items = decodeFrames(
      'out',
      Array.from({ length: 6 }, () => frame),
      { fresh: true },
      limits,
    );
    const messages = ofKind<WsMessage>(items, 'ws-message');
    assert.deepEqual(
      messages.map((m) => m.children?.some((c) => c.kind === 'ws-inflated')),
      [true, true, true, true, false, false],
    );
    assert.match(messages[4]?.note ?? '', /not inflated: this direction already inflated 3600 bytes/);
    assert.deepEqual(errorsOf(items), []);
  });
});
