/**
 * The WebSocket opening handshake (RFC 6455 §4): the key/accept arithmetic, shown and checked on
 * the header fields that carry it, and the permessage-deflate parameters (RFC 7692 §7) the
 * frames that follow depend on.
 */
import type { Direction, Field } from './bytes.ts';
import { asciiBytes } from './bytes.ts';
import type { WireError } from './errors.ts';
import { markError, wireError } from './errors.ts';
import type { HttpRequest, HttpResponse } from './http-head.ts';
import { headerTokens, headerValues } from './http-head.ts';
import { sha1 } from './sha1.ts';

/** RFC 6455 §1.3: the GUID appended to the key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Returns the standard base64 text (RFC 4648 §4, with padding) of `bytes`. */
export function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? ALPHABET[n & 63]! : '=';
  }
  return out;
}

/** Returns how many bytes standard base64 `text` decodes to, or -1 when it is not canonical base64. */
export function base64Length(text: string): number {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return -1;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - pad;
}

/** Returns base64(SHA-1(key + GUID)): the Sec-WebSocket-Accept a server must answer `key` with (RFC 6455 §4.2.2). */
export function acceptKey(key: string): string {
  return base64(sha1(asciiBytes(key + WEBSOCKET_GUID)));
}

/** Returns true when the headers carry `Upgrade: websocket` and `Connection: upgrade` (RFC 6455 §4.1). */
export function isWebSocketUpgrade(headers: ReadonlyArray<readonly [string, string]>): boolean {
  return (
    headerTokens(headers, 'upgrade').includes('websocket') &&
    headerTokens(headers, 'connection').includes('upgrade')
  );
}

/** permessage-deflate as the server accepted it (RFC 7692 §7.1). */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits?: number;
  clientMaxWindowBits?: number;
}

/** Returns the permessage-deflate parameters of a Sec-WebSocket-Extensions header, if it names the extension. */
export function deflateParams(headers: ReadonlyArray<readonly [string, string]>): DeflateParams | undefined {
  for (const offer of headerValues(headers, 'sec-websocket-extensions').flatMap((v) => v.split(','))) {
    const [name, ...params] = offer.split(';').map((p) => p.trim().toLowerCase());
    if (name !== 'permessage-deflate') continue;
    const result: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false };
    for (const param of params) {
      const [key, raw] = param.split('=').map((s) => s.trim().replace(/^"|"$/g, ''));
      if (key === 'server_no_context_takeover') result.serverNoContextTakeover = true;
      if (key === 'client_no_context_takeover') result.clientNoContextTakeover = true;
      if (key === 'server_max_window_bits' && raw) result.serverMaxWindowBits = Number(raw);
      if (key === 'client_max_window_bits' && raw) result.clientMaxWindowBits = Number(raw);
    }
    return result;
  }
  return undefined;
}

export interface HandshakeCheck {
  /** Problems, each also marked on its field; a client fails the connection on those in the response. */
  errors: Array<{ dir: Direction; error: WireError }>;
  deflate?: DeflateParams;
}

/**
 * Checks a 101 response against the upgrade request it answers (RFC 6455 §4.1, §4.2.2), writing
 * notes — the computed accept key — and errors onto the header fields. Returns the errors and the
 * negotiated permessage-deflate parameters.
 */
export function checkHandshake(req: HttpRequest, res: HttpResponse): HandshakeCheck {
  const errors: HandshakeCheck['errors'] = [];
  const fail = (f: Field, message: string): void => {
    const error = wireError(message, f.start, f.end);
    markError(f, error);
    errors.push({ dir: f.dir, error });
  };
  const keyField = header(req, 'sec-websocket-key');
  const key = keyField?.value ?? '';
  if (!keyField) fail(req, 'no Sec-WebSocket-Key in the upgrade request (RFC 6455 §4.1)');
  else if (base64Length(key) !== 16)
    fail(keyField, 'Sec-WebSocket-Key must be base64 of 16 random bytes (RFC 6455 §4.1)');
  else keyField.note = 'base64 of a random 16-byte nonce (RFC 6455 §4.1)';
  const version = header(req, 'sec-websocket-version');
  if (version) version.note = version.value === '13' ? 'the version of RFC 6455' : 'RFC 6455 is version 13';

  if (!headerTokens(res.headers, 'connection').includes('upgrade')) {
    fail(res, 'a 101 for WebSocket must say Connection: upgrade (RFC 6455 §4.1)');
  }
  const expected = acceptKey(key);
  const accept = header(res, 'sec-websocket-accept');
  if (!accept)
    fail(
      res,
      `no Sec-WebSocket-Accept: the client fails the connection (RFC 6455 §4.1); expected ${expected}`,
    );
  else if (accept.value !== expected) {
    fail(
      accept,
      `Sec-WebSocket-Accept should be ${expected} = base64(SHA-1(key + "${WEBSOCKET_GUID}")); the client fails the connection (RFC 6455 §4.1)`,
    );
  } else {
    accept.note = `matches base64(SHA-1("${key}" + "${WEBSOCKET_GUID}")) = ${expected} (RFC 6455 §4.2.2)`;
  }
  const deflate = deflateParams(res.headers);
  const ext = header(res, 'sec-websocket-extensions');
  if (ext && deflate) {
    const takeover = (no: boolean): string =>
      no ? 'a fresh window per message' : 'the window carries over between messages';
    ext.note = `permessage-deflate (RFC 7692): client → server ${takeover(deflate.clientNoContextTakeover)}; server → client ${takeover(deflate.serverNoContextTakeover)}`;
  }
  return deflate ? { errors, deflate } : { errors };
}

/** Returns the first header field named `name` (lower-case) of a message. */
function header(msg: Field, name: string): Field | undefined {
  return msg.children?.find((c) => c.kind === 'header' && c.label.toLowerCase() === name);
}
