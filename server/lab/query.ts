/**
 * Query options: what each endpoint accepts, and a plain reason for every value it refuses.
 *
 * A bad value is never guessed at nor ignored: the answer is a 400 that names the parameter,
 * what it got and what it expects. Names an endpoint does not know are ignored, so cache
 * busters like jQuery's `_=1700000000000` pass.
 */

/** A whole number from `min` to `max`. */
export interface IntOption {
  readonly kind: 'int';
  readonly min: number;
  readonly max: number;
}

/** One of a few words. */
export interface WordOption<W extends string> {
  readonly kind: 'word';
  readonly words: readonly W[];
}

/** Text matching a pattern, described in words for the error message. */
export interface PatternOption {
  readonly kind: 'pattern';
  readonly pattern: RegExp;
  readonly expects: string;
}

export type QueryOption = IntOption | WordOption<string> | PatternOption;
export type QuerySpec = Record<string, QueryOption>;

/** The values read with a spec: numbers for `int`, the word for `word`, text for `pattern`. */
export type QueryValues<S extends QuerySpec> = {
  [K in keyof S]?: S[K] extends IntOption ? number : S[K] extends WordOption<infer W> ? W : string;
};

/** Largest id, count or number of ms accepted anywhere: 15 digits stays an exact JS number. */
export const MAX_INT = 999_999_999_999_999;

/** A whole-number option. */
export function int(min: number, max: number): IntOption {
  return { kind: 'int', min, max };
}

/** An option that is one of `words`. */
export function oneOf<W extends string>(...words: W[]): WordOption<W> {
  return { kind: 'word', words };
}

/** A text option matching `pattern`; `expects` says what in words. */
export function matching(pattern: RegExp, expects: string): PatternOption {
  return { kind: 'pattern', pattern, expects };
}

export type QueryResult<S extends QuerySpec> =
  | { ok: true; values: QueryValues<S> }
  | { ok: false; error: string };

/** Reads the options of `spec` from `params`; the first bad one gives the reason. */
export function readQuery<S extends QuerySpec>(params: URLSearchParams, spec: S): QueryResult<S> {
  const values: Record<string, number | string> = {};
  for (const [name, option] of Object.entries(spec)) {
    const all = params.getAll(name);
    if (all.length === 0) continue;
    if (all.length > 1)
      return { ok: false, error: `Query parameter ${name} is given ${all.length} times; give it once.` };
    const raw = all[0] ?? '';
    const value = readOption(raw, option);
    if (value === undefined) {
      return {
        ok: false,
        error: `Bad query parameter ${name}=${JSON.stringify(raw)}: expected ${expects(option)}.`,
      };
    }
    values[name] = value;
  }
  return { ok: true, values: values as QueryValues<S> };
}

/** Reads one header as a whole number from 0 to MAX_INT, for `Last-Event-ID`: undefined if absent. */
export function readIntHeader(
  raw: string | undefined,
  name: string,
): { ok: true; value?: number } | { ok: false; error: string } {
  if (raw === undefined || raw === '') return { ok: true };
  const value = readOption(raw.trim(), int(0, MAX_INT));
  if (typeof value === 'number') return { ok: true, value };
  return {
    ok: false,
    error: `Bad ${name} header ${JSON.stringify(raw)}: expected a whole number (an id this server sent).`,
  };
}

function readOption(raw: string, option: QueryOption): number | string | undefined {
  switch (option.kind) {
    case 'int': {
      if (!/^\d{1,15}$/.test(raw)) return undefined;
      const n = Number(raw);
      return n >= option.min && n <= option.max ? n : undefined;
    }
    case 'word':
      return option.words.includes(raw) ? raw : undefined;
    case 'pattern':
      return option.pattern.test(raw) ? raw : undefined;
  }
}

function expects(option: QueryOption): string {
  switch (option.kind) {
    case 'int':
      return `a whole number from ${option.min} to ${option.max}`;
    case 'word':
      return option.words.length === 1
        ? `"${option.words[0]}"`
        : `one of ${option.words.map((w) => `"${w}"`).join(', ')}`;
    case 'pattern':
      return option.expects;
  }
}
