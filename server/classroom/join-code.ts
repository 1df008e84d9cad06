/**
 * Join codes: what a teacher reads out or projects and learners type. Six characters from an
 * alphabet without look-alikes (no 0/O, 1/I/L), so "B8K4QZ" survives a projector at the back of
 * the room: 31⁶ ≈ 887 million codes, and the join-code miss budgets (join-code-misses.ts) keep
 * guessing slow, per address and across the server.
 */
import { randomInt } from 'node:crypto';

export const JOIN_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const JOIN_CODE_LENGTH = 6;
/** What a join code is, once normalized. */
export const JOIN_CODE_PATTERN = /^[A-HJKMNP-Z2-9]{6}$/;

/** A new random join code (crypto-grade randomness: codes must not be predictable). */
export function newJoinCode(): string {
  let code = '';
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
}

/** What a person typed, as a code: upper case, without spaces or dashes ("b8k-4qz" → "B8K4QZ"). */
export function normalizeJoinCode(typed: string): string {
  return typed.replace(/[\s-]+/g, '').toUpperCase();
}
