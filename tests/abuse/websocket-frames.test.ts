/**
 * Broken WebSocket frames, made by hand and written over raw TCP after a real handshake to
 * `/lab/<session>/echo`: each must be answered with the close code RFC 6455 assigns (docs/lab-api.md,
 * "WebSocket close codes"), the connection closed, and the server must keep serving everyone else.
 * Also broken handshakes, and garbage sent to the inspector channel.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { InspectorClient } from '../server/capture-harness.ts';
import { raw, request } from '../server/lab-wire.ts';
import { closePayload, frame, RawWebSocket } from './raw-websocket.ts';
import { assertStillEchoes, assertStillServes } from './still-serves.ts';

const MAX = 4 * 1024;
const s = await startTestServer({
  tickIntervalMs: 3_600_000,
  maxMessageBytes: MAX,
  maxConnectionsPerSession: 2,
  requestsPerSecond: 1_000,
});

/** One session for the whole file, with at most 2 connections: a leaked count would lock it out. */
const session = newSessionId();

/** Opens an echo socket in the file's session and checks the handshake succeeded. */
async function openEcho(): Promise<RawWebSocket> {
  const ws = await RawWebSocket.open(s.port, `/lab/${session}/echo`);
  assert.equal(ws.status, 101, ws.handshake);
  return ws;
}

/** Sends `bytes` on a fresh echo socket; resolves the close code the server answered with. */
async function closeCodeFor(bytes: Buffer | Buffer[]): Promise<number> {
  const ws = await openEcho();
  for (const b of Array.isArray(bytes) ? bytes : [bytes]) ws.send(b);
  const ending = await ws.ended(10_000);
  assert.ok(ending.closeFrame, 'the server sent a close frame before closing');
  return ending.code;
}

const text = (payload: string | Buffer, more: Partial<Parameters<typeof frame>[0]> = {}) =>
  frame({ opcode: 0x1, payload, ...more });

// Defence: ws's receiver (RFC 6455 §5.1: a server MUST close on an unmasked client frame).
test('an unmasked client frame is closed 1002', async () => {
  assert.equal(await closeCodeFor(text('hello', { mask: null })), 1002);
  await assertStillEchoes(s.port);
});

// Defence: ws's receiver (§5.2: RSV bits MUST be 0 unless an extension defines them; none is
// negotiated — perMessageDeflate is off — so RSV1 is not allowed either).
test('RSV1, RSV2 and RSV3 bits without an extension are closed 1002', async () => {
  for (const rsv of [0b100, 0b010, 0b001]) {
    assert.equal(await closeCodeFor(text('x', { rsv })), 1002, `rsv ${rsv.toString(2)}`);
  }
  await assertStillEchoes(s.port);
});

test('reserved opcodes (3–7, 11–15) are closed 1002', async () => {
  for (const opcode of [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    assert.equal(await closeCodeFor(frame({ opcode, payload: 'x' })), 1002, `opcode ${opcode}`);
  }
  await assertStillEchoes(s.port);
});

// Defence: §5.5: control frames carry at most 125 bytes and MUST NOT be fragmented.
test('a control frame over 125 bytes, or fragmented, is closed 1002', async () => {
  assert.equal(await closeCodeFor(frame({ opcode: 0x9, payload: Buffer.alloc(126, 1) })), 1002, 'ping 126');
  assert.equal(await closeCodeFor(frame({ opcode: 0xa, payload: Buffer.alloc(200, 1) })), 1002, 'pong 200');
  assert.equal(await closeCodeFor(frame({ opcode: 0x9, fin: false, payload: 'p' })), 1002, 'ping, FIN 0');
  assert.equal(
    await closeCodeFor(frame({ opcode: 0x8, fin: false, payload: closePayload(1000) })),
    1002,
    'close, FIN 0',
  );
  await assertStillEchoes(s.port);
});

// Defence: §8.1: text must be valid UTF-8, checked whole and across fragments; close reasons too.
test('invalid UTF-8 in a text message, in a fragment, or in a close reason is closed 1007', async () => {
  assert.equal(await closeCodeFor(text(Buffer.from([0x68, 0xc3, 0x28]))), 1007, 'a bad sequence');
  assert.equal(await closeCodeFor(text(Buffer.from([0xed, 0xa0, 0x80]))), 1007, 'a UTF-16 surrogate');
  assert.equal(await closeCodeFor(text(Buffer.from([0xc0, 0xaf]))), 1007, 'an overlong slash');
  assert.equal(
    await closeCodeFor([
      text(Buffer.from([0x61, 0xe2, 0x82]), { fin: false }),
      frame({ opcode: 0x0, payload: Buffer.from([0x28]) }),
    ]),
    1007,
    'a sequence cut by a fragment boundary and finished wrong',
  );
  assert.equal(
    await closeCodeFor(
      frame({ opcode: 0x8, payload: Buffer.concat([closePayload(1000), Buffer.from([0xff])]) }),
    ),
    1007,
    'a close reason',
  );
  await assertStillEchoes(s.port);
});

// Defence: the lab's ws maxPayload = maxMessageBytes (ws's own default is 100 MiB).
test('a message over maxMessageBytes is closed 1009 naming the bound, whole or in fragments', async () => {
  const ws = await openEcho();
  ws.send(frame({ opcode: 0x2, payload: Buffer.alloc(MAX + 1) }));
  const ending = await ws.ended();
  assert.deepEqual(ending, {
    closeFrame: true,
    code: 1009,
    reason: `bound maxMessageBytes (${MAX}) exceeded`,
  });
  const pieces = [
    frame({ opcode: 0x2, fin: false, payload: Buffer.alloc(MAX / 2) }),
    frame({ opcode: 0x0, fin: false, payload: Buffer.alloc(MAX / 2) }),
    frame({ opcode: 0x0, payload: Buffer.alloc(16) }),
  ];
  assert.equal(await closeCodeFor(pieces), 1009, 'fragments adding up past the bound');
  // The length alone is enough: the server does not wait for the 1 MiB it announced.
  assert.equal(
    await closeCodeFor(frame({ opcode: 0x2, lengthOverride: 1n << 20n })),
    1009,
    'a promise of 1 MiB',
  );
  await assertStillEchoes(s.port);
});

// Defence: §5.2: the most significant bit of a 64-bit length MUST be 0; ws refuses any length past
// 2^53 − 1 at once instead of waiting for (or allocating) it.
test('a 64-bit length with the top bit set is closed 1002 at once, as the dissector says, never waited for', async () => {
  const topBit = 'the most significant bit of a 64-bit length must be 0 (RFC 6455 §5.2)';
  const ws = await openEcho();
  ws.send(frame({ opcode: 0x2, lengthOverride: 1n << 63n, payload: 'abc' }));
  assert.deepEqual(await ws.ended(), { closeFrame: true, code: 1002, reason: topBit });
  const huge = await closeCodeFor(frame({ opcode: 0x1, lengthOverride: 0xffffffffffffffffn }));
  assert.equal(huge, 1002, 'all ones');
  // Top bit clear but past 2^53 − 1: allowed by the RFC, too big to follow: 1009.
  const big = await openEcho();
  big.send(frame({ opcode: 0x2, lengthOverride: 1n << 60n }));
  assert.deepEqual(await big.ended(), {
    closeFrame: true,
    code: 1009,
    reason: 'payload length above 2^53 − 1 bytes: too big to follow',
  });
  await assertStillEchoes(s.port);
});

test('a Close frame whose reason is not UTF-8 is closed 1007 saying so, not as a text message', async () => {
  const ws = await openEcho();
  ws.send(frame({ opcode: 0x8, payload: Buffer.concat([closePayload(1000), Buffer.from([0xff, 0xfe])]) }));
  assert.deepEqual(await ws.ended(), {
    closeFrame: true,
    code: 1007,
    reason: 'the Close frame’s reason is not valid UTF-8 (RFC 6455 §5.5.1)',
  });
  const text = await openEcho();
  text.send(frame({ opcode: 0x1, payload: Buffer.from([0xc3, 0x28]) }));
  assert.deepEqual(await text.ended(), {
    closeFrame: true,
    code: 1007,
    reason: 'a text message is not valid UTF-8 (RFC 6455 §8.1)',
  });
  await assertStillEchoes(s.port);
});

// Defence: §5.4: a continuation needs a message to continue; a new message cannot start inside one.
test('a continuation with nothing to continue, or a new message inside a fragmented one, is closed 1002', async () => {
  assert.equal(await closeCodeFor(frame({ opcode: 0x0, payload: 'orphan' })), 1002, 'orphan continuation');
  assert.equal(
    await closeCodeFor([text('first half', { fin: false }), text('a new message')]),
    1002,
    'a text frame inside a fragmented message',
  );
  await assertStillEchoes(s.port);
});

// Defence: §7.4.1 / §7.4.2: 1004–1006 and 1015 are reserved and never sent; below 1000, 1016–2999
// and from 5000 codes are not allowed; a close payload of 1 byte has no room for a code.
test('close codes that may not be sent, and a 1-byte close payload, are closed 1002', async () => {
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535]) {
    assert.equal(
      await closeCodeFor(frame({ opcode: 0x8, payload: closePayload(code) })),
      1002,
      `code ${code}`,
    );
  }
  assert.equal(await closeCodeFor(frame({ opcode: 0x8, payload: Buffer.from([0x03]) })), 1002, '1 byte');
  // The control case: an allowed code is answered with the same code, as §5.5.1 says.
  assert.equal(await closeCodeFor(frame({ opcode: 0x8, payload: closePayload(4000, 'bye') })), 4000);
  await assertStillEchoes(s.port);
});

test('after all those broken sockets the session’s connection count went back to zero', async () => {
  // maxConnectionsPerSession is 2 here: one leaked count per broken socket would refuse these.
  const a = await openEcho();
  const b = await openEcho();
  a.send(text('still counted right'));
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(a.frames().some((f) => f.payload.toString() === 'still counted right'));
  assert.equal(a.closeFrame(), undefined, 'not refused 1013');
  assert.equal(b.closeFrame(), undefined, 'not refused 1013');
  a.destroy();
  b.destroy();
});

// Defence: ws's handshake checks (RFC 6455 §4.2.1, §4.4) before the lab sees a socket.
test('a handshake with a bad Sec-WebSocket-Key or version is refused with a status, no upgrade', async () => {
  const id = newSessionId();
  const refusals: Array<[string, Record<string, string | null>, number]> = [
    ['no key', { 'Sec-WebSocket-Key': null }, 400],
    ['a short key', { 'Sec-WebSocket-Key': 'c2hvcnQ=' }, 400],
    ['a key that is not base64', { 'Sec-WebSocket-Key': '!!!!!!!!!!!!!!!!!!!!!!==' }, 400],
    ['a 17-byte key', { 'Sec-WebSocket-Key': Buffer.alloc(17, 7).toString('base64') }, 400],
    ['no version', { 'Sec-WebSocket-Version': null }, 400],
    ['version 12', { 'Sec-WebSocket-Version': '12' }, 400],
    ['version 14', { 'Sec-WebSocket-Version': '14' }, 400],
    ['a non-WebSocket upgrade', { Upgrade: 'h2c' }, 400],
  ];
  for (const [name, headers, status] of refusals) {
    const ws = await RawWebSocket.open(s.port, `/lab/${id}/echo`, headers);
    assert.equal(ws.status, status, `${name}: ${ws.handshake}`);
    assert.doesNotMatch(ws.handshake, /Sec-WebSocket-Accept/i, name);
    if (name.includes('version')) assert.match(ws.handshake, /\r\nSec-WebSocket-Version: 13, 8/i, name);
    await ws.ended();
  }
  // A handshake sent as POST is a 405 from the WebSocket server, not an upgrade.
  const post = await raw(
    s.port,
    request('POST', `/lab/${id}/echo`, {
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version': '13',
    }),
  );
  assert.equal(post.status, 405);
  await assertStillEchoes(s.port);
  await assertStillServes(s.port);
});

// Defence: the inspector's own WebSocketServer: maxPayload 4 KiB, an 'error' listener on each socket
// (ws without one crashes the process), and a channel per reader.
test('garbage on the inspector channel closes that channel only; the session’s other inspector goes on', async () => {
  const id = newSessionId();
  const watcher = await InspectorClient.open(s.port, id);
  const garbage: Array<[string, Buffer, number]> = [
    ['unmasked', frame({ opcode: 0x1, payload: 'hi', mask: null }), 1002],
    ['over 4 KiB', frame({ opcode: 0x1, payload: Buffer.alloc(5 * 1024, 0x61) }), 1009],
    ['a reserved opcode', frame({ opcode: 0x5, payload: 'x' }), 1002],
    ['RSV bits', frame({ opcode: 0x1, rsv: 0b111, payload: 'x' }), 1002],
    ['invalid UTF-8', frame({ opcode: 0x1, payload: Buffer.from([0xff, 0xfe]) }), 1007],
    ['a close code 1005', frame({ opcode: 0x8, payload: closePayload(1005) }), 1002],
    ['random bytes', Buffer.from('ffffffffffffffffffffffffffffffff0123456789abcdef', 'hex'), 1002],
  ];
  for (const [name, bytes, code] of garbage) {
    const ws = await RawWebSocket.open(s.port, `/inspect/${id}`);
    assert.equal(ws.status, 101, ws.handshake);
    ws.send(bytes);
    const ending = await ws.ended();
    assert.ok(ending.closeFrame && ending.code === code, `${name}: ${JSON.stringify(ending)}`);
  }
  // The watcher still gets the session's records live.
  await raw(s.port, request('GET', `/lab/${id}/time`));
  await watcher.waitFor(
    (rs) => rs.some((r) => r.kind === 'data' && r.dir === 'out'),
    'the time answer',
    10_000,
  );
  assert.equal(watcher.closed, false);
  watcher.close();
  await assertStillServes(s.port);
});
