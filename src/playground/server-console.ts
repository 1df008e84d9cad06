/**
 * What the learner's handler prints, shown in the playground's console while their page runs:
 * `GET /lab/<session>/mine?after=<seq>` (docs/lab-api.md, "Your own server") read again and again,
 * each line marked as the server's (console-view.ts draws the badge).
 *
 * Bounded, for a class of 300 on one server: one request at a time; half a second between reads
 * while lines come (at most 2 a second per learner whose page runs), backing off to `IDLE_CAP_MS`
 * while none do (and to `ERROR_CAP_MS` while the server
 * cannot be reached), each wait spread by a little jitter so a class does not ask in step; no more
 * than `MAX_POLL_MS` per Run. The caller stops it at Stop, a new Run and a step change; it stops by
 * itself when the page is hidden or goes away, and picks up where it was when the page is back.
 */
import type { ConsoleEntry } from './console-view.ts';

/** Wait between reads while the handler is printing: its lines land beside the page's. */
const BASE_MS = 500;
/** Longest wait while it prints nothing (reached after two empty reads). */
const IDLE_CAP_MS = 2_000;
/** Longest wait while the reads fail (the server restarting, the Wi-Fi gone). */
const ERROR_CAP_MS = 8_000;
/** A Run's reads end after this long: a handler left running in a forgotten tab costs nothing. */
const MAX_POLL_MS = 10 * 60_000;

/** A line of the handler's console as the server keeps it (server/lab/mine-console.ts). */
interface ServerLine {
  seq: number;
  level: string;
  text: string;
  /** A sentence of the server's own (server/sandbox/console-texts.ts), and the values it names. */
  code?: string;
  params?: Record<string, unknown>;
}

/** Where a server message names the learner's line: "(line 3, column 9)" or "at line 3". */
const WHERE = /\(line (\d+)(?:, column (\d+))?\)|\bat line (\d+)\b/;
/** The server's words for a throw in the handler (server/sandbox): said again in the page's language. */
const THREW = /^Your handler threw (.*?)(?: \(line \d+(?:, column \d+)?\))?\.?$/s;

/**
 * One server line as a console entry: its level, its text (the server's own sentences and a throw
 * in the page's words) and its line.
 */
export function serverEntry(line: ServerLine, t: number, s: (key: string) => string): ConsoleEntry {
  const level = line.level === 'error' || line.level === 'warn' || line.level === 'info' ? line.level : 'log';
  const threw = THREW.exec(line.text);
  const said = line.code === undefined ? null : saidText(line.code, line.params ?? {}, s);
  const text = said ?? (threw ? s('server.threw').replace('{what}', threw[1] ?? '') : line.text);
  const entry: ConsoleEntry = { level, kind: 'console', source: 'server', t, args: [{ k: 'str', v: text }] };
  const where = WHERE.exec(line.text);
  if (where) {
    entry.line = Number(where[1] ?? where[3]);
    if (where[2]) entry.col = Number(where[2]);
  }
  return entry;
}

/**
 * The server's sentence `code` in the page's words (`server.say.<code>`, each `{name}` its value,
 * `{at}` "at line N" when the line is known), or null for a code this page does not know: a newer
 * server's, shown in its English text.
 */
function saidText(code: string, params: Record<string, unknown>, s: (key: string) => string): string | null {
  const key = `server.say.${code}`;
  const template = s(key);
  if (template === key) return null;
  const line = params.line;
  return template.replace(/\{(\w+)\}/g, (all, name: string) => {
    if (name === 'at')
      return typeof line === 'number' && line > 0 ? s('server.say.at').replace('{line}', String(line)) : '';
    const value = params[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : all;
  });
}

export class ServerConsole {
  private readonly session: string;
  private readonly onLines: (lines: ServerLine[]) => void;
  private after = 0;
  private started = 0;
  private timer = 0;
  private running = false;
  private paused = false;
  private idle = 0;
  private failures = 0;
  private abort: AbortController | null = null;

  constructor(session: string, onLines: (lines: ServerLine[]) => void) {
    this.session = session;
    this.onLines = onLines;
    addEventListener('pagehide', () => this.stop());
    document.addEventListener('visibilitychange', () => {
      if (!this.running) return;
      if (document.visibilityState === 'hidden') {
        this.paused = true;
        this.cancel();
      } else if (this.paused) {
        this.paused = false;
        this.schedule(0);
      }
    });
  }

  /** Reads what the handler prints after the line `after` (the deploy's, server-deploy.ts). */
  start(after: number): void {
    this.stop();
    this.after = after;
    this.started = Date.now();
    this.running = true;
    this.paused = document.visibilityState === 'hidden';
    this.idle = 0;
    this.failures = 0;
    if (!this.paused) this.schedule(BASE_MS);
  }

  stop(): void {
    this.running = false;
    this.paused = false;
    this.cancel();
  }

  private cancel(): void {
    clearTimeout(this.timer);
    this.timer = 0;
    this.abort?.abort();
    this.abort = null;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    const jittered = ms === 0 ? 0 : Math.round(ms * (0.85 + Math.random() * 0.3));
    this.timer = window.setTimeout(() => void this.read(), jittered);
  }

  private async read(): Promise<void> {
    this.timer = 0;
    if (!this.running || this.paused) return;
    if (Date.now() - this.started > MAX_POLL_MS) {
      this.stop();
      return;
    }
    const abort = new AbortController();
    this.abort = abort;
    let lines: ServerLine[] | null = null;
    try {
      const res = await fetch(`/lab/${this.session}/mine?after=${this.after}`, {
        cache: 'no-store',
        signal: abort.signal,
      });
      if (res.ok) {
        const body = (await res.json()) as { console?: unknown };
        lines = Array.isArray(body.console) ? (body.console as ServerLine[]) : [];
      }
    } catch {
      // aborted (Stop) or unreachable: the wait below decides
    }
    if (abort.signal.aborted || !this.running) return;
    this.abort = null;
    if (lines === null) {
      this.failures += 1;
      this.schedule(Math.min(ERROR_CAP_MS, BASE_MS * 2 ** this.failures));
      return;
    }
    this.failures = 0;
    const fresh = lines.filter(
      (l) => typeof l.seq === 'number' && l.seq > this.after && typeof l.text === 'string',
    );
    if (fresh.length > 0) {
      this.after = Math.max(...fresh.map((l) => l.seq));
      this.idle = 0;
      this.onLines(fresh);
    } else {
      this.idle += 1;
    }
    this.schedule(Math.min(IDLE_CAP_MS, BASE_MS * 2 ** Math.min(this.idle, 2)));
  }
}
