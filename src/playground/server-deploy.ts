/**
 * Run's first half on a step where the learner writes the server: their handler goes to
 * `PUT /lab/<session>/mine` (docs/lab-api.md, "Your own server"), and only once it has started
 * does their page run.
 *
 * Before the PUT, acorn reads the handler as the sandbox will (a script, `mine.js`): a syntax
 * error is then told in the page's language, with what stands at the spot (syntax-error.ts), and
 * costs no request. What acorn lets through and QuickJS still refuses (a throw at the top level,
 * `onRequest` misspelt) comes back as the server's 400 with its line and column. Loaded with
 * the first Run of such a step, like acorn itself.
 */
import { parse } from 'acorn';
import { type CodeMark, explainSyntaxError, syntaxErrorOf } from './syntax-error.ts';

export type DeployOutcome =
  | {
      ok: true /** The seq of the deploy's console line: read the handler's console after it. */;
      seq: number;
    }
  | {
      ok: false;
      /** For the playground's console, in the page's language. */
      text: string;
      /** For the run status (shorter). */
      status: string;
      /** Where in the handler, when the mistake has a place. */
      mark: CodeMark | null;
    };

/** The 400's body (server/lab/mine.ts). */
interface DeployAnswer {
  ok?: boolean;
  seq?: unknown;
  text?: unknown;
  error?: { name?: unknown; message?: unknown; line?: unknown; column?: unknown };
}

/** `s(key)` gives the `playground.<key>` string of the page's language. */
export async function deployServer(
  session: string,
  source: string,
  s: (key: string) => string,
): Promise<DeployOutcome> {
  const found = syntaxErrorIn(source);
  if (found) {
    const what = explainSyntaxError(found, (key) => s(`syntax.${key}`));
    return notStarted(s, what, found.line, found.col, found.col + Math.max(1, found.token.length));
  }
  let res: Response;
  try {
    res = await fetch(`/lab/${session}/mine`, {
      method: 'PUT',
      body: source,
      headers: { 'Content-Type': 'text/javascript; charset=utf-8' },
      cache: 'no-store',
    });
  } catch (err) {
    const text = s('server.unreachable').replace('{error}', err instanceof Error ? err.message : String(err));
    return { ok: false, text, status: s('status.serverFailed'), mark: null };
  }
  const answer = (await res.json().catch(() => ({}))) as DeployAnswer;
  if (res.status === 200) return { ok: true, seq: typeof answer.seq === 'number' ? answer.seq : 0 };
  if (res.status === 400 && answer.error) {
    const { name, message, line, column } = answer.error;
    const what = `${String(name ?? 'Error')}: ${String(message ?? '')}`;
    if (typeof line === 'number' && line > 0) {
      const col = typeof column === 'number' && column > 0 ? column : 1;
      return notStarted(s, what, line, col, col + 1);
    }
    return {
      ok: false,
      text: s('server.notStartedNowhere').replace('{what}', what),
      status: s('status.serverFailed'),
      mark: null,
    };
  }
  // The bounds (docs/lab-api.md, "Bounds of a handler"): each says which one, and when Run helps.
  const retry = Number(res.headers.get('Retry-After'));
  const key =
    res.status === 413
      ? 'server.tooLarge'
      : res.status === 429
        ? 'server.busy'
        : res.status === 503
          ? 'server.unavailable'
          : 'server.failed';
  const text = s(key)
    .replace('{status}', String(res.status))
    .replace('{s}', String(Number.isFinite(retry) && retry > 0 ? retry : 5));
  return { ok: false, text, status: s('status.serverFailed'), mark: null };
}

/** "Your server did not start: … (line L, column C)", with the mark at that place. */
function notStarted(
  s: (key: string) => string,
  what: string,
  line: number,
  col: number,
  endCol: number,
): DeployOutcome {
  // The explanation is a sentence of its own; here it stands before "(line L, column C)".
  const bare = what.replace(/[.。]$/, '');
  const fill = (template: string) =>
    template.replace('{what}', bare).replace('{line}', String(line)).replace('{col}', String(col));
  return {
    ok: false,
    text: fill(s('server.notStarted')),
    status: fill(s('status.serverNotStarted')),
    mark: { line, col, endCol, message: what },
  };
}

/** The handler's syntax error as acorn finds it in a script (how QuickJS evaluates `mine.js`), or null. */
export function syntaxErrorIn(source: string): ReturnType<typeof syntaxErrorOf> {
  try {
    parse(source, { ecmaVersion: 'latest', sourceType: 'script', locations: true });
    return null;
  } catch (err) {
    return syntaxErrorOf(err, source);
  }
}
