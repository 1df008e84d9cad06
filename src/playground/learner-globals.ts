/**
 * What the runner gives learner code besides the browser's own APIs: `sha1()`, `base64()` and
 * `learnerName`.
 *
 * Why: `crypto.subtle` exists only in a secure context (W3C Secure Contexts; WebCrypto §10:
 * `[SecureContext]`). A classroom serves Wire Lab over plain http on a LAN address
 * (`http://192.168.1.20:4321/`), which is not one, so there `crypto.subtle` is `undefined` and
 * lesson 8 could not compute a `Sec-WebSocket-Accept`. These two work on every origin, with the
 * same SHA-1 the inspector uses to check handshakes (`src/wire/sha1.ts`). Documented for learners
 * in lesson 8 and docs/playground.md.
 */
import { sha1 as sha1Bytes } from '../wire/sha1.ts';
import { base64 as base64Text } from '../wire/ws-handshake.ts';

/** Strings are hashed and encoded as their UTF-8 bytes, as `TextEncoder` gives them. */
function bytesOf(input: unknown, name: string): Uint8Array {
  if (typeof input === 'string') return new TextEncoder().encode(input);
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError(`${name}() takes a string, a Uint8Array or an ArrayBuffer`);
}

/** `sha1(data)`: the 20-byte SHA-1 digest (RFC 3174) of a string (its UTF-8 bytes) or of bytes. */
export function sha1(data: string | ArrayBuffer | ArrayBufferView): Uint8Array {
  return sha1Bytes(bytesOf(data, 'sha1'));
}

/** `base64(data)`: standard base64 with padding (RFC 4648 §4) of bytes or of a string's UTF-8 bytes. */
export function base64(data: string | ArrayBuffer | ArrayBufferView): string {
  return base64Text(bytesOf(data, 'base64'));
}

/** What a name for chat messages may be: short, and safe to put in a message as it is. */
const NAME = /^[\p{L}\p{N}_-]{1,32}$/u;

/**
 * `learnerName`: the tab's name for chat messages (lesson 11), the same on every Run in the tab.
 * The runner cannot keep it itself: its origin is opaque, so it has no storage. The lesson page
 * keeps it (learner-name.ts) and hands it over with each Run; anything unexpected becomes
 * `learner`.
 */
export function learnerNameOf(value: unknown): string {
  return typeof value === 'string' && NAME.test(value) ? value : 'learner';
}

/**
 * Puts `sha1`, `base64` and `learnerName` on the runner's window, writable and configurable, so
 * learner code may still declare its own `function sha1` or `const base64` (a non-configurable
 * global would make that a SyntaxError, ECMAScript GlobalDeclarationInstantiation).
 */
export function installLearnerGlobals(target: Window, given: { learnerName?: unknown } = {}): void {
  for (const [name, value] of [
    ['sha1', sha1],
    ['base64', base64],
    ['learnerName', learnerNameOf(given.learnerName)],
  ] as const) {
    Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
  }
}
