/**
 * WS /lab/<session>/echo — a WebSocket that sends back every message as it came: text as text,
 * binary as binary. Sending `{"close":4000,"reason":"bye"}` asks the server to close the
 * connection with that code and reason, to see a close initiated by the server.
 *
 *   → hello           ← hello
 *   → <3 bytes>       ← <the same 3 bytes>
 *   → {"close":4000,"reason":"bye"}     ← close frame: 4000 "bye"
 */
import type { RawData } from 'ws';
import { openPushSocket } from './push-socket.ts';
import type { LabSocket } from './request.ts';

/** Echoes every message; closes with the code a `{"close":CODE}` message asks for. */
export function echo(ctx: LabSocket): void {
  const { ws } = ctx;
  const push = openPushSocket(ctx);

  ws.on('message', (data: RawData, isBinary: boolean) => {
    const bytes = data as Buffer;
    const asked = isBinary ? null : closeRequest(bytes.toString('utf8'));
    if (asked === null) {
      push.send(bytes, isBinary);
      return;
    }
    if ('error' in asked) {
      push.send(JSON.stringify(asked));
      return;
    }
    push.close(asked.code, asked.reason, `echo: closed ${asked.code} as the client asked`);
  });
}

/**
 * Reads `{"close":CODE,"reason":TEXT}`: null if the text is not such a request, an `error` if it
 * is one the server cannot honour.
 */
function closeRequest(text: string): { code: number; reason: string } | { error: string } | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || !('close' in value)) return null;
  const { close: code, reason = '' } = value as { close: unknown; reason?: unknown };
  if (typeof code !== 'number' || !isSendableCloseCode(code)) {
    return {
      error: `close code ${JSON.stringify(code)} cannot be sent: use 1000–1003, 1007–1014 or 3000–4999`,
    };
  }
  if (typeof reason !== 'string') return { error: 'reason must be a string' };
  // RFC 6455 §5.5: a control frame's payload is at most 125 bytes, 2 of them the code.
  if (Buffer.byteLength(reason) > 123) return { error: 'reason must be at most 123 bytes of UTF-8' };
  return { code, reason };
}

/**
 * RFC 6455 §7.4: 1000–1014 are defined by the protocol and its registry (1004 is reserved,
 * 1005 and 1006 only report what happened and never go on the wire), 3000–3999 are registered
 * by libraries and frameworks, 4000–4999 are free for applications.
 */
function isSendableCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
      (code >= 3000 && code <= 4999))
  );
}
