/** UI strings by language, and the helpers pages use to pick them. */
import { en, type UiKey } from './en.ts';
import { zh } from './zh.ts';

export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];

const dictionaries: Record<Lang, Record<UiKey, string>> = { en, zh };

/** Whether a string is one of the site's languages. */
export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** The translator for one language: `t('nav.lessons')`. */
export function useTranslations(lang: Lang): (key: UiKey) => string {
  const dict = dictionaries[lang];
  return (key) => dict[key];
}

/** The BCP 47 tag for `<html lang>`. */
export function htmlLang(lang: Lang): string {
  return lang === 'zh' ? 'zh-Hans' : 'en';
}

/** The other language: the one the switch links to. */
export function otherLang(lang: Lang): Lang {
  return lang === 'en' ? 'zh' : 'en';
}

/**
 * The best language for an `Accept-Language` header: the first of its tags,
 * by weight, that is English or Chinese; English when none is.
 */
export function pickLang(acceptLanguage: string | null | undefined): Lang {
  if (!acceptLanguage) return 'en';
  const tags = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { tag: tag.toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((t) => t.tag && t.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { tag } of tags) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}
