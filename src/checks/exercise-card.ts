/**
 * The exercise card under a lesson: loads the lesson's checks, watches each Run, and shows
 * the verdict. Also keeps the verdict of every step's traffic check on the card's dataset
 * (`data-traffic-<step>`), which the lesson tests read.
 */
import { runSessionId, showsHandIn } from '../playground/run-session.ts';
import { markPassed } from './progress.ts';
import { watchRuns } from './run-checks.ts';
import type { LessonChecks } from './types.ts';

const modules = import.meta.glob<{ default: LessonChecks }>('/content/*/checks.ts');

interface Strings {
  idle: string;
  watching: string;
  pass: string;
  fail: string;
}

export async function initExerciseCard(card: HTMLElement): Promise<void> {
  const slug = card.dataset.lesson ?? '';
  const exerciseStep = card.dataset.step ?? '';
  const lang = card.dataset.lang === 'zh' ? 'zh' : 'en';
  const strings = JSON.parse(
    card.querySelector<HTMLTemplateElement>('.strings')?.dataset.json ?? '{}',
  ) as Strings;
  const text = card.querySelector<HTMLElement>('.verdict .text')!;

  card.querySelector('.open-step')?.addEventListener('click', () => {
    document.dispatchEvent(new CustomEvent('wl-select-step', { detail: { step: exerciseStep } }));
    document
      .querySelector<HTMLElement>('.lesson-playground')
      ?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  });

  const load = modules[`/content/${slug}/checks.ts`];
  if (!load) return;
  const checks = (await load()).default;

  document.addEventListener('wl-run', (event) => {
    const { step } = (event as CustomEvent<{ step: string }>).detail;
    card.dataset[trafficKey(step)] = 'pending';
    if (step === exerciseStep) {
      card.dataset.state = 'watching';
      text.textContent = strings.watching;
    }
  });

  watchRuns(runSessionId(), checks, (report) => {
    if (report.traffic !== undefined) {
      card.dataset[trafficKey(report.step)] =
        report.traffic === true ? 'pass' : report.final ? 'fail' : 'pending';
      if (report.traffic !== true) card.dataset[`${trafficKey(report.step)}Why`] = report.traffic.en;
    }
    if (report.exercise === undefined) return;
    if (report.exercise === true) {
      card.dataset.state = 'pass';
      text.textContent = strings.pass;
      // A learner's hand-in passing is not this browser's progress.
      if (!showsHandIn()) {
        markPassed(slug);
        document.dispatchEvent(new CustomEvent('wl-progress', { detail: { lesson: slug } }));
      }
    } else if (report.final) {
      card.dataset.state = 'fail';
      text.textContent = `${strings.fail} ${report.exercise[lang]}`;
    } else {
      card.dataset.exerciseWhy = report.exercise.en;
    }
  });
}

/** `data-traffic-<step>` as a dataset key. */
function trafficKey(step: string): string {
  return `traffic${step.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}`;
}
