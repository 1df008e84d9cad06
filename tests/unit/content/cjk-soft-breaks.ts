/**
 * Finds line breaks in Markdown prose that have a CJK character on both sides. Such a
 * break is a soft break, and browsers render a soft break as a space (CSS Text 3 §4.1.3
 * leaves removing it between Han characters to the user agent, and none of them do), so
 * hard-wrapped Chinese reads "走的是 另一条路".
 */
/**
 * CJK characters whose neighbour across a line break should be no space at all: Han
 * (with extension A and compatibility ideographs), CJK symbols and punctuation (、。「」),
 * kana, fullwidth forms (，！：；？（）) and the general punctuation Chinese text uses
 * between characters (—— … “ ” ‘ ’).
 */
const CJK =
  /[\u2014\u2018\u2019\u201c\u201d\u2026\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/u;

/** A line that starts something other than prose continuing the line above. */
const BLOCK_START = /^\s*(#{1,6}\s|[-*+]\s|\d+[.)]\s|\||```|~~~|<|>\s*$|$)/;

/**
 * The last character a reader sees on a line: emphasis and code markers are not text, and
 * a line ending in a link ends with the link's text.
 */
function lastVisible(line: string): string {
  const text = line
    .trimEnd()
    .replace(/\]\([^)]*\)$/, '')
    .replace(/[*_~`\]]+$/, '');
  return text.slice(-1);
}

/** The first character a reader sees on a line (after emphasis, code and link markers). */
function firstVisible(line: string): string {
  return line
    .trimStart()
    .replace(/^[*_~`[]+/, '')
    .slice(0, 1);
}

export type Break = { line: number; end: string; start: string };

/** Returns every prose line break in `markdown` that has a CJK character on both sides. */
export function cjkSoftBreaks(markdown: string): Break[] {
  const lines = markdown.split(/\r?\n/);
  const found: Break[] = [];
  let i = 0;
  // Frontmatter: a leading `---` block.
  if (lines[0] === '---') {
    i = lines.indexOf('---', 1) + 1;
  }
  let fence: string | null = null;
  for (; i < lines.length - 1; i++) {
    const line = lines[i] ?? '';
    const fenceMark = /^\s*(```|~~~)/.exec(line)?.[1];
    if (fence) {
      if (fenceMark === fence) fence = null;
      continue;
    }
    if (fenceMark) {
      fence = fenceMark;
      continue;
    }
    if (/^\s*#{1,6}\s/.test(line) || /^\s*\|/.test(line)) continue;
    // A line ending in two spaces or a backslash is a hard break (`<br>`), not a space.
    if (/( {2}|\\)$/.test(line)) continue;
    const next = lines[i + 1] ?? '';
    if (BLOCK_START.test(next)) continue;
    // Inside a blockquote the next line's `>` marker is not text.
    const nextText = next.replace(/^\s*(>\s?)+/, '');
    const end = lastVisible(line);
    const start = firstVisible(nextText);
    if (CJK.test(end) && CJK.test(start)) found.push({ line: i + 1, end, start });
  }
  return found;
}
