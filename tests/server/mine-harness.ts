/**
 * Deploying a learner's handler and reading its console, over real sockets, for the tests of
 * `/lab/<session>/mine` (tests/server/mine-*.test.ts, tests/abuse/learner-*.test.ts).
 */
import { raw, request } from './lab-wire.ts';

export interface Deployed {
  readonly status: number;
  readonly body: {
    ok?: boolean;
    text?: string;
    /** The seq of the console line that tells of this deploy. */
    seq?: number;
    error?: { name: string; message: string; line: number | null; column: number | null };
  };
}

/** PUTs `source` as the session's handler; returns the status and the JSON answer. */
export async function deploy(port: number, session: string, source: string): Promise<Deployed> {
  const answer = await raw(port, request('PUT', `/lab/${session}/mine`, {}, source), { timeoutMs: 15_000 });
  const text = answer.body.toString('utf8');
  let body: Deployed['body'] = {};
  try {
    body = JSON.parse(text) as Deployed['body'];
  } catch {
    body = { text };
  }
  return { status: answer.status, body };
}

/** PUTs `source` and fails unless it deployed. */
export async function deployOk(port: number, session: string, source: string): Promise<void> {
  const d = await deploy(port, session, source);
  if (d.status !== 200) throw new Error(`deploy answered ${d.status}: ${JSON.stringify(d.body)}`);
}

export interface ConsoleLine {
  seq: number;
  level: string;
  text: string;
  /** A sentence of the server's own (server/sandbox/console-texts.ts) and its values. */
  code?: string;
  params?: Record<string, unknown>;
}

/** The session's console lines (after `after`). */
export async function consoleOf(port: number, session: string, after = 0): Promise<ConsoleLine[]> {
  const answer = await raw(port, request('GET', `/lab/${session}/mine?after=${after}`), {
    timeoutMs: 15_000,
  });
  return (JSON.parse(answer.body.toString('utf8')) as { console: ConsoleLine[] }).console;
}

/** Polls the console until a line matches `pattern`; returns it. */
export async function waitForConsole(
  port: number,
  session: string,
  pattern: RegExp,
  timeoutMs = 15_000,
): Promise<ConsoleLine> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = (await consoleOf(port, session)).find((l) => pattern.test(l.text));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no console line matching ${pattern} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `GET /lab/<session>/mine<path>` on a fresh connection, read to its end or cut. */
export function getMine(port: number, session: string, path: string, headers: Record<string, string> = {}) {
  return raw(port, request('GET', `/lab/${session}/mine${path}`, headers), { timeoutMs: 15_000 });
}
