import type { WireFacts, WsFrame } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

const TEXT = 1;
const BINARY = 2;
const CLOSE = 8;

const sent = (wire: WireFacts): WsFrame[] => wire.wsFrames.filter((f) => f.dir === 'in');
const received = (wire: WireFacts): WsFrame[] => wire.wsFrames.filter((f) => f.dir === 'out');

/** RFC 6455 §5.3: every frame a browser sends is masked; none a server sends is. */
function maskedRightly(wire: WireFacts): true | ReturnType<typeof fail> {
  if (wire.wsFrames.length === 0)
    return fail('No WebSocket frames on the wire.', '线路上没有 WebSocket 帧。');
  if (sent(wire).some((f) => !f.masked))
    return fail('A frame from the browser was not masked.', '浏览器发出的帧有一个没有掩码。');
  if (received(wire).some((f) => f.masked))
    return fail('A frame from the server was masked.', '服务器发出的帧有一个带了掩码。');
  return true;
}

export default defineChecks({
  traffic: {
    'text-frame': (wire) => {
      const ok = maskedRightly(wire);
      if (ok !== true) return ok;
      const out = sent(wire).find((f) => f.opcode === TEXT && f.fin && f.length === 5);
      const back = received(wire).find((f) => f.opcode === TEXT && f.fin && f.length === 5);
      if (!out || !back)
        return fail('Expected a 5-byte text frame each way.', '应当在两个方向上各有一个 5 字节的文本帧。');
      return true;
    },

    lengths: (wire) => {
      const ok = maskedRightly(wire);
      if (ok !== true) return ok;
      for (const n of [125, 126, 65536]) {
        if (!sent(wire).some((f) => f.opcode === TEXT && f.length === n))
          return fail(`No ${n}-byte text frame from the browser.`, `没有看到浏览器发出的 ${n} 字节文本帧。`);
        if (!received(wire).some((f) => f.opcode === TEXT && f.length === n))
          return fail(`No ${n}-byte text frame came back.`, `没有收到 ${n} 字节文本帧的回显。`);
      }
      return true;
    },

    binary: (wire) => {
      const ok = maskedRightly(wire);
      if (ok !== true) return ok;
      if (!sent(wire).some((f) => f.opcode === BINARY && f.length === 4))
        return fail(
          'No 4-byte binary frame (opcode 0x2) from the browser.',
          '没有看到浏览器发出的 4 字节二进制帧（opcode 0x2）。',
        );
      if (!received(wire).some((f) => f.opcode === BINARY && f.length === 4))
        return fail('The binary frame did not come back.', '二进制帧没有回显回来。');
      if (!sent(wire).some((f) => f.opcode === TEXT && f.length === 8))
        return fail('No 8-byte text frame "deadbeef".', '没有 8 字节的文本帧 "deadbeef"。');
      return true;
    },

    backpressure: (wire) => {
      const ok = maskedRightly(wire);
      if (ok !== true) return ok;
      const big = (fs: WsFrame[]) => fs.filter((f) => f.opcode === TEXT && f.length === 32 * 1024).length;
      if (big(sent(wire)) < 8 || big(received(wire)) < 8)
        return fail('Expected 8 messages of 32 KiB each way.', '应当在两个方向上各有 8 条 32 KiB 的消息。');
      return true;
    },

    deflate: (wire) => {
      const ok = maskedRightly(wire);
      if (ok !== true) return ok;
      const handshake = wire.exchanges.find((x) => x.endpoint === 'ws' && x.query.deflate !== undefined);
      if (!handshake)
        return fail(
          "No handshake to ws?deflate=1: open new WebSocket('ws?deflate=1').",
          "没有看到对 ws?deflate=1 的握手：请打开 new WebSocket('ws?deflate=1')。",
        );
      // RFC 7692 §5: the extension is in use only when the server's answer names it.
      if (!/^permessage-deflate\b/.test(handshake.responseHeaders['sec-websocket-extensions'] ?? ''))
        return fail(
          "The server's answer agreed no permessage-deflate (no Sec-WebSocket-Extensions): the inspector's note names the bound that declined it; run again once other compressed sockets have closed.",
          '服务器的回应没有同意 permessage-deflate（没有 Sec-WebSocket-Extensions）：检查器的说明里写着是哪个上限拒绝了它；等其他压缩连接关闭后再运行一次。',
        );
      const compressed = (fs: WsFrame[]) => fs.filter((f) => f.conn === handshake.conn && f.rsv1 === true);
      if (compressed(sent(wire)).length === 0)
        return fail(
          'No compressed frame (RSV1 set) from the browser.',
          '没有看到浏览器发出的压缩帧（RSV1 为 1）。',
        );
      if (compressed(received(wire)).length === 0)
        return fail(
          'No compressed frame (RSV1 set) from the server.',
          '没有看到服务器发出的压缩帧（RSV1 为 1）。',
        );
      // The 1000 repetitive bytes cross as a small fraction of their size.
      const shrunk = wire.wsFrames.some(
        (f) =>
          f.conn === handshake.conn &&
          (f.inflatedLength ?? 0) >= 1000 &&
          f.length * 4 < (f.inflatedLength ?? 0),
      );
      if (!shrunk)
        return fail(
          'Expected a message of at least 1000 bytes that crossed as less than a quarter of its size: send something repetitive.',
          '应当有一条至少 1000 字节、在线路上不到原来四分之一大小的消息：请发送重复很多的内容。',
        );
      return true;
    },

    close: (wire) => {
      const ok = maskedRightly(wire);
      if (ok !== true) return ok;
      const closes = wire.wsFrames.filter((f) => f.opcode === CLOSE);
      if (!closes.some((f) => f.dir === 'in') || !closes.some((f) => f.dir === 'out'))
        return fail(
          'Expected a close frame each way: the closing handshake.',
          '应当在两个方向上各有一个关闭帧：这就是关闭握手。',
        );
      return true;
    },
  },

  exercise: {
    step: 'close',
    check: (wire) => {
      const first = wire.wsFrames.find((f) => f.opcode === CLOSE);
      if (!first)
        return fail(
          'No close frame on the wire: close the WebSocket in your code.',
          '线路上没有关闭帧：请在代码里关闭这个 WebSocket。',
        );
      // The lab notes a close it made on request; the frames' order says the same.
      const serverClosed = wire.connections.some((c) => c.notes.some((n) => n.startsWith('echo: closed')));
      if (first.dir === 'out' || serverClosed)
        return fail(
          `The server sent the first close frame (code ${first.closeCode ?? 'none'}); the browser only answered it. Call ws.close(4000, 'bye') yourself.`,
          `第一个关闭帧是服务器发的（关闭码 ${first.closeCode ?? '无'}），浏览器只是回应了它。请自己调用 ws.close(4000, 'bye')。`,
        );
      if (first.closeCode !== 4000)
        return fail(
          `The browser closed first, with code ${first.closeCode ?? 'none'}; close with 4000.`,
          `浏览器先关闭了连接，但关闭码是 ${first.closeCode ?? '无'}；请用 4000 关闭。`,
        );
      if (first.text !== 'bye')
        return fail(
          `The close reason was "${first.text ?? ''}"; send "bye".`,
          `关闭原因是 "${first.text ?? ''}"，请发送 "bye"。`,
        );
      return true;
    },
  },
});
