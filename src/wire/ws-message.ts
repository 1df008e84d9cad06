/**
 * What WebSocket frames add up to (RFC 6455 §5.4–§5.6): fragments reassembled into messages,
 * text checked as UTF-8 across fragments, control frames read (Close in ws-close.ts), and
 * permessage-deflate messages inflated for display (RFC 7692 §7.2.2).
 */
import type { Direction, Field, Range } from './bytes.ts';
import {
  byteCount,
  concat,
  field,
  hexBytes,
  preview,
  RangeList,
  Retained,
  rangedField,
  shownValue,
  utf8,
} from './bytes.ts';
import type { WireError } from './errors.ts';
import { INVALID_PAYLOAD, MESSAGE_TOO_BIG, markError, PROTOCOL_ERROR, wireError } from './errors.ts';
import { RawInflater } from './inflate.ts';
import type { WireLimits } from './limits.ts';
import { Utf8Validator } from './utf8.ts';
import { closePayload } from './ws-close.ts';

/** RFC 6455 §11.8: opcode names. */
export const OPCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'continuation',
  1: 'text',
  2: 'binary',
  8: 'close',
  9: 'ping',
  10: 'pong',
};

/** A data message as the application receives it. */
export interface WsMessage extends Field {
  kind: 'ws-message';
  type: 'text' | 'binary';
  frames: number;
  /** Payload bytes after inflating. */
  length: number;
  compressed: boolean;
}

/** The parts of a frame header the message layer needs. */
export interface FrameHeader {
  start: number;
  t: number | undefined;
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  length: number;
  payloadStart: number;
}

export interface FrameResult {
  payload?: Field;
  message?: WsMessage;
  error?: WireError;
  /** A note for the frame itself. */
  note?: string;
  /** A few words for the frame's label (a Close frame's code and reason). */
  detail?: string;
  close?: boolean;
}

/** RFC 7692 §7.2.2: the 4 bytes the sender removed from the end of each message. */
const DEFLATE_TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

interface Pending {
  type: 'text' | 'binary';
  t: number | undefined;
  /** Where the first frame starts: its first byte holds RSV1. */
  start: number;
  frames: number;
  compressed: boolean;
  ranges: RangeList;
  kept: Retained;
  deflated: Retained;
  utf8: Utf8Validator;
  badUtf8: boolean;
}

/** Reassembles one direction's frames into messages. */
export class MessageAssembler {
  private readonly dir: Direction;
  private readonly limits: WireLimits;
  private readonly exchange: number | undefined;
  /** permessage-deflate negotiated; `fresh`: this direction's sender uses no context takeover. */
  private readonly deflate: { fresh: boolean } | undefined;
  private readonly inflater = new RawInflater();
  private windowLost = false;
  /** Bytes inflated so far in this direction, against `limits.maxInflateTotal`. */
  private inflatedTotal = 0;
  private msg: Pending | undefined;
  private control = false;
  private frame: Retained;
  private frameBadUtf8 = -1;

  constructor(dir: Direction, limits: WireLimits, deflate?: { fresh: boolean }, exchange?: number) {
    this.dir = dir;
    this.limits = limits;
    this.deflate = deflate;
    this.exchange = exchange;
    this.frame = new Retained(limits.maxValueBytes);
  }

  /** Checks a frame header against the message in progress; returns the error and the field kind at fault. */
  begin(h: FrameHeader): { error: WireError; kind: string } | undefined {
    const at = (message: string, kind: string) => ({
      error: wireError(message, h.start, h.start + 1, PROTOCOL_ERROR),
      kind,
    });
    this.control = h.opcode >= 8;
    if (h.rsv1 && !this.deflate)
      return at('RSV1 is set but no extension was negotiated (RFC 6455 §5.2)', 'ws-rsv');
    if (h.rsv1 && this.control) return at('RSV1 must be 0 on control frames (RFC 7692 §6.1)', 'ws-rsv');
    if (!this.control) {
      if (h.opcode === 0 && !this.msg)
        return at('continuation frame with no message to continue (RFC 6455 §5.4)', 'ws-opcode');
      if (h.opcode !== 0 && this.msg)
        return at('new data frame before the fragmented message ended (RFC 6455 §5.4)', 'ws-opcode');
      if (h.opcode === 0 && h.rsv1)
        return at('RSV1 must be 0 on continuation frames (RFC 7692 §6.1)', 'ws-rsv');
      if (!this.msg) {
        const cap = this.limits.maxValueBytes;
        const utf8Check = new Utf8Validator();
        this.msg = {
          type: h.opcode === 1 ? 'text' : 'binary',
          t: h.t,
          start: h.start,
          frames: 0,
          compressed: h.rsv1,
          ranges: new RangeList(this.limits.maxRanges),
          kept: new Retained(cap),
          deflated: new Retained(this.limits.maxInflateInput),
          utf8: utf8Check,
          badUtf8: false,
        };
      }
      this.msg.frames++;
    }
    this.frame = new Retained(this.control ? 125 : this.limits.maxValueBytes);
    this.frameBadUtf8 = -1;
    return undefined;
  }

  /** Takes the next unmasked payload bytes of the current frame, at raw `offset`. */
  data(bytes: Uint8Array, offset: number): void {
    this.frame.add(bytes);
    const m = this.msg;
    if (this.control || !m) return;
    m.ranges.add(offset, offset + bytes.length);
    if (m.compressed) {
      m.deflated.add(bytes);
      return;
    }
    m.kept.add(bytes);
    // RFC 6455 §8.1: text is UTF-8 as a whole message; a character may straddle fragments.
    if (m.type === 'text' && !m.badUtf8) {
      const bad = m.utf8.write(bytes);
      if (bad >= 0) {
        m.badUtf8 = true;
        this.frameBadUtf8 = offset + bad;
      }
    }
  }

  /** The current frame's payload is complete; returns its payload field, the message it completes, and any error. */
  end(h: FrameHeader): FrameResult {
    if (this.control) return this.endControl(h);
    const m = this.msg!;
    const kept = this.frame.bytes();
    const shown = m.compressed
      ? { value: hexBytes(kept, 256), note: 'compressed: inflated in the message item' }
      : shownValue(kept, this.frame.total, m.type === 'text');
    const payload =
      h.length > 0
        ? field(
            'ws-payload',
            `payload ${byteCount(h.length)}`,
            this.dir,
            h.payloadStart,
            h.payloadStart + h.length,
            shown,
          )
        : undefined;
    if (this.frameBadUtf8 >= 0) {
      const error = wireError(
        'text is not valid UTF-8 (RFC 6455 §8.1)',
        this.frameBadUtf8,
        this.frameBadUtf8 + 1,
        INVALID_PAYLOAD,
      );
      if (payload) markError(payload, error);
      return payload ? { payload, error } : { error };
    }
    if (!h.fin) return payload ? { payload } : {};
    this.msg = undefined;
    const result: FrameResult = payload ? { payload } : {};
    const last: [number, number] =
      h.length > 0 ? [h.payloadStart + h.length - 1, h.payloadStart + h.length] : [h.start, h.payloadStart];
    let bytes = m.kept.bytes();
    let total = m.kept.total;
    let note = m.frames > 1 ? `reassembled from ${m.frames} frames (RFC 6455 §5.4)` : undefined;
    let wasInflated = false;
    if (m.compressed) {
      const inflated = this.inflate(m);
      wasInflated = inflated.kept !== undefined;
      note = [note, inflated.note].filter(Boolean).join('; ');
      bytes = inflated.kept?.bytes() ?? new Uint8Array(0);
      total = inflated.kept?.total ?? 0;
      if (inflated.error)
        result.error = wireError(inflated.error.message, last[0], last[1], inflated.error.code);
    } else if (m.type === 'text' && !m.utf8.complete) {
      result.error = wireError(
        'text ends in the middle of a UTF-8 character (RFC 6455 §8.1)',
        last[0],
        last[1],
        INVALID_PAYLOAD,
      );
    }
    const shownMessage = shownValue(bytes, total, m.type === 'text');
    const ranges =
      m.ranges.list.length > 0 ? m.ranges.list : [[h.payloadStart, h.payloadStart] as [number, number]];
    const label = `${m.type} message, ${byteCount(total)}${m.type === 'text' ? `: "${preview(utf8(bytes))}"` : ''}`;
    const notes = [note, shownMessage.note].filter(Boolean).join('; ') || undefined;
    const base = rangedField('ws-message', label, this.dir, ranges, {
      value: shownMessage.value,
      note: notes,
      t: m.t,
      exchange: this.exchange,
      children: m.compressed
        ? this.compressedParts(m, ranges, wasInflated ? { value: shownMessage.value, total } : undefined)
        : undefined,
    });
    const message: WsMessage = {
      ...base,
      kind: 'ws-message',
      type: m.type,
      frames: m.frames,
      length: total,
      compressed: m.compressed,
    };
    if (result.error) markError(message, result.error);
    result.message = message;
    return result;
  }

  /**
   * A compressed message's parts side by side: what the handshake agreed, the RSV1 bit that
   * marks it, the bytes as sent and the message they inflate to.
   */
  private compressedParts(
    m: Pending,
    ranges: Range[],
    inflated: { value: string; total: number } | undefined,
  ): Field[] {
    const dir = this.dir;
    const fresh = this.deflate?.fresh === true;
    const deflated = m.deflated.bytes();
    const parts = [
      rangedField(
        'ws-extension',
        fresh ? 'permessage-deflate, no context takeover' : 'permessage-deflate, context takeover',
        dir,
        ranges,
        {
          note: fresh
            ? 'agreed in the handshake (Sec-WebSocket-Extensions, RFC 7692 §7.1.1): each message is compressed on its own'
            : 'agreed in the handshake (Sec-WebSocket-Extensions, RFC 7692 §7.1.1): a message may refer back to the 32 KiB before it',
        },
      ),
      field('ws-rsv', 'RSV1 1 on the first frame', dir, m.start, m.start + 1, {
        bits: [1, 1],
        note: 'RSV1: compressed message (permessage-deflate, RFC 7692 §6)',
      }),
      rangedField('ws-deflated', `compressed payload, ${byteCount(m.deflated.total)}`, dir, ranges, {
        value: hexBytes(deflated, 256),
        note: 'raw DEFLATE as sent: the sender removed the final 00 00 ff ff (RFC 7692 §7.2.1)',
      }),
    ];
    if (inflated)
      parts.push(
        rangedField(
          'ws-inflated',
          `${m.type === 'text' ? 'inflated text' : 'inflated data'}, ${byteCount(inflated.total)}`,
          dir,
          ranges,
          { value: inflated.value },
        ),
      );
    return parts;
  }

  /** RFC 7692 §7.2.2: append 00 00 ff ff, inflate with the window kept from earlier messages. */
  private inflate(m: Pending): { kept?: Retained; note: string; error?: { message: string; code: number } } {
    if (this.deflate?.fresh) {
      this.inflater.reset();
      this.windowLost = false;
    }
    if (this.windowLost)
      return {
        note: 'not inflated: an earlier message could not be, so the shared window (RFC 7692 §7.2.1) is unknown',
      };
    if (m.deflated.truncated) {
      this.windowLost = true;
      return { note: `not inflated: more than ${this.limits.maxInflateInput} compressed bytes` };
    }
    if (this.inflatedTotal >= this.limits.maxInflateTotal) {
      this.windowLost = true;
      return {
        note: `not inflated: this direction already inflated ${this.inflatedTotal} bytes, the most the inspector inflates per connection`,
      };
    }
    const input = concat([m.deflated.bytes(), DEFLATE_TAIL]);
    const kept = new Retained(this.limits.maxValueBytes);
    const check = new Utf8Validator();
    let bad = -1;
    const r = this.inflater.inflate(
      input,
      (chunk) => {
        if (m.type === 'text' && bad < 0) {
          const at = check.write(chunk);
          if (at >= 0) bad = kept.total + at;
        }
        kept.add(chunk);
      },
      this.limits.maxInflateOutput,
    );
    this.inflatedTotal += r.outputBytes;
    const note = `inflated ${m.deflated.total} → ${r.outputBytes} bytes (permessage-deflate: payload + 00 00 ff ff, RFC 7692 §7.2.2)`;
    if (r.error) {
      this.windowLost = true;
      const error = r.tooBig
        ? {
            message: `inflated message larger than ${this.limits.maxInflateOutput} bytes`,
            code: MESSAGE_TOO_BIG,
          }
        : { message: `invalid compressed data: ${r.error}`, code: INVALID_PAYLOAD };
      return { kept, note, error };
    }
    if (m.type === 'text' && (bad >= 0 || !check.complete)) {
      return {
        kept,
        note,
        error: {
          message: `inflated text is not valid UTF-8 at byte ${bad >= 0 ? bad : kept.total} (RFC 6455 §8.1)`,
          code: INVALID_PAYLOAD,
        },
      };
    }
    return { kept, note };
  }

  /** Close, ping, pong: RFC 6455 §5.5. */
  private endControl(h: FrameHeader): FrameResult {
    const bytes = this.frame.bytes();
    const dir = this.dir;
    const ps = h.payloadStart;
    if (h.opcode !== 8) {
      if (h.length === 0) return {};
      const shown = shownValue(bytes, bytes.length, 'auto');
      return {
        payload: field('ws-payload', `payload ${byteCount(h.length)}`, dir, ps, ps + h.length, {
          ...shown,
          note: h.opcode === 9 ? 'a pong must echo this (RFC 6455 §5.5.3)' : undefined,
        }),
      };
    }
    return { ...closePayload(dir, ps, bytes), close: true };
  }
}
