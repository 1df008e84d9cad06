/**
 * The exercise card under a lesson: loads the lesson's checks, watches each Run, and shows
 * the verdict — while the Run goes on, what is missing so far (marked "So far"), and the final
 * verdict once the Run is over (run-checks.ts says when). Everything in the page's language.
 * Also keeps the verdict of every step's traffic check on the card's dataset
 * (`data-traffic-<step>`), which the lesson tests read.
 */
import { runSessionId, showsHandIn } from '../playground/run-session.ts';
import { markPassed } from './progress.ts';
import { type CheckReport, watchRuns } from './run-checks.ts';
import type { LessonChecks } from './types.ts';

const modules = import.meta.glob<{ default: LessonChecks }>('/content/*/checks.ts');

interface Strings {
  idle: string;
  watching: string;
  pass: string;
  fail: string;
  soFar: string;
}

export async function initExerciseCard(card: HTMLElement): Promise<void> {
  const slug = card.dataset.lesson ?? '';
  const exerciseStep = card.dataset.step ?? '';
  const lang = card.dataset.lang === 'zh' ? 'zh' : 'en';
  const strings = JSON.parse(
    card.querySelector<HTMLTemplateElement>('.strings')?.dataset.json ?? '{}',
  ) as Strings;
  const text = card.querySelector<HTMLElement>('.verdict .text')!;
  const soFar = card.querySelector<HTMLElement>('.verdict .so-far');
  const showSoFar = (reason: string | null) => {
    if (!soFar) return;
    const words = reason === null ? '' : strings.soFar.replace('{reason}', reason);
    if (soFar.textContent !== words) soFar.textContent = words;
    soFar.hidden = reason === null;
  };

  card.querySelector('.open-step')?.addEventListener('click', () => {
    document.dispatchEvent(new CustomEvent('wl-select-step', { detail: { step: exerciseStep } }));
    document
      .querySelector<HTMLElement>('.lesson-playground')
      ?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  });

  const load = modules[`/content/${slug}/checks.ts`];
  if (!load) return;
  const checks = (await load()).default;

  watchRuns(runSessionId(), checks, {
    started(step) {
      card.dataset[trafficKey(step)] = 'pending';
      if (step !== exerciseStep) return;
      card.dataset.state = 'watching';
      text.textContent = strings.watching;
      showSoFar(null);
    },
    cancelled(step) {
      delete card.dataset[trafficKey(step)];
      if (step !== exerciseStep) return;
      card.dataset.state = 'idle';
      text.textContent = strings.idle;
      showSoFar(null);
    },
    report,
  });

  function report(report: CheckReport): void {
    if (report.traffic !== undefined) {
      card.dataset[trafficKey(report.step)] =
        report.traffic === true ? 'pass' : report.final ? 'fail' : 'pending';
      if (report.traffic !== true) card.dataset[`${trafficKey(report.step)}Why`] = report.traffic.en;
    }
    if (report.exercise === undefined) return;
    if (report.exercise === true) {
      card.dataset.state = 'pass';
      text.textContent = strings.pass;
      showSoFar(null);
      // A learner's hand-in passing is not this browser's progress.
      if (!showsHandIn()) {
        markPassed(slug);
        document.dispatchEvent(new CustomEvent('wl-progress', { detail: { lesson: slug } }));
      }
    } else if (report.final) {
      card.dataset.state = 'fail';
      text.textContent = `${strings.fail} ${report.exercise[lang]}`;
      showSoFar(null);
    } else {
      card.dataset.exerciseWhy = report.exercise.en;
      showSoFar(report.exercise[lang]);
    }
  }
}

/** `data-traffic-<step>` as a dataset key. */
function trafficKey(step: string): string {
  return `traffic${step.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}`;
}
