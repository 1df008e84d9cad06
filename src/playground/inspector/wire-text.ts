/**
 * The dissectors' words in the page's language. `src/wire/` builds its labels, notes and errors
 * in English (its tests, the HAR export and the lesson checks read them as they are); the
 * inspector draws each one through `wireText`, which matches it against the `wire.*` templates of
 * src/i18n/en.ts and fills in the same template of the page's language.
 *
 * A template's placeholders hold what came off the wire — a size, a masking key, a quoted text —
 * and keep it as it is, except those named in NESTED: these hold dissector words themselves (a
 * byte count, an opcode's or close code's name, a nested error) and are translated in turn;
 * NUMBERS match only digits, so "chunk 4 bytes" is a chunk of a byte count, not "{n} bytes".
 * Notes joined with "; " are translated part by part. Text that no template matches (header
 * names and values, start lines, SSE field values) is shown unchanged, and so is every label of
 * a field kind in VERBATIM_KINDS, whose label is the bytes themselves.
 */
import { en, type UiKey } from '../../i18n/en.ts';
import { type Lang, useTranslations } from '../../i18n/index.ts';

type WireKey = Extract<UiKey, `wire.${string}`>;

/** Placeholders that hold dissector words rather than bytes off the wire. */
export const NESTED = new Set(['size', 'what', 'detail', 'message', 'end']);

/** Placeholders that hold a decimal number; each other placeholder matches any text. */
const NUMBERS = new Set(['n', 'count', 'code', 'bits', 'kept', 'total', 'got', 'a', 'b', 'ms', 'status']);

/** Field kinds whose label is a piece of the message itself: a header, a method, an SSE value. */
const VERBATIM_KINDS = new Set([
  'http-request',
  'http-response',
  'request-line',
  'status-line',
  'method',
  'target',
  'version',
  'status',
  'reason',
  'header',
  'header-name',
  'header-value',
  'trailer',
  'sse-field-name',
  'sse-field-value',
  'eol',
  'empty-line',
  'chunk-crlf',
]);

interface Template {
  key: WireKey;
  re: RegExp;
  names: string[];
  /** Characters of the template outside its placeholders: the most specific match wins. */
  literal: number;
}

let templates: Template[] | undefined;

/** Every `wire.*` template of the English strings as an anchored pattern, most specific first. */
function compiled(): Template[] {
  if (templates) return templates;
  const out: Template[] = [];
  for (const key of Object.keys(en) as UiKey[]) {
    if (!key.startsWith('wire.')) continue;
    const names: string[] = [];
    let source = '';
    let literal = 0;
    for (const part of en[key].split(/(\{\w+\})/)) {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name !== undefined) {
        names.push(name);
        source += NUMBERS.has(name) ? '(\\d+)' : name === 'hex' ? '(0x[0-9a-f]+)' : '([\\s\\S]*?)';
      } else {
        source += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        literal += part.length;
      }
    }
    out.push({ key: key as WireKey, re: new RegExp(`^${source}$`), names, literal });
  }
  templates = out.sort((a, b) => b.literal - a.literal);
  return templates;
}

/** The template `text` was made from and its placeholders' values, or undefined when none fits. */
export function matchWireText(text: string): { key: WireKey; values: Record<string, string> } | undefined {
  for (const tpl of compiled()) {
    const m = tpl.re.exec(text);
    if (!m) continue;
    const values: Record<string, string> = {};
    tpl.names.forEach((name, i) => {
      values[name] = m[i + 1] ?? '';
    });
    return { key: tpl.key, values };
  }
  return undefined;
}

const HAN = /\p{Script=Han}/u;

/**
 * Fills a template; a value that starts or ends with a Latin letter or digit next to a Han
 * character of the template gets a space there ("ping 帧", as Chinese typesetting spaces them).
 */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string, at: number) => {
    let v = values[name] ?? whole;
    const before = template[at - 1];
    const after = template[at + whole.length];
    if (before && HAN.test(before) && /^[A-Za-z0-9]/.test(v)) v = ` ${v}`;
    if (after && HAN.test(after) && /[A-Za-z0-9]$/.test(v)) v = `${v} `;
    return v;
  });
}

type Translate = (key: UiKey) => string;

function render(text: string, t: Translate): string | undefined {
  const hit = matchWireText(text);
  if (!hit) return undefined;
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(hit.values)) {
    values[name] = NESTED.has(name) ? (render(value, t) ?? value) : value;
  }
  return fill(t(hit.key), values);
}

/** Notes joined with "; ": the longest run of parts a template knows, then the rest. */
function renderJoined(text: string, t: Translate, join: string): string {
  const whole = render(text, t);
  if (whole !== undefined) return whole;
  const parts = text.split('; ');
  if (parts.length === 1) return text;
  for (let i = parts.length - 1; i >= 1; i--) {
    const head = render(parts.slice(0, i).join('; '), t);
    if (head !== undefined) return head + join + renderJoined(parts.slice(i).join('; '), t, join);
  }
  return parts[0] + join + renderJoined(parts.slice(1).join('; '), t, join);
}

/** Whether fields of this kind show their own bytes as their label (drawn as they are). */
export function isVerbatimKind(kind: string): boolean {
  return VERBATIM_KINDS.has(kind);
}

/** Most texts repeat (every frame's "FIN 1: …"): each language keeps what it has drawn. */
const CACHE_SIZE = 4000;
const caches = new Map<Lang, Map<string, string>>();

/**
 * A dissector's label, note or error message (or a lab note) in `lang`; `kind` is the field's,
 * when the text is a field label.
 */
export function wireText(text: string, lang: Lang, kind?: string): string {
  if (lang === 'en' || text === '' || (kind !== undefined && VERBATIM_KINDS.has(kind))) return text;
  let cache = caches.get(lang);
  if (!cache) {
    cache = new Map();
    caches.set(lang, cache);
  }
  const known = cache.get(text);
  if (known !== undefined) return known;
  const t = useTranslations(lang);
  const out = renderJoined(text, t, t('inspector.notes.join'));
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(text, out);
  return out;
}
