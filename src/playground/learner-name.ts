/**
 * The tab's name for chat messages: `learner` and four digits, made once and kept in
 * `sessionStorage` (`wl-learner-name`) like the session id, so every Run in the tab — and a
 * reload — posts as the same learner, and another tab is someone else. Never the name a learner
 * joined a class with: lesson 11's starters post to `room=lobby`, which anyone on the server
 * reads. The runner gets it as the global `learnerName` (learner-globals.ts); it cannot keep one
 * itself, its origin being opaque.
 */

const STORAGE_KEY = 'wl-learner-name';
const PATTERN = /^learner\d{4}$/;
let current: string | undefined;

/** Where the name is kept; `null` when storage is switched off (the name then lasts as long as the page). */
type NameStore = Pick<Storage, 'getItem' | 'setItem'> | null;

/** A new name: four digits, so that two learners of a class rarely meet under one name. */
export function newLearnerName(random: () => number = Math.random): string {
  return `learner${1000 + Math.floor(random() * 9000)}`;
}

/** The name kept in `store`, or a new one put there. */
export function learnerNameIn(store: NameStore, random: () => number = Math.random): string {
  let stored: string | null = null;
  try {
    stored = store?.getItem(STORAGE_KEY) ?? null;
  } catch {
    // Storage can be switched off or refuse.
  }
  if (stored && PATTERN.test(stored)) return stored;
  const name = newLearnerName(random);
  try {
    store?.setItem(STORAGE_KEY, name);
  } catch {
    // As above: the name lasts as long as the page.
  }
  return name;
}

/**
 * How the name reads on a page in `lang`: a Chinese page says 学员 ("learner") before the same
 * four digits, so the learner's chat lines are Chinese too and are still the same person's.
 */
export function learnerNameFor(name: string, lang: 'en' | 'zh'): string {
  return lang === 'zh' ? name.replace(/^learner/, '学员') : name;
}

/** This tab's name, made on first use. */
export function tabLearnerName(): string {
  if (current) return current;
  let store: NameStore = null;
  try {
    store = sessionStorage;
  } catch {
    // Reading `sessionStorage` itself throws where storage is blocked.
  }
  current = learnerNameIn(store);
  return current;
}
