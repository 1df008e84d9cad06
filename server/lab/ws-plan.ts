/**
 * `ws?plan=drop2,down2,mute2` — faults for a page's successive `ws` connections, so a lesson can
 * script what a reconnecting client must survive, the same way on every Run. A connection without
 * `since` (a page's first) takes the plan's first step; each connection with `since` (a
 * reconnection that resumes) takes the next one; past the last step there is no fault.
 *
 * Steps: `dropN` (as `drop=N`), `muteN` (as `mute=N`), `downN` (the server is restarting, for
 * the next N connections: each opens, then closes at once with 1013 "try again later", RFC 6455
 * §7.4.1). Each step carries its number, so a plan in a URL reads as code, not as words.
 */
import type { Config } from '../config.ts';
import { matching } from './query.ts';
import type { Session } from './sessions.ts';

export type PlanStep = { kind: 'drop' | 'mute'; after: number } | { kind: 'down' | 'ok' };

const STEP = '(?:drop\\d{1,4}|mute\\d{1,4}|down[1-9]\\d{0,3})';

/** The `plan=` option: 1 to `maxPlanSteps` steps, comma-separated. */
export function planOption(cfg: Config) {
  return matching(
    new RegExp(`^${STEP}(?:,${STEP}){0,${cfg.maxPlanSteps - 1}}$`),
    `1 to ${cfg.maxPlanSteps} comma-separated steps (bound maxPlanSteps), each dropN or muteN (N from 0 to 9999) or downN (N from 1 to 9999), e.g. drop2,down2,mute2`,
  );
}

/** Connections a session has opened with `since` since its last one without: where it is in its plan. */
const reconnections = new WeakMap<Session, number>();

/** The step of `plan` for a connection of `session` opening now, with or without `since`. */
export function nextPlanStep(session: Session, plan: string, resumes: boolean): PlanStep {
  const index = resumes ? (reconnections.get(session) ?? 0) + 1 : 0;
  reconnections.set(session, index);
  let at = index; // downN stands for N connections in a row
  for (const word of plan.split(',')) {
    const n = Number(word.slice(4));
    if (word.startsWith('down')) {
      if (at < n) return { kind: 'down' };
      at -= n;
    } else if (at === 0) return { kind: word.startsWith('drop') ? 'drop' : 'mute', after: n };
    else at -= 1;
  }
  return { kind: 'ok' };
}
