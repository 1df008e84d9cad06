/**
 * The server's own sentences in a learner's handler console (a bound hit, the sandbox restarted,
 * the handler deployed), each under a code. The console line carries the code and its values
 * beside the English text (docs/lab-api.md, "Your own server"), so the playground says it again
 * in the page's language (`playground.server.say.<code>` in src/i18n); every other reader, and
 * the inspector's notes and a failed response's body, get the text. A test renders every code
 * through the English dictionary and checks it gives these very words.
 */

/**
 * Values a sentence names: `bound` and `limit`, the bound reached and its value (the same words as
 * server/lab/bounds.ts: "bound sandboxCpuMsPerCallback (50)"); `line`, the learner's line it
 * happened at, when known.
 */
export interface SaidParams {
  readonly bound?: string;
  readonly limit?: number;
  readonly line?: number | undefined;
  readonly seconds?: number;
  readonly what?: string;
}

/** "bound sandboxCpuMsPerCallback (50)": the same words as server/lab/bounds.ts. */
export const boundText = (name: string | undefined, value: number | undefined): string =>
  `bound ${name} (${value})`;

/** "bound sandboxCpuMsPerCallback (50) reached". */
const reached = (p: SaidParams): string => `${boundText(p.bound, p.limit)} reached`;
/** The same and, when the learner's line is known, " at line 3". */
const reachedAt = (p: SaidParams): string => `${reached(p)}${p.line ? ` at line ${p.line}` : ''}`;

const RESTARTED = 'Your sandbox was restarted from your code.';
const FRESH = 'your next request starts a fresh sandbox from your code.';

const TEXTS = {
  deployed: () => 'Your handler is deployed.',
  notStarted: (p: SaidParams) => `Your code did not start: ${p.what}`,
  startFailed: (p: SaidParams) => `Your code failed when it started: ${p.what}.`,
  replaced: () => 'Your handler was replaced by a new deploy.',
  cpu: (p: SaidParams) =>
    `${reachedAt(p)}: one call into your handler ran longer than ${p.limit} ms (an endless loop, or a regular expression that backtracks). ${RESTARTED}`,
  memory: (p: SaidParams) =>
    `${reachedAt(p)}: your handler needed more than ${p.limit} bytes of memory. ${RESTARTED}`,
  stack: (p: SaidParams) =>
    `${reachedAt(p)}: stack overflow (a function that calls itself without end, or data nested too deep). ${RESTARTED}`,
  cpuPerSecond: (p: SaidParams) =>
    `${reached(p)}: your handler used more than ${p.limit} ms of CPU in one second (timers firing too often, or heavy work). ${RESTARTED}`,
  fault: () =>
    'Your sandbox failed inside the engine (its native stack overflowed: data nested far too deep, e.g. JSON.stringify of 100,000 nested objects). It was thrown away; the next request starts a fresh one from your code.',
  consoleLines: (p: SaidParams) => `${reached(p)}: more lines this second are dropped.`,
  responseBytes: (p: SaidParams) =>
    `${reached(p)}: this response would carry more than ${p.limit} bytes, so it was ended. Write less, or end it sooner.`,
  responseRate: (p: SaidParams) =>
    `${reached(p)}: your handler wrote faster than ${p.limit} bytes a second, so this response was ended. Write less often.`,
  socketBytes: (p: SaidParams) =>
    `${reached(p)}: your handler sent more than ${p.limit} bytes on this WebSocket.`,
  socketRate: (p: SaidParams) => `${reached(p)}: your handler sent faster than ${p.limit} bytes a second.`,
  stall: (p: SaidParams) =>
    `${reached(p)}: your handler held its worker thread inside one built-in call (a quadratic string search, a huge sort…), so the worker was replaced. Your code may run again in ${p.seconds} s.`,
  workerUnusable: () =>
    'The sandbox worker running your handler sent something the server could not use; it was restarted.',
  workerFailed: (p: SaidParams) => `The sandbox worker running your handler failed (${p.what}); ${FRESH}`,
  workerStopped: () => `The sandbox worker running your handler stopped; ${FRESH}`,
  workerBlocked: () =>
    `Another handler blocked the sandbox worker running yours, so it was restarted; ${FRESH}`,
  appendTooLarge: (p: SaidParams) => `feed.append: ${reached(p)}: the message was not appended.`,
  appendNotJson: () => 'feed.append: the value did not turn into JSON, so it was not appended.',
} satisfies Record<string, (p: SaidParams) => string>;

export type SaidCode = keyof typeof TEXTS;

/** The codes, for the test that checks each against the page's dictionaries. */
export const SAID_CODES = Object.keys(TEXTS) as SaidCode[];

/** A sentence: its code and values for the page, its text for everyone else. */
export interface Said {
  readonly code: SaidCode;
  readonly params: SaidParams;
  readonly text: string;
}

/** A console line's text, whichever it is. */
export function textOf(message: string | Said): string {
  return typeof message === 'string' ? message : message.text;
}

/** What of a sentence travels with its console line: the code and values, not the text again. */
export type SaidRef = Pick<Said, 'code' | 'params'>;

/** Longest `what` kept, in characters (an error's message is the learner's to make as long as it likes). */
export const MAX_WHAT = 1_000;

/** Returns the sentence `code` says with `params`. */
export function say(code: SaidCode, params: SaidParams = {}): Said {
  const kept =
    params.what !== undefined && params.what.length > MAX_WHAT
      ? { ...params, what: `${params.what.slice(0, MAX_WHAT)}…` }
      : params;
  return { code, params: kept, text: TEXTS[code](kept) };
}
