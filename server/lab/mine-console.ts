/**
 * What a learner's handler printed (`console.log`, …) and what went wrong in it (a bound hit, an
 * error with its line), kept per session for the playground's console: the newest
 * `sandboxConsoleLines` lines, each with a sequence number so a reader asks only for what is new
 * (`GET /lab/<session>/mine?after=<seq>`).
 */

import type { SaidCode, SaidParams, SaidRef } from '../sandbox/console-texts.ts';

export interface ConsoleLine {
  readonly seq: number;
  /** ISO-8601. */
  readonly time: string;
  readonly level: 'log' | 'info' | 'warn' | 'error';
  readonly text: string;
  /** A sentence of the server's own (server/sandbox/console-texts.ts): the page says it in its language. */
  readonly code?: SaidCode;
  readonly params?: SaidParams;
}

export interface Consoles {
  /** Keeps a line; returns its `seq`. `said`: the code and values of the server's own sentence `text` is. */
  add(session: string, level: ConsoleLine['level'], text: string, said?: SaidRef): number;
  /** The kept lines after `seq`, oldest first. */
  after(session: string, seq: number): ConsoleLine[];
  drop(session: string): void;
  sessions(): Iterable<string>;
}

export function createConsoles(keep: number): Consoles {
  const table = new Map<string, { seq: number; lines: ConsoleLine[] }>();
  return {
    add(session, level, text, said) {
      let c = table.get(session);
      if (!c) {
        c = { seq: 0, lines: [] };
        table.set(session, c);
      }
      c.seq += 1;
      const time = new Date().toISOString();
      c.lines.push(
        said
          ? { seq: c.seq, time, level, text, code: said.code, params: said.params }
          : { seq: c.seq, time, level, text },
      );
      if (c.lines.length > keep) c.lines.splice(0, c.lines.length - keep);
      return c.seq;
    },
    after(session, seq) {
      return (table.get(session)?.lines ?? []).filter((line) => line.seq > seq);
    },
    drop(session) {
      table.delete(session);
    },
    sessions: () => table.keys(),
  };
}
