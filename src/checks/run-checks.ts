/**
 * Runs a lesson's checks against each Run, live: at `wl-run` it marks the capture, then re-reads
 * the facts of that Run every second and reports the verdicts of the step's traffic check and,
 * on the exercise step, of the exercise check — passing ones at once, failing ones as the reason
 * so far.
 *
 * The verdict is final when the Run is over, which the playground tells (playground.ts
 * `RunStateDetail`, `RunEndDetail`):
 * - the learner pressed Stop, ran again or picked another step (`wl-run-end`);
 * - the code finished with none of its connections open (`wl-run-state`, phase `finished`) and
 *   the console stayed quiet for `QUIET_MS` — nothing is left that could still change the facts;
 * - or, for code that keeps connections open, `WATCH_MS` passed.
 * A final verdict is read from a fresh snapshot of the capture (`snapshot.ts`): it holds every
 * byte the server recorded up to that moment, so a verdict is never given on records still on
 * their way through the live channel.
 */
import { factsFromRecords } from './facts.ts';
import { type LiveCapture, openLiveCapture } from './live-capture.ts';
import { captureSnapshot } from './snapshot.ts';
import type { ConsoleEntry, LessonChecks, Verdict, WireFacts } from './types.ts';
import type { CaptureRecord } from './facts.ts';

export interface RunDetail {
  step: string;
}

export interface CheckReport {
  step: string;
  /** The step's traffic check; undefined when the step has none. */
  traffic?: Verdict;
  /** The exercise check, on the exercise step only. */
  exercise?: Verdict;
  /** True when this is the last report for the Run (it is over, or both checks passed). */
  final: boolean;
}

export interface RunWatcher {
  /** A Run of `step` started; it comes before any report of that Run. */
  started(step: string): void;
  report(report: CheckReport): void;
  /** The Run never started (its runner did not load): there is no verdict. */
  cancelled(step: string): void;
}

const POLL_MS = 1_000;
/** The outer bound: a Run whose code keeps connections open gets its verdict after this long. */
const WATCH_MS = 60_000;
/**
 * Once the code has finished and closed every connection, how long the console must stay quiet
 * before the verdict: a handler still running (a close event, a last log) lands within it.
 */
export const QUIET_MS = 1_500;
/** How long the final snapshot may take; past it the live records are used. */
const SNAPSHOT_TIMEOUT_MS = 3_000;

/** One Run being watched. */
interface Watch {
  step: string;
  mark: number;
  started: number;
  traffic?: (facts: WireFacts) => Verdict;
  exercise?: (facts: WireFacts) => Verdict;
  trafficPassed: boolean;
  exercisePassed: boolean;
  timer: number;
  quietTimer: number;
  finished: boolean;
  settling: boolean;
  done: boolean;
}

/** Watches Runs (document `wl-run`, `wl-run-state`, `wl-run-end`, `wl-console` events); returns a stop function. */
export function watchRuns(session: string, checks: LessonChecks, watcher: RunWatcher): () => void {
  let live: LiveCapture | null = openLiveCapture(session);
  let watch: Watch | null = null;
  let consoleEntries: ConsoleEntry[] = [];

  const verdicts = (w: Watch, records: CaptureRecord[]): CheckReport => {
    const facts = factsFromRecords(records, consoleEntries);
    const out: CheckReport = { step: w.step, final: false };
    if (w.traffic) {
      out.traffic = w.trafficPassed ? true : safe(w.traffic, facts);
      w.trafficPassed = out.traffic === true;
    }
    if (w.exercise) {
      out.exercise = w.exercisePassed ? true : safe(w.exercise, facts);
      w.exercisePassed = out.exercise === true;
    }
    return out;
  };

  const finish = (w: Watch, out: CheckReport) => {
    w.done = true;
    clearInterval(w.timer);
    clearTimeout(w.quietTimer);
    watcher.report({ ...out, final: true });
  };

  const tick = (w: Watch) => {
    if (w.done || w.settling || !live) return;
    const out = verdicts(w, live.recordsSince(w.mark));
    const passed = (!w.traffic || w.trafficPassed) && (!w.exercise || w.exercisePassed);
    if (passed || Date.now() - w.started >= WATCH_MS) finish(w, out);
    else watcher.report(out);
  };

  /** The Run is over: its final verdict, from what the server holds now. */
  const settle = async (w: Watch) => {
    if (w.done || w.settling) return;
    w.settling = true;
    clearTimeout(w.quietTimer);
    let records: CaptureRecord[];
    try {
      records = await captureSnapshot(session, { after: w.mark, timeoutMs: SNAPSHOT_TIMEOUT_MS });
    } catch {
      records = live?.recordsSince(w.mark) ?? [];
    }
    if (!w.done) finish(w, verdicts(w, records));
  };

  const quietThenSettle = (w: Watch) => {
    clearTimeout(w.quietTimer);
    w.quietTimer = window.setTimeout(() => void settle(w), QUIET_MS);
  };

  const onRun = (event: Event) => {
    const { step } = (event as CustomEvent<RunDetail>).detail;
    // A Run before the last one's verdict came (no Stop first, or its snapshot still on the way):
    // that one is over now, judged on what arrived.
    const previous = watch;
    if (previous && !previous.done && live)
      finish(previous, verdicts(previous, live.recordsSince(previous.mark)));
    watch = null;
    consoleEntries = [];
    watcher.started(step);
    if (!live) return;
    const traffic = checks.traffic?.[step];
    const exercise = checks.exercise?.step === step ? checks.exercise.check : undefined;
    if (!traffic && !exercise) return;
    const w: Watch = {
      step,
      mark: live.mark(),
      started: Date.now(),
      traffic,
      exercise,
      trafficPassed: false,
      exercisePassed: false,
      timer: 0,
      quietTimer: 0,
      finished: false,
      settling: false,
      done: false,
    };
    w.timer = window.setInterval(() => tick(w), POLL_MS);
    watch = w;
  };
  const onState = (event: Event) => {
    const w = watch;
    if (!w || w.done) return;
    w.finished = (event as CustomEvent<{ phase?: string }>).detail?.phase === 'finished';
    if (w.finished) quietThenSettle(w);
    else clearTimeout(w.quietTimer);
  };
  const onEnd = (event: Event) => {
    const w = watch;
    if (!w || w.done) return;
    if ((event as CustomEvent<{ failed?: boolean }>).detail?.failed) {
      w.done = true;
      clearInterval(w.timer);
      clearTimeout(w.quietTimer);
      watcher.cancelled(w.step);
      return;
    }
    void settle(w);
  };
  const onConsole = (event: Event) => {
    const entry = (event as CustomEvent<ConsoleEntry>).detail;
    if (consoleEntries.length < 2_000) consoleEntries.push({ level: entry.level, text: String(entry.text) });
    // Something still prints: the quiet moment starts again.
    if (watch?.finished && !watch.done && !watch.settling) quietThenSettle(watch);
  };
  document.addEventListener('wl-run', onRun);
  document.addEventListener('wl-run-state', onState);
  document.addEventListener('wl-run-end', onEnd);
  document.addEventListener('wl-console', onConsole);
  return () => {
    if (watch) {
      clearInterval(watch.timer);
      clearTimeout(watch.quietTimer);
      watch.done = true;
    }
    document.removeEventListener('wl-run', onRun);
    document.removeEventListener('wl-run-state', onState);
    document.removeEventListener('wl-run-end', onEnd);
    document.removeEventListener('wl-console', onConsole);
    live?.close();
    live = null;
  };
}

/** A check that throws fails, with the error as its reason, rather than breaking the page. */
function safe(check: (facts: WireFacts) => Verdict, facts: WireFacts): Verdict {
  try {
    return check(facts);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { en: `The check itself failed: ${message}`, zh: `检查本身出错：${message}` };
  }
}
