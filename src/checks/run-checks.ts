/**
 * Runs a lesson's checks against each Run, live: at `wl-run` it marks the capture, then
 * re-reads the facts of that Run every second for a minute and reports the verdicts of the
 * step's traffic check and, on the exercise step, of the exercise check.
 */
import { factsFromRecords } from './facts.ts';
import { type LiveCapture, openLiveCapture } from './live-capture.ts';
import type { ConsoleEntry, LessonChecks, Verdict } from './types.ts';

export interface RunDetail {
  step: string;
}

export interface CheckReport {
  step: string;
  /** The step's traffic check; undefined when the step has none. */
  traffic?: Verdict;
  /** The exercise check, on the exercise step only. */
  exercise?: Verdict;
  /** True when this is the last report for the Run (a minute passed, or both checks passed). */
  final: boolean;
}

const POLL_MS = 1_000;
const WATCH_MS = 60_000;

/** Watches Runs (document `wl-run` / `wl-console` events) and reports verdicts; returns a stop function. */
export function watchRuns(
  session: string,
  checks: LessonChecks,
  report: (r: CheckReport) => void,
): () => void {
  let live: LiveCapture | null = openLiveCapture(session);
  let timer = 0;
  let consoleEntries: ConsoleEntry[] = [];

  const onRun = (event: Event) => {
    const { step } = (event as CustomEvent<RunDetail>).detail;
    if (!live) return;
    const mark = live.mark();
    const started = Date.now();
    consoleEntries = [];
    clearInterval(timer);
    const traffic = checks.traffic?.[step];
    const exercise = checks.exercise?.step === step ? checks.exercise.check : undefined;
    if (!traffic && !exercise) return;
    let trafficPassed = false;
    let exercisePassed = false;
    const tick = () => {
      if (!live) return;
      const facts = factsFromRecords(live.recordsSince(mark), consoleEntries);
      const out: CheckReport = { step, final: false };
      if (traffic) {
        out.traffic = trafficPassed ? true : safe(traffic, facts);
        trafficPassed = out.traffic === true;
      }
      if (exercise) {
        out.exercise = exercisePassed ? true : safe(exercise, facts);
        exercisePassed = out.exercise === true;
      }
      const done = (!traffic || trafficPassed) && (!exercise || exercisePassed);
      out.final = done || Date.now() - started >= WATCH_MS;
      if (out.final) clearInterval(timer);
      report(out);
    };
    timer = window.setInterval(tick, POLL_MS);
  };
  const onConsole = (event: Event) => {
    const entry = (event as CustomEvent<ConsoleEntry>).detail;
    if (consoleEntries.length < 2_000) consoleEntries.push({ level: entry.level, text: String(entry.text) });
  };
  document.addEventListener('wl-run', onRun);
  document.addEventListener('wl-console', onConsole);
  return () => {
    clearInterval(timer);
    document.removeEventListener('wl-run', onRun);
    document.removeEventListener('wl-console', onConsole);
    live?.close();
    live = null;
  };
}

/** A check that throws fails, with the error as its reason, rather than breaking the page. */
function safe(
  check: (facts: ReturnType<typeof factsFromRecords>) => Verdict,
  facts: ReturnType<typeof factsFromRecords>,
): Verdict {
  try {
    return check(facts);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { en: `The check itself failed: ${message}`, zh: `检查本身出错：${message}` };
  }
}
