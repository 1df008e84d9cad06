/**
 * Share links: the code travels in the URL fragment (`#step=<id>&code=<data>`), deflated
 * (`CompressionStream('deflate-raw')`) and base64url-encoded. On a step where the learner writes
 * the server too, its handler travels beside it the same way (`&server=<data>`); links made
 * before that (no `server=`) open as they always did. The fragment never reaches the server, so
 * nothing is stored anywhere.
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

/**
 * The fragment of a link that carries `code` for the step `step`; `handIn` for the dashboard's
 * links; `server`, the learner's handler on a step that has one.
 */
export async function encodeShare(
  step: string,
  code: string,
  handIn = false,
  server: string | null = null,
): Promise<string> {
  const withServer = server === null ? '' : `&server=${await pack(server)}`;
  return `#step=${encodeURIComponent(step)}&code=${await pack(code)}${withServer}${handIn ? `&${HAND_IN}` : ''}`;
}

async function pack(text: string): Promise<string> {
  return base64url(
    await pipe(new TextEncoder().encode(text), new CompressionStream('deflate-raw'), Infinity),
  );
}

/** Whether a fragment is a link to a hand-in. */
export function isHandInLink(hash: string): boolean {
  return new URLSearchParams(hash.replace(/^#/, '')).get('from') === 'hand-in';
}

export type SharedCode =
  | { ok: true; step: string | null; code: string; server: string | null }
  | { ok: false; reason: 'damaged' | 'too-large' };

type Unpacked = { ok: true; text: string } | { ok: false; reason: 'damaged' | 'too-large' };

/** Reads a fragment; `null` when it carries no code at all. */
export async function decodeShare(hash: string): Promise<SharedCode | null> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const data = params.get('code');
  if (data === null) return null;
  const step = params.get('step');
  const code = await unpack(data);
  if (!code.ok) return code;
  const serverData = params.get('server');
  if (serverData === null) return { ok: true, step, code: code.text, server: null };
  const server = await unpack(serverData);
  if (!server.ok) return server;
  return { ok: true, step, code: code.text, server: server.text };
}

/** One `code=` or `server=` value back to text, within the bounds above. */
async function unpack(data: string): Promise<Unpacked> {
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
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(inflated) };
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
