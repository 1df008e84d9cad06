/** A mistake to mark in the code: 1-based line and columns (end exclusive), and what to say. */
export interface CodeMark {
  line: number;
  col: number;
  endCol: number;
  message: string;
}

/**
 * A syntax error in the learner's code, found by acorn before anything runs, told in the page's
 * language at the learner's own line and column.
 *
 * Why not let the browser report it: the code is inserted as a `<script>` by the runner, so
 * Chromium blames the runner's own call ("Failed to execute 'append' on 'Element': Unexpected
 * token ';'") and gives no line in the learner's code. acorn parses the learner's text itself
 * (before the loop guard or the `await` wrapper touch it), so its positions are the learner's.
 */

export interface LearnerSyntaxError {
  /** 1-based line in the learner's code. */
  line: number;
  /** 1-based column (as browsers and Monaco count). */
  col: number;
  /** acorn's message without its "(line:column)" suffix, e.g. "Unexpected token". */
  message: string;
  /** What stands at that place (a word, a string, a punctuator), or '' at the end of the code. */
  token: string;
}

/** acorn's words for `await` in a function that is not async (in a module). */
const AWAIT_OUTSIDE_ASYNC = "Cannot use keyword 'await' outside an async function";

/** acorn's SyntaxError: `pos` is the offset, `loc.column` 0-based. */
interface AcornError {
  pos?: unknown;
  loc?: { line?: unknown; column?: unknown };
  message?: unknown;
}

/** The learner's syntax error from what acorn threw, or null when it is not one. */
export function syntaxErrorOf(err: unknown, source: string): LearnerSyntaxError | null {
  if (!(err instanceof SyntaxError)) return null;
  const e = err as AcornError;
  if (typeof e.pos !== 'number' || typeof e.loc?.line !== 'number' || typeof e.loc.column !== 'number')
    return null;
  let message = String(e.message).replace(/ \(\d+:\d+\)$/, '');
  // In a function that is not async, `await` is an ordinary name in a script, so acorn trips on
  // what follows it (`await fetch(…)`: "Unexpected token" at `fetch`). Say what is really wrong.
  const before = source.slice(0, e.pos);
  if (message === 'Unexpected token' && /(?:^|[^\w$.])await\s*$/.test(before)) message = AWAIT_OUTSIDE_ASYNC;
  // `const k;`: acorn stops at the `;`, where V8 says the initializer is missing.
  if (
    message === 'Unexpected token' &&
    /(?:^|[^\w$.])const\s+[\p{ID_Start}$_][\p{ID_Continue}$]*\s*$/u.test(before)
  )
    message = 'Missing initializer in const declaration';
  return { line: e.loc.line, col: e.loc.column + 1, message, token: tokenAt(source, e.pos) };
}

/** The token starting at `pos`, shortened to 24 characters; '' at the end of the code. */
export function tokenAt(source: string, pos: number): string {
  const rest = source.slice(pos);
  const match =
    /^(?:[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*|\d[\w.]*|'[^'\n]*'?|"[^"\n]*"?|`[^`\n]*`?|=>|\.\.\.|[=!]==?|[<>]=?|&&=?|\|\|=?|\?\?=?|\?\.|\+\+|--|\*\*=?|[-+*/%&|^]=?|\S)/u.exec(
      rest,
    );
  const token = match?.[0] ?? '';
  return token.length > 24 ? `${token.slice(0, 23)}…` : token;
}

/**
 * acorn's messages a learner meets most, each with the string key that says it in the page's
 * language (`playground.syntax.*` in src/i18n/); `{name}` is the message's first capture.
 * Anything else is shown with acorn's own (English) words inside a sentence in the page's language.
 */
const KNOWN: [RegExp, string][] = [
  [/^Unexpected character '(.*)'$/, 'character'],
  [/^Unexpected keyword '(.*)'$/, 'keyword'],
  [/^The keyword '(.*)' is reserved$/, 'keyword'],
  [/^Unterminated string constant$/, 'string'],
  [/^Unterminated template$/, 'template'],
  [/^Unterminated comment$/, 'comment'],
  [/^Unterminated regular expression$/, 'regexp'],
  [/^Identifier '(.*)' has already been declared$/, 'redeclared'],
  [/^'return' outside of function$/, 'return'],
  [/^Missing initializer in (\w+) declaration$/, 'initializer'],
  [/^Assigning to rvalue$/, 'assign'],
  [/^Cannot use keyword 'await' outside an async function$/, 'await'],
];

/**
 * The error in words, in the page's language: `s(key)` gives the `playground.syntax.<key>`
 * string (`token`, `end`, …). Returns the explanation without the line and column.
 */
export function explainSyntaxError(error: LearnerSyntaxError, s: (key: string) => string): string {
  if (error.message === 'Unexpected token') {
    return error.token === '' ? s('end') : s('token').replace('{token}', error.token);
  }
  for (const [pattern, key] of KNOWN) {
    const match = pattern.exec(error.message);
    if (match) return s(key).replace('{name}', match[1] ?? '');
  }
  return s('other').replace('{message}', error.message);
}
