/**
 * What the run status says about the learner's code while its runner is up: still running, or
 * finished — with or without connections it opened still open.
 */
import type { RunActivity } from './protocol.ts';

/**
 * - `running`: the top level has not completed, or a timer or animation frame is still to run;
 * - `open`: the code has finished, but connections it opened are still open (their handlers may
 *   still run when something arrives);
 * - `finished`: nothing of it is left.
 */
export type RunPhase = 'running' | 'open' | 'finished';

export function runPhase(activity: RunActivity): RunPhase {
  if (!activity.done || activity.timers > 0) return 'running';
  return activity.open > 0 ? 'open' : 'finished';
}

/**
 * The status line for `activity`, in the page's language: `s(key)` gives the
 * `playground.status.<key>` string; `lang` picks the plural form (CLDR, `Intl.PluralRules`).
 */
export function runStatusText(activity: RunActivity, lang: string, s: (key: string) => string): string {
  const phase = runPhase(activity);
  if (phase === 'running') return s('running');
  if (phase === 'finished') return s('finished');
  const form = new Intl.PluralRules(lang).select(activity.open) === 'one' ? 'one' : 'other';
  return s(`finishedOpen.${form}`).replace('{n}', String(activity.open));
}
