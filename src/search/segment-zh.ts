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
 * joined into one word (重|连 → 重连, 自动|重|连 → 自动, 重连), and a single Han character left
 * alone beside a longer word joined to it (事件|流 → 事件流, 服务|器 → 服务器): on its own, 流 or
 * 器 would match every page that has it anywhere. Punctuation, spaces and function words are
 * dropped and end a word; Latin words pass through unchanged.
 */
export function segmentZh(text: string): string[] {
  const words: string[] = [];
  /** Adjacent Han pieces not yet emitted (ICU's words and single characters, in order). */
  let pieces: string[] = [];
  const flush = () => {
    words.push(...joinLoneCharacters(pieces));
    pieces = [];
  };
  for (const s of segmenter.segment(text)) {
    if (!s.isWordLike || FUNCTION_WORDS.has(s.segment)) {
      flush();
      continue;
    }
    if (HAN.test(s.segment)) {
      pieces.push(s.segment);
      continue;
    }
    flush();
    words.push(s.segment);
  }
  flush();
  return words;
}

/**
 * Adjacent Han pieces as words: a run of single characters is one word, and a run of exactly one
 * character joins the word before it (or, first in line, the word after it).
 */
function joinLoneCharacters(pieces: readonly string[]): string[] {
  const words: string[] = [];
  let run = '';
  let lone = ''; // a one-character run waiting for the word after it
  const endRun = () => {
    if (run === '') return;
    if ([...run].length > 1) words.push(run);
    else if (words.length > 0) words[words.length - 1] += run;
    else lone = run;
    run = '';
  };
  for (const piece of pieces) {
    if ([...piece].length === 1) {
      run += piece;
      continue;
    }
    endRun();
    words.push(lone + piece);
    lone = '';
  }
  endRun();
  if (lone !== '') words.push(lone);
  return words;
}
