/**
 * The learner's edits, kept per lesson step in `localStorage`, so a reload or a walk to another
 * lesson loses nothing. The slug is the same in both languages, so is the draft. A step where the
 * learner writes the server too keeps that code apart (`part: 'server'`): Reset and the solution
 * treat the two separately, and a draft of one never stands in for the other.
 */

/** Which editor of a step a draft belongs to: the learner's page (client) or their handler. */
export type DraftPart = 'client' | 'server';

function key(slug: string, step: string, part: DraftPart): string {
  // Step ids are a-z, 0-9 and "-" (src/content.config.ts): ":server" cannot collide with one.
  return part === 'client' ? `wl-draft:${slug}:${step}` : `wl-draft:${slug}:${step}:server`;
}

/** The saved code of a step, or null when the learner has not changed the starter. */
export function loadDraft(slug: string, step: string, part: DraftPart = 'client'): string | null {
  try {
    return localStorage.getItem(key(slug, step, part));
  } catch {
    return null;
  }
}

/**
 * Saves the code of a step; saving the starter itself forgets the draft.
 * Returns false when storage refused (full, or switched off).
 */
export function saveDraft(
  slug: string,
  step: string,
  code: string,
  starter: string,
  part: DraftPart = 'client',
): boolean {
  try {
    if (code === starter) localStorage.removeItem(key(slug, step, part));
    else localStorage.setItem(key(slug, step, part), code);
    return true;
  } catch {
    return false;
  }
}
