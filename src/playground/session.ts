/**
 * The session id of this tab: 128 random bits, base64url (22 characters), kept in
 * `sessionStorage` so a reload keeps it and another tab gets its own.
 *
 * It names the learner's sandbox on the server (`/lab/<session>/…`, `/inspect/<session>`),
 * so it must be unguessable: another learner who knew it could watch this one's bytes.
 */

/** What the server accepts (`server/session-path.ts`): 8–64 of `A–Z a–z 0–9 _ -`. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

const STORAGE_KEY = 'wl-session';
let current: string | undefined;

/** This tab's session id, made on first use. */
export function sessionId(): string {
  if (current) return current;
  let stored: string | null = null;
  try {
    stored = sessionStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be switched off; the id then lasts as long as the page.
  }
  if (stored && SESSION_ID_PATTERN.test(stored)) {
    current = stored;
    return stored;
  }
  current = newSessionId();
  try {
    sessionStorage.setItem(STORAGE_KEY, current);
  } catch {
    // As above.
  }
  return current;
}

/** 16 random bytes as base64url without padding. */
export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return base64url(bytes);
}

/** Base64url (RFC 4648 §5) without padding. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
