/**
 * Progress kept in the browser: which lessons' exercises passed, and the last lesson opened
 * (for "continue where you left off"). Storage may be unavailable: then nothing is kept.
 */
const PASSED = 'wl-progress';
const LAST = 'wl-last-lesson';

function read(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(PASSED) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Slugs of the lessons whose exercise passed. */
export function passedLessons(): Set<string> {
  return new Set(read());
}

/** Records that a lesson's exercise passed. */
export function markPassed(slug: string): void {
  const all = passedLessons();
  all.add(slug);
  try {
    localStorage.setItem(PASSED, JSON.stringify([...all]));
  } catch {
    // no storage: progress lasts for this page only
  }
}

/** Remembers the lesson being read. */
export function rememberLesson(path: string, title: string): void {
  try {
    localStorage.setItem(LAST, JSON.stringify({ path, title }));
  } catch {
    // no storage
  }
}

/** The last lesson opened, if any. */
export function lastLesson(): { path: string; title: string } | null {
  try {
    const v = JSON.parse(localStorage.getItem(LAST) ?? 'null') as { path?: unknown; title?: unknown } | null;
    return v && typeof v.path === 'string' && typeof v.title === 'string' && v.path.startsWith('/')
      ? { path: v.path, title: v.title }
      : null;
  } catch {
    return null;
  }
}
