/**
 * Which class this browser is in, and as whom: kept in `localStorage` (`wl-class`) so every tab
 * and every lesson page knows it. The teacher's key and a learner's token are secrets: they are
 * sent only in the class channel's `hello`, to this server.
 */

export type Membership =
  | { role: 'learner'; code: string; token: string; id: number; name: string }
  | { role: 'teacher'; code: string; key: string };

const KEY = 'wl-class';
/** Fired on `document` when this page joins, leaves or ends a class. */
export const MEMBERSHIP_EVENT = 'wl-class';

/** The class this browser is in, or null. */
export function loadMembership(): Membership | null {
  try {
    const m = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<Membership> | null;
    if (!m || typeof m.code !== 'string') return null;
    if (m.role === 'teacher' && typeof m.key === 'string')
      return { role: 'teacher', code: m.code, key: m.key };
    if (m.role === 'learner' && typeof m.token === 'string' && typeof m.name === 'string')
      return { role: 'learner', code: m.code, token: m.token, id: Number(m.id) || 0, name: m.name };
  } catch {
    // storage switched off, or damaged: not in a class
  }
  return null;
}

/** Remembers a class (or forgets it with null) and tells the page. */
export function saveMembership(m: Membership | null): void {
  try {
    if (m) localStorage.setItem(KEY, JSON.stringify(m));
    else localStorage.removeItem(KEY);
  } catch {
    // no storage: the class lasts for this page only
  }
  document.dispatchEvent(new CustomEvent(MEMBERSHIP_EVENT, { detail: m }));
}

/** `{name}`-style placeholders filled in. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}
