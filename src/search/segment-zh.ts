/**
 * Splits a Chinese search query into the words a reader means, for the lesson search.
 *
 * Pagefind 1.6 segments Chinese pages at index time (ICU4X) and the query in the browser
 * (`Intl.Segmenter`), both with ICU's dictionary. That dictionary has no entry for this site's
 * technical words: `Intl.Segmenter('zh', { granularity: 'word' })` (Node 24 and Chromium alike)
 * gives 重|连, 长|轮|询, 掩|码, so Pagefind matched every page holding 重 and 连 anywhere. A run of
 * single Han characters is what ICU makes of a word it does not know, so we join such a run back
 * into one word; the caller then asks Pagefind for it as a phrase (its characters adjacent).
 */

const HAN = /\p{Script=Han}/u;
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
/**
 * Single-character function words (particles, conjunctions, prepositions): ICU does know them,
 * they end a run rather than join it (SSE 的重连 → SSE, 重连), and they are dropped, since nearly
 * every page holds them.
 */
const FUNCTION_WORDS = new Set([...'的了和与及或是在把被对从也就都']);

/** True when the text holds a Chinese (Han) character. */
export function hasHan(text: string): boolean {
  return HAN.test(text);
}

/**
 * The words of `text` in order: ICU's words, with each run of adjacent single Han characters
 * joined into one word (重|连 → 重连, 自动|重|连 → 自动, 重连). Punctuation, spaces and function
 * words are dropped; Latin words pass through unchanged.
 */
export function segmentZh(text: string): string[] {
  const words: string[] = [];
  let run = ''; // adjacent single Han characters not yet emitted
  const flush = () => {
    if (run !== '') words.push(run);
    run = '';
  };
  for (const s of segmenter.segment(text)) {
    if (!s.isWordLike) {
      flush();
      continue;
    }
    if (FUNCTION_WORDS.has(s.segment)) {
      flush();
      continue;
    }
    if ([...s.segment].length === 1 && HAN.test(s.segment)) {
      run += s.segment;
      continue;
    }
    flush();
    words.push(s.segment);
  }
  flush();
  return words;
}
