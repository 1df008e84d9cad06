/**
 * What a learner's handler printed (`console.log`, …) and what went wrong in it (a bound hit, an
 * error with its line), kept per session for the playground's console: the newest
 * `sandboxConsoleLines` lines, each with a sequence number so a reader asks only for what is new
 * (`GET /lab/<session>/mine?after=<seq>`).
 */

export interface ConsoleLine {
  readonly seq: number;
  /** ISO-8601. */
  readonly time: string;
  readonly level: 'log' | 'info' | 'warn' | 'error';
  readonly text: string;
}

export interface Consoles {
  /** Keeps a line; returns its `seq`. */
  add(session: string, level: ConsoleLine['level'], text: string): number;
  /** The kept lines after `seq`, oldest first. */
  after(session: string, seq: number): ConsoleLine[];
  drop(session: string): void;
  sessions(): Iterable<string>;
}

export function createConsoles(keep: number): Consoles {
  const table = new Map<string, { seq: number; lines: ConsoleLine[] }>();
  return {
    add(session, level, text) {
      let c = table.get(session);
      if (!c) {
        c = { seq: 0, lines: [] };
        table.set(session, c);
      }
      c.seq += 1;
      c.lines.push({ seq: c.seq, time: new Date().toISOString(), level, text });
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
