/**
 * A WebSocket client made by hand over node:net, for the abuse suite: it does a real handshake,
 * then writes whatever frame bytes a test builds — unmasked, reserved bits, lying lengths — and
 * reads the server's frames back, so a test can see the exact close code the server sent, or
 * that it cut the connection without one. (RFC 6455 §5.2 for the frame layout.)
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'; // RFC 6455 §1.3

export interface FrameSpec {
  /** FIN bit (default true). */
  fin?: boolean;
  /** RSV1–3 as a 3-bit number (default 0). */
  rsv?: number;
  opcode: number;
  payload?: Buffer | string;
  /** The 4-byte masking key; `null` sends the frame unmasked (a protocol error from a client). */
  mask?: Buffer | null;
  /** Writes this length field instead of the payload's (a 64-bit length, say), with the payload bytes given. */
  lengthOverride?: bigint;
}

/** Encodes one frame exactly as `spec` says, right or wrong. */
export function frame(spec: FrameSpec): Buffer {
  const payload =
    typeof spec.payload === 'string' ? Buffer.from(spec.payload) : (spec.payload ?? Buffer.alloc(0));
  const mask = spec.mask === undefined ? randomBytes(4) : spec.mask;
  const first = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | (spec.opcode & 0x0f);
  const maskBit = mask ? 0x80 : 0;
  const length = spec.lengthOverride ?? BigInt(payload.length);
  let head: Buffer;
  if (spec.lengthOverride === undefined && length < 126n) {
    head = Buffer.from([first, maskBit | Number(length)]);
  } else if (spec.lengthOverride === undefined && length < 65_536n) {
    head = Buffer.alloc(4);
    head[0] = first;
    head[1] = maskBit | 126;
    head.writeUInt16BE(Number(length), 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = first;
    head[1] = maskBit | 127;
    head.writeBigUInt64BE(length, 2);
  }
  if (!mask) return Buffer.concat([head, payload]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([head, mask, masked]);
}

/** A close frame's payload: the code (2 bytes, big-endian) and the reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
}

export interface ServerFrame {
  fin: boolean;
  /** RSV1: a compressed message (permessage-deflate, RFC 7692 §6). */
  rsv1: boolean;
  opcode: number;
  payload: Buffer;
}

/** How the server ended the connection: with a close frame (its code and reason), or by cutting it. */
export type Ending = { closeFrame: true; code: number; reason: string } | { closeFrame: false };

export class RawWebSocket {
  readonly socket: net.Socket;
  /** The handshake answer's head (status line and headers). */
  readonly handshake: string;
  readonly status: number;
  /** Every byte received after the handshake's head. */
  private afterHead: Buffer[] = [];
  closed = false;

  private constructor(socket: net.Socket, head: string, rest: Buffer) {
    this.socket = socket;
    this.handshake = head;
    this.status = Number(head.split(' ')[1]);
    if (rest.length > 0) this.afterHead.push(rest);
    socket.on('data', (d: Buffer) => this.afterHead.push(d));
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  /**
   * Connects to `path` and sends an upgrade request with `headers` (defaults: a valid key and
   * version 13; a header set to `null` is left out). Resolves once the answer's head arrived.
   */
  static async open(
    port: number,
    path: string,
    headers: Record<string, string | null> = {},
    timeoutMs = 10_000,
  ): Promise<RawWebSocket> {
    const all: Record<string, string | null> = {
      Host: '127.0.0.1',
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      'Sec-WebSocket-Version': '13',
      ...headers,
    };
    const lines = [`GET ${path} HTTP/1.1`];
    for (const [k, v] of Object.entries(all)) if (v !== null) lines.push(`${k}: ${v}`);
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    let got = Buffer.alloc(0);
    const { head, rest } = await new Promise<{ head: string; rest: Buffer }>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no handshake answer within ${timeoutMs} ms: ${got.toString('latin1')}`));
      }, timeoutMs);
      const onData = (d: Buffer): void => {
        got = Buffer.concat([got, d]);
        const end = got.indexOf('\r\n\r\n');
        if (end < 0) return;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('close', onClose);
        resolve({ head: got.subarray(0, end).toString('latin1'), rest: got.subarray(end + 4) });
      };
      const onClose = (): void => {
        clearTimeout(timer);
        reject(new Error(`closed before a handshake answer: ${JSON.stringify(got.toString('latin1'))}`));
      };
      socket.on('data', onData);
      socket.once('close', onClose);
    });
    const ws = new RawWebSocket(socket, head, rest);
    if (ws.status === 101) {
      const accept = /\r\nsec-websocket-accept: *(\S+)/i.exec(head)?.[1];
      const key = all['Sec-WebSocket-Key'] ?? '';
      const expected = createHash('sha1')
        .update(key + GUID)
        .digest('base64');
      if (accept !== expected) throw new Error(`bad Sec-WebSocket-Accept: ${head}`);
    }
    return ws;
  }

  /** The answer's body when the handshake was refused (everything after the head). */
  get body(): string {
    return Buffer.concat(this.afterHead).toString('utf8');
  }

  send(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** The frames the server sent so far (server frames are never masked). */
  frames(): ServerFrame[] {
    const data = Buffer.concat(this.afterHead);
    const out: ServerFrame[] = [];
    let pos = 0;
    while (pos + 2 <= data.length) {
      const b0 = data[pos]!;
      const b1 = data[pos + 1]!;
      let len = b1 & 0x7f;
      let at = pos + 2;
      if (len === 126) {
        if (at + 2 > data.length) break;
        len = data.readUInt16BE(at);
        at += 2;
      } else if (len === 127) {
        if (at + 8 > data.length) break;
        len = Number(data.readBigUInt64BE(at));
        at += 8;
      }
      if (b1 & 0x80) at += 4;
      if (at + len > data.length) break;
      out.push({
        fin: (b0 & 0x80) !== 0,
        rsv1: (b0 & 0x40) !== 0,
        opcode: b0 & 0x0f,
        payload: data.subarray(at, at + len),
      });
      pos = at + len;
    }
    return out;
  }

  /** The server's close frame, if it sent one. */
  closeFrame(): { code: number; reason: string } | undefined {
    const f = this.frames().find((x) => x.opcode === 0x8);
    if (!f) return undefined;
    return {
      code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005,
      reason: f.payload.subarray(2).toString('utf8'),
    };
  }

  /** Waits until the server closed the TCP connection; says whether a close frame came first. */
  async ended(timeoutMs = 10_000): Promise<Ending> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) {
        this.socket.destroy();
        throw new Error(`the server did not close the connection within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const close = this.closeFrame();
    return close ? { closeFrame: true, ...close } : { closeFrame: false };
  }

  destroy(): void {
    this.socket.destroy();
  }
}
