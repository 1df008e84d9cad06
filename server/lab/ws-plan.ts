/**
 * `ws?plan=drop2,down,mute2` — faults for a page's successive `ws` connections, so a lesson can
 * script what a reconnecting client must survive, the same way on every Run. A connection without
 * `since` (a page's first) takes the plan's first step; each connection with `since` (a
 * reconnection that resumes) takes the next one; past the last step there is no fault.
 *
 * Steps: `dropN` (as `drop=N`), `muteN` (as `mute=N`), `down` (the server is restarting: the
 * socket opens, then closes at once with 1013 "try again later", RFC 6455 §7.4.1), `ok` (none).
 */
import type { Config } from '../config.ts';
import { matching } from './query.ts';
import type { Session } from './sessions.ts';

export type PlanStep = { kind: 'drop' | 'mute'; after: number } | { kind: 'down' | 'ok' };

const STEP = '(?:drop\\d{1,4}|mute\\d{1,4}|down|ok)';

/** The `plan=` option: 1 to `maxPlanSteps` steps, comma-separated. */
export function planOption(cfg: Config) {
  return matching(
    new RegExp(`^${STEP}(?:,${STEP}){0,${cfg.maxPlanSteps - 1}}$`),
    `1 to ${cfg.maxPlanSteps} comma-separated steps (bound maxPlanSteps), each dropN or muteN (N from 0 to 9999), down or ok, e.g. drop2,down,mute2`,
  );
}

/** Connections a session has opened with `since` since its last one without: where it is in its plan. */
const reconnections = new WeakMap<Session, number>();

/** The step of `plan` for a connection of `session` opening now, with or without `since`. */
export function nextPlanStep(session: Session, plan: string, resumes: boolean): PlanStep {
  const index = resumes ? (reconnections.get(session) ?? 0) + 1 : 0;
  reconnections.set(session, index);
  const word = plan.split(',')[index];
  if (word === undefined || word === 'ok') return { kind: 'ok' };
  if (word === 'down') return { kind: 'down' };
  return { kind: word.startsWith('drop') ? 'drop' : 'mute', after: Number(word.slice(4)) };
}
