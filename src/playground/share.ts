/**
 * Share links: the code travels in the URL fragment (`#step=<id>&code=<data>`), deflated
 * (`CompressionStream('deflate-raw')`) and base64url-encoded. The fragment never reaches the
 * server, so nothing is stored anywhere.
 *
 * A link is untrusted input. Decoding is bounded (encoded length, inflated size, valid UTF-8)
 * and the result is only ever put into the editor as text; it runs only when the learner
 * presses Run, inside the sandboxed runner.
 */
import { base64url } from './session.ts';

/** Longest `code=` value accepted from a link, in characters. */
export const MAX_ENCODED = 64_000;
/** Largest code a link may inflate to, in bytes. */
export const MAX_CODE_BYTES = 128 * 1024;

/**
 * Marks a link to a learner's hand-in (the teacher's dashboard makes them): the page that opens it
 * runs the code in a session of its own and keeps no draft of it (run-session.ts).
 */
const HAND_IN = 'from=hand-in';

/** The fragment of a link that carries `code` for the step `step`; `handIn` for the dashboard's links. */
export async function encodeShare(step: string, code: string, handIn = false): Promise<string> {
  const packed = await pipe(new TextEncoder().encode(code), new CompressionStream('deflate-raw'), Infinity);
  return `#step=${encodeURIComponent(step)}&code=${base64url(packed)}${handIn ? `&${HAND_IN}` : ''}`;
}

/** Whether a fragment is a link to a hand-in. */
export function isHandInLink(hash: string): boolean {
  return new URLSearchParams(hash.replace(/^#/, '')).get('from') === 'hand-in';
}

export type SharedCode =
  | { ok: true; step: string | null; code: string }
  | { ok: false; reason: 'damaged' | 'too-large' };

/** Reads a fragment; `null` when it carries no code at all. */
export async function decodeShare(hash: string): Promise<SharedCode | null> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const data = params.get('code');
  if (data === null) return null;
  const step = params.get('step');
  if (data.length > MAX_ENCODED) return { ok: false, reason: 'too-large' };
  if (!/^[A-Za-z0-9_-]*$/.test(data)) return { ok: false, reason: 'damaged' };
  let bytes: Uint8Array;
  try {
    const b64 = data.replace(/-/g, '+').replace(/_/g, '/');
    bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
  } catch {
    return { ok: false, reason: 'damaged' };
  }
  let inflated: Uint8Array;
  try {
    inflated = await pipe(bytes, new DecompressionStream('deflate-raw'), MAX_CODE_BYTES);
  } catch (err) {
    return { ok: false, reason: err instanceof RangeError ? 'too-large' : 'damaged' };
  }
  try {
    return { ok: true, step, code: new TextDecoder('utf-8', { fatal: true }).decode(inflated) };
  } catch {
    return { ok: false, reason: 'damaged' };
  }
}

/** Runs bytes through a (de)compression stream; throws RangeError past `limit` bytes out. */
async function pipe(
  input: Uint8Array,
  transform: TransformStream<BufferSource, Uint8Array>,
  limit: number,
): Promise<Uint8Array> {
  const writer = transform.writable.getWriter();
  // Written and closed without awaiting: the reader below drains the other end meanwhile.
  writer.write(input as BufferSource).catch(() => {});
  writer.close().catch(() => {});
  const reader = transform.readable.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new RangeError('too large');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
