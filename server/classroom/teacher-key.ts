/**
 * The secrets of a class: the teacher key (whoever holds it is the teacher) and each learner's
 * token (whoever holds it is that learner). 128 random bits each, base64url; kept in the
 * browser's localStorage, sent only in a channel's `hello`, never to anyone else.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new secret: 16 random bytes as base64url without padding (22 characters). */
export function newSecret(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Whether `given` is `expected`, in time that does not depend on where they differ (nor on
 * their lengths: both are hashed to 32 bytes first), so timing cannot reveal a key bit by bit.
 */
export function sameSecret(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
