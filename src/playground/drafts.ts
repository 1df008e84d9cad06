/**
 * The learner's edits, kept per lesson step in `localStorage`, so a reload or a walk to another
 * lesson loses nothing. The slug is the same in both languages, so is the draft.
 */

function key(slug: string, step: string): string {
  return `wl-draft:${slug}:${step}`;
}

/** The saved code of a step, or null when the learner has not changed the starter. */
export function loadDraft(slug: string, step: string): string | null {
  try {
    return localStorage.getItem(key(slug, step));
  } catch {
    return null;
  }
}

/**
 * Saves the code of a step; saving the starter itself forgets the draft.
 * Returns false when storage refused (full, or switched off).
 */
export function saveDraft(slug: string, step: string, code: string, starter: string): boolean {
  try {
    if (code === starter) localStorage.removeItem(key(slug, step));
    else localStorage.setItem(key(slug, step), code);
    return true;
  } catch {
    return false;
  }
}
