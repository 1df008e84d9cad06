/**
 * Walking a lesson as a learner does: every step's starter is run (its handler too, on a step
 * where the learner writes the server: Run deploys it first), and its traffic check must pass;
 * the exercise must fail for its starter and pass for its solution (the page's, the handler's, or
 * both, as the solution dialog loads them). Shared by lan.spec.ts (every lesson in English, on a
 * plain-http LAN name: the origin a classroom uses) and zh-everywhere.spec.ts (every lesson in
 * Chinese, on 127.0.0.1).
 */
import fs from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';
import { loadSolution, run, stop } from './helpers.ts';

/** Every lesson's folder name (its slug), in course order. */
export const lessons = fs
  .readdirSync(new URL('../../content/', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory() && /^\d\d-/.test(d.name))
  .map((d) => d.name)
  .sort();

interface StepConfig {
  id: string;
  solution: string | null;
  /** The handler's solution, on a step where the learner writes the server. */
  serverSolution?: string | null;
}

/** The attribute the exercise card keeps a step's traffic verdict in. */
const trafficAttr = (step: string) => `data-traffic-${step}`;

/** Waits until the step's traffic check passes; on failure, says why the check did not pass. */
export async function expectTraffic(card: Locator, step: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const verdict = await card.getAttribute(trafficAttr(step));
        if (verdict === 'fail') return `fail: ${await card.getAttribute(`${trafficAttr(step)}-why`)}`;
        return verdict;
      },
      { timeout: 30_000, message: `traffic of step "${step}"` },
    )
    .toBe('pass');
}

/**
 * Opens `/<lang>/lessons/<slug>/` and runs every step's starter, asserting its traffic check;
 * on the exercise's step, asserts the starter does not pass and the solution does.
 * `afterStep` runs once each step's last run has stopped (zh-everywhere.spec.ts reads the page then).
 */
export async function walkLesson(
  page: Page,
  slug: string,
  lang: 'en' | 'zh',
  afterStep?: (step: string) => Promise<void>,
): Promise<void> {
  await page.goto(`/${lang}/lessons/${slug}/`);
  const config = JSON.parse((await page.locator('.playground').getAttribute('data-config')) ?? '{}') as {
    steps: StepConfig[];
  };
  const card = page.locator('.exercise-card');
  await expect(card, 'every lesson has an exercise').toHaveCount(1);
  const exercise = await card.getAttribute('data-step');
  expect(config.steps.map((s) => s.id)).toContain(exercise);

  for (const step of config.steps) {
    const select = page.locator('.pg-step-select');
    if ((await select.count()) > 0) await select.selectOption(step.id);
    await run(page);
    await expectTraffic(card, step.id);
    if (step.id === exercise) {
      // The starter's run has had time to show its bytes: the exercise must not pass on it.
      await page.waitForTimeout(3_000);
      await expect(card).not.toHaveAttribute('data-state', 'pass');
      expect(
        step.solution || step.serverSolution,
        `the exercise step "${step.id}" has a solution (client or server)`,
      ).toBeTruthy();
      await stop(page);
      await loadSolution(page);
      await run(page);
      await expect(card, 'the solution passes the exercise').toHaveAttribute('data-state', 'pass', {
        timeout: 45_000,
      });
      await expectTraffic(card, step.id);
    }
    await stop(page);
    await afterStep?.(step.id);
  }
}
