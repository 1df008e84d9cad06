/** The panel's words, from src/i18n (every user-visible string lives there), with `{name}` filled in. */
import type { UiKey } from '../../i18n/en.ts';
import { type Lang, useTranslations } from '../../i18n/index.ts';
import { formatDuration } from './format.ts';
import { wireText } from './wire-text.ts';

export type InspectorKey = Extract<UiKey, `inspector.${string}`>;

export type Strings = ((key: InspectorKey, values?: Record<string, string | number>) => string) & {
  /** A dissector's label, note or error (or a lab note) in the panel's language (wire-text.ts). */
  wire(text: string, kind?: string): string;
  /** A duration given in µs in the panel's language (format.ts): 3 min 05 s, 3 分 05 秒. */
  duration(us: number): string;
};

/** The translator for one language: `t('inspector.bytes.dropped', { n: '4 KB' })`. */
export function inspectorStrings(lang: Lang): Strings {
  const t = useTranslations(lang);
  const strings = (key: InspectorKey, values?: Record<string, string | number>): string => {
    let s = t(key);
    if (values) for (const [k, v] of Object.entries(values)) s = s.replaceAll(`{${k}}`, String(v));
    return s;
  };
  const minutes = (m: number, sec: string) => strings('inspector.duration.minutes', { m, s: sec });
  return Object.assign(strings, {
    wire: (text: string, kind?: string) => wireText(text, lang, kind),
    duration: (us: number) => formatDuration(us, minutes),
  });
}
