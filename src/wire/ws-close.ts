/**
 * The Close frame (RFC 6455 §5.5.1, §7.4): an optional 2-byte status code and a UTF-8 reason,
 * which codes may be sent, and what each one means.
 */
import type { Direction, Field } from './bytes.ts';
import { byteCount, field, preview, utf8 } from './bytes.ts';
import type { WireError } from './errors.ts';
import { INVALID_PAYLOAD, markError, PROTOCOL_ERROR, wireError } from './errors.ts';
import { invalidUtf8At } from './utf8.ts';

/** RFC 6455 §7.4.1 and the IANA registry: what each close code means. */
export const CLOSE_CODE_NAMES: Readonly<Record<number, string>> = {
  1000: 'normal closure',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status received',
  1006: 'abnormal closure',
  1007: 'invalid payload data',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'mandatory extension',
  1011: 'internal error',
  1012: 'service restart',
  1013: 'try again later',
  1014: 'bad gateway',
  1015: 'TLS handshake',
};

/** Returns true when `code` may be sent in a Close frame (RFC 6455 §7.4; 1004–1006 and 1015 are never sent). */
export function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

export interface ClosePayload {
  payload?: Field;
  error?: WireError;
  /** A note for the frame (an empty Close). */
  note?: string;
  /** Code and reason in a few words, for the frame's label. */
  detail: string;
}

/** Returns the Close payload `bytes` (starting at raw offset `start`) as fields, with the error it breaks the rules with. */
export function closePayload(dir: Direction, start: number, bytes: Uint8Array): ClosePayload {
  if (bytes.length === 0) {
    return { detail: 'no code', note: 'no status code: the other side reports 1005 (RFC 6455 §7.1.5)' };
  }
  const end = start + bytes.length;
  const payload = field('ws-payload', `close payload ${byteCount(bytes.length)}`, dir, start, end, {
    children: [],
  });
  if (bytes.length === 1) {
    const message = 'a Close payload is empty or starts with a 2-byte status code (RFC 6455 §5.5.1)';
    const error = wireError(message, start, end, PROTOCOL_ERROR);
    return { payload: markError(payload, error), error, detail: 'bad code' };
  }
  const code = (bytes[0]! << 8) | bytes[1]!;
  const codeField = field(
    'ws-close-code',
    `close code ${code} ${closeCodeName(code)}`,
    dir,
    start,
    start + 2,
    {
      value: String(code),
    },
  );
  payload.children!.push(codeField);
  let error: WireError | undefined;
  let detail = String(code);
  if (!isValidCloseCode(code)) {
    error = wireError(
      `close code ${code} may not be sent in a Close frame (RFC 6455 §7.4)`,
      start,
      start + 2,
      PROTOCOL_ERROR,
    );
    markError(codeField, error);
  }
  if (bytes.length > 2) {
    const reasonBytes = bytes.subarray(2);
    const reason = utf8(reasonBytes);
    const reasonField = field('ws-close-reason', `reason: ${preview(reason)}`, dir, start + 2, end, {
      value: reason,
    });
    payload.children!.push(reasonField);
    detail += ` "${preview(reason, 24)}"`;
    const bad = invalidUtf8At(reasonBytes);
    if (bad >= 0 && !error) {
      // RFC 6455 §5.5.1: the reason is UTF-8; §8.1: invalid UTF-8 fails the connection with 1007.
      const at = start + 2 + Math.min(bad, reasonBytes.length - 1);
      error = wireError('the close reason is not valid UTF-8 (RFC 6455 §5.5.1)', at, at + 1, INVALID_PAYLOAD);
      markError(reasonField, error);
    }
  }
  return error ? { payload, error, detail } : { payload, detail };
}

/** Returns what a close code means: its registered name, or its range. */
export function closeCodeName(code: number): string {
  const name = CLOSE_CODE_NAMES[code];
  if (name) return name;
  if (code >= 4000 && code <= 4999) return 'private use';
  if (code >= 3000 && code <= 3999) return 'registered (IANA)';
  return 'unassigned';
}
