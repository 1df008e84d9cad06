/**
 * The secrets of a class: the teacher key (whoever holds it is the teacher) and each learner's
 * token (whoever holds it is that learner). 128 random bits each, base64url; kept in the
 * browser's localStorage, sent only in a channel's `hello`, never to anyone else. The server keeps
 * their SHA-256 only, and compares in time that does not depend on where they differ, so timing
 * cannot reveal a key bit by bit.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new secret: 16 random bytes as base64url without padding (22 characters). */
export function newSecret(): string {
  return randomBytes(16).toString('base64url');
}

/** What a store keeps of a secret: its SHA-256, hex. A stolen data file gives no key or token. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Whether `given` is the secret whose `secretHash` is `hash`, compared in constant time. */
export function matchesHash(hash: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(hash, 'hex');
  const actual = createHash('sha256').update(given).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
