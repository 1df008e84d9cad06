/**
 * Session ids and the URL paths that carry them.
 *
 * A session id is chosen by the browser (random, unguessable) and appears in
 * every sandbox URL: `/lab/<session>/<endpoint>` and `/inspect/<session>`.
 */

/** What a session id may be: 8–64 of `A–Z a–z 0–9 _ -`. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export type LabPath = { ok: true; session: string; endpoint: string } | { ok: false; reason: string };

/**
 * Splits `/lab/<session>/<endpoint>` (query already removed).
 * Returns `ok: false` with a plain-language reason when the path is not one.
 */
export function parseLabPath(pathname: string): LabPath {
  const m = /^\/lab\/([^/]*)(?:\/(.*))?$/.exec(pathname);
  if (!m) return { ok: false, reason: 'Not a lab path: expected /lab/<session>/<endpoint>.' };
  const session = m[1] ?? '';
  if (!SESSION_ID_PATTERN.test(session)) {
    return {
      ok: false,
      reason: 'The session id in /lab/<session>/ must be 8 to 64 characters from A-Z, a-z, 0-9, "_" and "-".',
    };
  }
  return { ok: true, session, endpoint: m[2] ?? '' };
}

/** The session of `/inspect/<session>`, or null when the path is not one. */
export function parseInspectPath(pathname: string): string | null {
  const m = /^\/inspect\/([^/]+)$/.exec(pathname);
  return m && SESSION_ID_PATTERN.test(m[1] ?? '') ? (m[1] ?? null) : null;
}
