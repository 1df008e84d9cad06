/**
 * WebSocket frames (RFC 6455 §5.2), one direction, shaped like ws's Receiver: a state per thing
 * waited for, exactly n bytes taken per state, a loop that stops when bytes run short. Every bit
 * field keeps its byte (and bit) range; a frame is an item once its payload is complete.
 */
import type { ByteQueue } from './byte-queue.ts';
import type { EndHow } from './connection.ts';
import type { Direction, Field } from './bytes.ts';
import { byteCount, field, hex, hexBytes } from './bytes.ts';
import type { WireError } from './errors.ts';
import { errorItem, MESSAGE_TOO_BIG, markError, PROTOCOL_ERROR, wireError } from './errors.ts';
import type { FrameHeader, MessageAssembler } from './ws-message.ts';
import { OPCODE_NAMES } from './ws-message.ts';

export interface WsFrame extends Field {
  kind: 'ws-frame';
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  masked: boolean;
  /** Payload length in bytes. */
  length: number;
}

type State =
  | 'GET_INFO'
  | 'GET_PAYLOAD_LENGTH_16'
  | 'GET_PAYLOAD_LENGTH_64'
  | 'GET_MASK'
  | 'GET_DATA'
  | 'CLOSED';

const NON_MINIMAL = 'non-minimal length encoding: the shortest form must be used (RFC 6455 §5.2)';

/** Decodes the frames of one direction after the upgrade; 'in' frames must be masked, 'out' frames must not. */
export class FrameDecoder {
  private state: State = 'GET_INFO';
  private readonly dir: Direction;
  private readonly emit: (item: Field) => void;
  private readonly messages: MessageAssembler;
  private readonly exchange: number | undefined;
  private h: FrameHeader = {
    start: 0,
    t: undefined,
    fin: false,
    rsv1: false,
    opcode: 0,
    length: 0,
    payloadStart: 0,
  };
  private fields: Field[] = [];
  private masked = false;
  private mask = new Uint8Array(4);
  private received = 0;
  private sawClose = false;

  constructor(dir: Direction, emit: (item: Field) => void, messages: MessageAssembler, exchange?: number) {
    this.dir = dir;
    this.emit = emit;
    this.messages = messages;
    this.exchange = exchange;
  }

  /** Decodes what the queue holds; returns 'more' when it needs bytes, 'stop' after a protocol error. */
  run(q: ByteQueue): 'more' | 'stop' {
    for (;;) {
      let err: { error: WireError; kind?: string } | 'stop' | undefined;
      switch (this.state) {
        case 'GET_INFO':
          if (q.length < 2) return 'more';
          err = this.getInfo(q);
          break;
        case 'GET_PAYLOAD_LENGTH_16':
          if (q.length < 2) return 'more';
          this.getLength16(q);
          break;
        case 'GET_PAYLOAD_LENGTH_64':
          if (q.length < 8) return 'more';
          err = this.getLength64(q);
          break;
        case 'GET_MASK':
          if (q.length < 4) return 'more';
          this.getMask(q);
          break;
        case 'GET_DATA':
          if (this.received < this.h.length && q.length === 0) return 'more';
          err = this.getData(q);
          break;
        case 'CLOSED':
          if (q.length === 0) return 'more';
          // RFC 6455 §5.5.1: after sending a Close frame, an endpoint sends no more data.
          this.emit(
            errorItem(
              this.dir,
              wireError('bytes after the Close frame (RFC 6455 §5.5.1)', q.offset, q.offset + 1),
              undefined,
              q.time,
            ),
          );
          return 'stop';
      }
      if (err === 'stop') return 'stop';
      if (err) {
        const culprit = this.fields.find((f) => f.kind === err.kind);
        if (culprit) markError(culprit, err.error);
        this.emit(
          errorItem(this.dir, err.error, this.frame(this.fields.at(-1)?.end ?? this.h.start), this.h.t),
        );
        return 'stop';
      }
    }
  }

  /** The stream ended: reports a frame cut short; returns a note for the FIN. */
  end(q: ByteQueue, t?: number, how: EndHow = 'fin'): string | undefined {
    const mid = this.state !== 'GET_INFO' && this.state !== 'CLOSED';
    if (mid || (this.state === 'GET_INFO' && q.length > 0)) {
      const start = mid ? this.h.start : q.offset;
      const end = mid
        ? Math.max(this.h.payloadStart + this.received, this.fields.at(-1)?.end ?? start)
        : q.offset + q.length;
      const children = mid ? [this.frame(end)] : undefined;
      this.emit(
        field('incomplete', 'incomplete frame', this.dir, start, end, {
          note: 'the stream ended in the middle of a frame',
          t: mid ? this.h.t : (q.time ?? t),
          exchange: this.exchange,
          children,
        }),
      );
    }
    const end = how === 'rst' ? 'RST' : how === 'closed' ? 'the end of the connection' : 'FIN';
    if (this.sawClose) return `${end} after the Close frame: the closing handshake is done (RFC 6455 §7.1.1)`;
    return `no Close frame before ${end}: close code 1006, abnormal closure (RFC 6455 §7.1.5)`;
  }

  /** RFC 6455 §5.2: FIN, RSV1–3, opcode; MASK, 7-bit payload length. */
  private getInfo(q: ByteQueue): { error: WireError; kind: string } | undefined {
    const dir = this.dir;
    const start = q.offset;
    const t = q.time;
    const b = q.consume(2);
    const b0 = b[0]!;
    const b1 = b[1]!;
    const fin = (b0 & 0x80) !== 0;
    const rsv = [(b0 >> 6) & 1, (b0 >> 5) & 1, (b0 >> 4) & 1];
    const opcode = b0 & 0x0f;
    const len7 = b1 & 0x7f;
    this.masked = (b1 & 0x80) !== 0;
    this.h = { start, t, fin, rsv1: rsv[0] === 1, opcode, length: len7, payloadStart: start + 2 };
    this.received = 0;
    const name = OPCODE_NAMES[opcode];
    this.fields = [
      field(
        'ws-fin',
        `FIN ${fin ? 1 : 0}: ${fin ? 'final frame of the message' : 'more fragments follow'}`,
        dir,
        start,
        start + 1,
        { bits: [0, 1] },
      ),
      field('ws-rsv', `RSV1 ${rsv[0]} RSV2 ${rsv[1]} RSV3 ${rsv[2]}`, dir, start, start + 1, {
        bits: [1, 3],
        note: rsv[0] ? 'RSV1: compressed message (permessage-deflate, RFC 7692 §6)' : undefined,
      }),
      field('ws-opcode', `opcode ${hex(opcode)} ${name ?? 'reserved'}`, dir, start, start + 1, {
        bits: [4, 4],
        value: name,
      }),
      field('ws-mask-bit', `MASK ${this.masked ? 1 : 0}`, dir, start + 1, start + 2, { bits: [0, 1] }),
      field(
        'ws-length',
        `payload length ${len7}${len7 === 126 ? ': 16-bit length follows' : len7 === 127 ? ': 64-bit length follows' : ''}`,
        dir,
        start + 1,
        start + 2,
        { bits: [1, 7], value: len7 < 126 ? String(len7) : undefined },
      ),
    ];
    const fail = (message: string, kind: string) => ({
      error: wireError(
        message,
        start + (kind === 'ws-mask-bit' || kind === 'ws-length' ? 1 : 0),
        start + (kind === 'ws-mask-bit' || kind === 'ws-length' ? 2 : 1),
        PROTOCOL_ERROR,
      ),
      kind,
    });
    if (rsv[1] || rsv[2])
      return fail('RSV2 and RSV3 must be 0: no negotiated extension defines them (RFC 6455 §5.2)', 'ws-rsv');
    if (name === undefined) return fail(`opcode ${hex(opcode)} is reserved (RFC 6455 §5.2)`, 'ws-opcode');
    if (opcode >= 8 && !fin) return fail('control frames must not be fragmented (RFC 6455 §5.5)', 'ws-fin');
    if (opcode >= 8 && len7 > 125)
      return fail('control frame payloads are at most 125 bytes (RFC 6455 §5.5)', 'ws-length');
    if (dir === 'in' && !this.masked)
      return fail('a client must mask every frame it sends (RFC 6455 §5.1)', 'ws-mask-bit');
    if (dir === 'out' && this.masked)
      return fail('a server must not mask the frames it sends (RFC 6455 §5.1)', 'ws-mask-bit');
    const sequence = this.messages.begin(this.h);
    if (sequence) return sequence;
    if (len7 === 126) this.state = 'GET_PAYLOAD_LENGTH_16';
    else if (len7 === 127) this.state = 'GET_PAYLOAD_LENGTH_64';
    else this.haveLength();
    return undefined;
  }

  /** RFC 6455 §5.2: a 16-bit big-endian length follows 126. */
  private getLength16(q: ByteQueue): void {
    const b = q.consume(2);
    const n = (b[0]! << 8) | b[1]!;
    this.setLength(n, 2, n < 126);
  }

  /** RFC 6455 §5.2: a 64-bit big-endian length follows 127; its most significant bit must be 0. */
  private getLength64(q: ByteQueue): { error: WireError; kind: string } | undefined {
    const b = q.consume(8);
    const view = new DataView(b.buffer, b.byteOffset, 8);
    const start = this.h.start + 2;
    const hi = view.getUint32(0);
    const lo = view.getUint32(4);
    const lengthField = this.fields.at(-1)!;
    lengthField.end = start + 8;
    if (hi & 0x80000000)
      return {
        error: wireError(
          'the most significant bit of a 64-bit length must be 0 (RFC 6455 §5.2)',
          start,
          start + 8,
          PROTOCOL_ERROR,
        ),
        kind: 'ws-length',
      };
    // Like ws: lengths past 2^53 − 1 cannot be counted exactly, so they cannot be followed.
    if (hi > 0x1fffff)
      return {
        error: wireError(
          'payload length above 2^53 − 1 bytes: too big to follow',
          start,
          start + 8,
          MESSAGE_TOO_BIG,
        ),
        kind: 'ws-length',
      };
    const n = hi * 2 ** 32 + lo;
    this.setLength(n, 8, n < 65536);
    return undefined;
  }

  private setLength(n: number, bytes: number, nonMinimal: boolean): void {
    const lengthField = this.fields.at(-1)!;
    lengthField.end = this.h.start + 2 + bytes;
    lengthField.label = `payload length ${n} (${bytes * 8}-bit)`;
    lengthField.value = String(n);
    if (nonMinimal) lengthField.note = NON_MINIMAL;
    this.h.length = n;
    this.h.payloadStart += bytes;
    this.haveLength();
  }

  private haveLength(): void {
    this.state = this.masked ? 'GET_MASK' : 'GET_DATA';
  }

  /** RFC 6455 §5.3: the 4-byte masking key. */
  private getMask(q: ByteQueue): void {
    const start = q.offset;
    this.mask = q.consume(4).slice();
    const key = hexBytes(this.mask);
    this.fields.push(field('ws-mask-key', `masking key ${key}`, this.dir, start, start + 4, { value: key }));
    this.h.payloadStart += 4;
    this.state = 'GET_DATA';
  }

  /** The payload, piece by piece as it arrives; RFC 6455 §5.3: byte i is XORed with key[i mod 4]. */
  private getData(q: ByteQueue): 'stop' | undefined {
    const remaining = this.h.length - this.received;
    if (remaining > 0) {
      const offset = q.offset;
      const piece = q.take(remaining);
      const plain = this.masked ? new Uint8Array(piece.length) : piece;
      if (this.masked)
        for (let i = 0; i < piece.length; i++) plain[i] = piece[i]! ^ this.mask[(this.received + i) & 3]!;
      this.received += piece.length;
      this.messages.data(plain, offset);
      if (this.received < this.h.length) return undefined;
    }
    const r = this.messages.end(this.h);
    if (r.payload) {
      if (this.masked)
        r.payload.note = [r.payload.note, `unmasked with key ${hexBytes(this.mask)}`]
          .filter(Boolean)
          .join('; ');
      this.fields.push(r.payload);
    }
    const frame = this.frame(this.h.payloadStart + this.h.length, r.detail);
    if (r.note) frame.note = r.note;
    if (r.error) markError(frame, r.error);
    this.emit(frame);
    if (r.message) this.emit(r.message);
    if (r.error) {
      this.emit(errorItem(this.dir, r.error, undefined, this.h.t));
      return 'stop';
    }
    if (r.close) this.sawClose = true;
    this.state = r.close ? 'CLOSED' : 'GET_INFO';
    return undefined;
  }

  /** Returns the frame item (so far) ending at `end`. */
  private frame(end: number, detail?: string): WsFrame {
    const h = this.h;
    const name = OPCODE_NAMES[h.opcode] ?? `opcode ${hex(h.opcode)}`;
    const label = `${name} frame${detail ? ` ${detail}` : ''}${h.fin ? '' : ' (not final)'}, ${byteCount(h.length)}${this.masked ? ', masked' : ''}`;
    const base = field('ws-frame', label, this.dir, h.start, end, {
      t: h.t,
      exchange: this.exchange,
      children: [...this.fields],
    });
    return {
      ...base,
      kind: 'ws-frame',
      fin: h.fin,
      rsv1: h.rsv1,
      opcode: h.opcode,
      masked: this.masked,
      length: h.length,
    };
  }
}
