import type { HttpExchange, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';
import { acceptKey } from '../../src/wire/ws-handshake.ts';

/** The WebSocket handshakes (upgrade requests) to `echo`, answered or not. */
const handshakes = (wire: WireFacts): HttpExchange[] =>
  wire.exchanges.filter(
    (e) => e.endpoint === 'echo' && (e.requestHeaders.upgrade ?? '').toLowerCase() === 'websocket',
  );

/** A 101 whose Sec-WebSocket-Accept is right for the request's key. */
function acceptedHandshake(wire: WireFacts): true | ReturnType<typeof fail> {
  const hs = handshakes(wire);
  if (hs.length === 0) return fail('No WebSocket handshake to echo.', '没有发往 echo 的 WebSocket 握手。');
  const e = hs.find((h) => h.status === 101);
  if (!e)
    return fail(
      `The handshake was answered ${hs[0]?.status ?? '(nothing)'}, not 101.`,
      `握手的应答是 ${hs[0]?.status ?? '（无）'}，不是 101。`,
    );
  const h = e.requestHeaders;
  if (!(h.connection ?? '').toLowerCase().includes('upgrade') || h['sec-websocket-version'] !== '13')
    return fail(
      'The upgrade request lacks Connection: Upgrade or Sec-WebSocket-Version: 13.',
      '升级请求缺少 Connection: Upgrade 或 Sec-WebSocket-Version: 13。',
    );
  const key = h['sec-websocket-key'] ?? '';
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key))
    return fail(
      `Sec-WebSocket-Key "${key}" is not base64 of 16 bytes.`,
      `Sec-WebSocket-Key "${key}" 不是 16 字节的 base64。`,
    );
  if (e.responseHeaders['sec-websocket-accept'] !== acceptKey(key))
    return fail('The 101 carries a wrong Sec-WebSocket-Accept.', '101 响应里的 Sec-WebSocket-Accept 不对。');
  return true;
}

/**
 * The last base64 value of `chars` characters logged after `label` in the console (quotes,
 * colons and spaces between them are skipped): a key is 24 characters, an accept value 28.
 */
function logged(wire: WireFacts, label: string, chars: number): string | undefined {
  const pad = chars === 24 ? 2 : 1;
  const pattern = new RegExp(`${label}[^A-Za-z0-9+/]*([A-Za-z0-9+/]{${chars - pad}}={${pad}})`, 'i');
  let value: string | undefined;
  for (const line of wire.console) {
    const m = pattern.exec(line.text);
    if (m) value = m[1];
  }
  return value;
}

export default defineChecks({
  traffic: {
    handshake: (wire) => {
      const ok = acceptedHandshake(wire);
      if (ok !== true) return ok;
      const hello = wire.wsFrames.find((f) => f.dir === 'in' && f.opcode === 1 && f.text === 'hello');
      if (!hello?.masked)
        return fail(
          'No masked text frame "hello" from the browser.',
          '没有看到浏览器发出的、带掩码的文本帧 "hello"。',
        );
      if (!wire.wsFrames.some((f) => f.dir === 'out' && f.opcode === 1 && f.text === 'hello'))
        return fail('The echo of "hello" did not come back.', '"hello" 的回显没有回来。');
      return true;
    },

    accept: acceptedHandshake,

    refused: (wire) => {
      const e = handshakes(wire).find((h) => h.query.status === '403');
      if (e?.status !== 403)
        return fail(
          'The handshake to echo?status=403 was not answered 403.',
          'echo?status=403 的握手没有得到 403 应答。',
        );
      if (wire.wsFrames.length > 0)
        return fail('Frames were exchanged after a refused handshake.', '握手被拒绝后，竟然还有帧往来。');
      return true;
    },

    delayed: (wire) => {
      const e = handshakes(wire).find((h) => h.query.delay === '2000');
      if (e?.status !== 101)
        return fail(
          'The handshake to echo?delay=2000 was not answered 101.',
          'echo?delay=2000 的握手没有得到 101 应答。',
        );
      if (!wire.connections.some((c) => c.conn === e.conn && c.notes.some((n) => n.includes('delay=2000'))))
        return fail('The lab did not delay this handshake.', '实验服务器没有推迟这次握手。');
      return true;
    },
  },

  exercise: {
    step: 'accept',
    check: (wire) => {
      const key = logged(wire, 'Sec-WebSocket-Key', 24);
      const accept = logged(wire, 'Sec-WebSocket-Accept', 28);
      if (!key || !accept)
        return fail(
          'Log the key and your result as "Sec-WebSocket-Key: …" and "Sec-WebSocket-Accept: …".',
          '请用 "Sec-WebSocket-Key: …" 和 "Sec-WebSocket-Accept: …" 的形式打印 key 和你的计算结果。',
        );
      const expected = acceptKey(key);
      if (accept !== expected)
        return fail(
          `For the key ${key} you computed ${accept}; a server answers ${expected}. RFC 6455 §4.2.2 hashes the key followed by the GUID 258EAFA5-E914-47DA-95CA-C5AB0DC85B11, then encodes the 20 bytes in base64.`,
          `对 key ${key}，你算出的是 ${accept}，服务器会回应 ${expected}。RFC 6455 §4.2.2 规定：对 key 后接 GUID 258EAFA5-E914-47DA-95CA-C5AB0DC85B11 的字符串求 SHA-1，再把这 20 个字节做 base64 编码。`,
        );
      return true;
    },
  },
});
