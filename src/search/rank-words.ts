/**
 * Ranking for a Chinese query. Pagefind's exact search (a quoted phrase: segment-zh.ts) finds the
 * right pages, but its score does not follow how much a page says about the word: with the
 * server-writing lessons in, 掩码 ranked a page naming masks twice before the frames lesson that
 * explains them, and 重连 put the lesson on tickets first. So the pages it found are ranked here:
 * a title that is the word comes first, then a title that holds it, then how often the page says it.
 */

export interface FoundPage {
  meta: { title?: string };
  /** The page's indexed text (Pagefind's `content`). */
  content?: string;
}

/** How often `word` occurs in `text` (not overlapping). */
function occurrences(text: string, word: string): number {
  if (word === '') return 0;
  let n = 0;
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + word.length)) n += 1;
  return n;
}

/** The page's score for `words`: 1000 for a title that is a word, 100 for one holding it, 1 per mention. */
export function wordScore(page: FoundPage, words: readonly string[]): number {
  const title = page.meta.title ?? '';
  let score = 0;
  for (const w of words) {
    if (title === w) score += 1000;
    else if (title.includes(w)) score += 100;
    score += occurrences(page.content ?? '', w);
  }
  return score;
}

/** `pages` best first for `words` (a stable sort: equal scores keep Pagefind's order). */
export function rankByWords<P extends FoundPage>(pages: readonly P[], words: readonly string[]): P[] {
  return pages
    .map((page, i) => ({ page, i, score: wordScore(page, words) }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map((r) => r.page);
}
