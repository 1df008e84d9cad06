/**
 * Which file of a lesson folder a step's starter or solution comes from, per page language.
 *
 * A step names one file (`first-events.js`); a page in another language than English uses the
 * translated copy beside it when there is one (`first-events.zh.js`: the same code, with
 * comments, TODOs and console messages in that language) and the named file otherwise.
 * Code identifiers never change between the two. See docs/playground.md, "Lesson steps".
 */
import type { Lang } from '../i18n/index.ts';

/** `first-events.js` in `zh` → `first-events.zh.js`; English keeps the name as it is. */
export function translatedName(name: string, lang: Lang): string {
  return lang === 'en' ? name : name.replace(/\.js$/, `.${lang}.js`);
}

/** The file to read for `name` on a `lang` page: the translated copy when `exists` says it is there. */
export function stepFileFor(name: string, lang: Lang, exists: (file: string) => boolean): string {
  const translated = translatedName(name, lang);
  return translated !== name && exists(translated) ? translated : name;
}
