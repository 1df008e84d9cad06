/**
 * Display names: what a learner calls themselves in a class, shown on the teacher's projector.
 * Trimmed and NFC-normalized; 1–40 characters (code points, so 40 Chinese characters fit);
 * no control characters, line breaks or bidirectional overrides (which could make one name
 * render as another, or scramble the table around it).
 */

export const NAME_MAX_CHARS = 40;

// Cc: C0/C1 controls (tab, newline, NUL…). Zl/Zp: line and paragraph separators.
// The rest are the bidi marks and overrides of Unicode UAX #9, which reorder the text around them.
const FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

export type NameCheck = { ok: true; name: string } | { ok: false; reason: string };

/** Reads a display name; the reason says what to change. */
export function readDisplayName(raw: unknown): NameCheck {
  if (typeof raw !== 'string') return { ok: false, reason: 'name is missing: give a display name.' };
  const name = raw.normalize('NFC').trim();
  const chars = [...name].length;
  if (chars === 0) return { ok: false, reason: 'name is empty: give a display name of 1 to 40 characters.' };
  if (chars > NAME_MAX_CHARS)
    return { ok: false, reason: `name is ${chars} characters long: give at most ${NAME_MAX_CHARS}.` };
  if (FORBIDDEN.test(name))
    return {
      ok: false,
      reason: 'name holds a control character or line break: use letters, digits and spaces.',
    };
  return { ok: true, name };
}
