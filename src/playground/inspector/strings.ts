/** The panel's words, from src/i18n (every user-visible string lives there), with `{name}` filled in. */
import type { UiKey } from '../../i18n/en.ts';
import { type Lang, useTranslations } from '../../i18n/index.ts';

export type InspectorKey = Extract<UiKey, `inspector.${string}`>;

export type Strings = (key: InspectorKey, values?: Record<string, string | number>) => string;

/** The translator for one language: `t('inspector.bytes.dropped', { n: '4 KB' })`. */
export function inspectorStrings(lang: Lang): Strings {
  const t = useTranslations(lang);
  return (key, values) => {
    let s = t(key);
    if (values) for (const [k, v] of Object.entries(values)) s = s.replaceAll(`{${k}}`, String(v));
    return s;
  };
}
