/**
 * axe-core (WCAG 2.2 A/AA rules and axe's best practices) on every kind of page a learner or a
 * teacher reaches: no serious or critical violation may remain. A lesson is checked after a Run,
 * with the inspector full of decoded bytes, in both languages and both colour schemes, because
 * that is where the contrast of byte markers and code colours matters.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { joinClass, openLesson, PHONE, run, showConsole, startClass, stop } from './helpers.ts';
import { lessonAfterEveryKind } from './every-kind.ts';

type Impact = 'critical' | 'serious' | 'moderate' | 'minor';
const IMPACTS: Impact[] = ['critical', 'serious', 'moderate', 'minor'];

/**
 * Runs axe on the page as it is, prints the violations counted by impact (the README's figures)
 * and fails listing every serious or critical one: rule id, impact and the elements it hit.
 */
async function expectNoSeriousViolations(page: Page, name: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const count = (impact: Impact) =>
    violations.filter((v) => v.impact === impact).reduce((n, v) => n + v.nodes.length, 0);
  const rules = violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`).join(', ');
  console.log(
    `axe ${name}: ${IMPACTS.map((i) => `${i} ${count(i)}`).join(', ')}${rules ? ` — ${rules}` : ''}`,
  );
  const blocking = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map(
        (n) => `${v.id} (${v.impact}) ${n.target.join(' ')}: ${n.failureSummary?.split('\n')[1]?.trim()}`,
      ),
    );
  // Soft: every page of a test is checked and reported, not only the first one that fails.
  expect.soft(blocking, `serious or critical axe violations on ${name}`).toEqual([]);
}

test.describe('accessibility (axe-core)', () => {
  // axe reads every element's colours and names: on a long page and a busy machine, tens of seconds.
  test.describe.configure({ timeout: 150_000 });
  test('the home page has no serious or critical violations', async ({ page }) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto('/en/');
      await expectNoSeriousViolations(page, `home (en, ${scheme})`);
    }
  });

  for (const lang of ['en', 'zh'] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      test(`a lesson after a Run (${lang}, ${scheme}) has no serious or critical violations`, async ({
        page,
      }) => {
        await page.emulateMedia({ colorScheme: scheme });
        await lessonAfterEveryKind(page, lang);
        await expectNoSeriousViolations(page, `lesson after a Run (${lang}, ${scheme})`);
      });
    }
  }

  test('the console tab after a Run has no serious or critical violations', async ({ page }) => {
    await lessonAfterEveryKind(page, 'en');
    await showConsole(page);
    await expect(page.locator('.pg-console-list li').first()).toBeVisible();
    await expectNoSeriousViolations(page, 'console tab (en)');
  });

  for (const [lang, scheme] of [
    ['en', 'light'],
    ['zh', 'dark'],
  ] as const) {
    test(`a lesson where the learner writes the server, after a Run (${lang}, ${scheme}), has no serious or critical violations`, async ({
      page,
    }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await openLesson(page, `/${lang}/lessons/12-write-a-comet-loop/`);
      await run(page);
      await page.locator('#pg-tab-console').click();
      // The handler's own lines, with their badge, beside the page's.
      await expect(page.locator('.pg-console-list .from-server').first()).toBeVisible({ timeout: 20_000 });
      await page.locator('#pg-tab-server').click();
      await expect(page.locator('.pg-server-editor .monaco-host')).toBeVisible();
      await expectNoSeriousViolations(page, `lesson 12 after a Run, server tab (${lang}, ${scheme})`);
      await stop(page);
    });
  }

  test('a phone (390 px) has no serious or critical violations on the home page and a lesson', async ({
    page,
  }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/en/');
    // The header's search button shows only its icon here: its word must still name it.
    await expect(page.getByRole('button', { name: 'Search', exact: true })).toBeVisible();
    await expectNoSeriousViolations(page, 'home (en, phone)');
    await openLesson(page, '/zh/lessons/01-reading-the-wire/');
    await expectNoSeriousViolations(page, 'lesson (zh, phone)');
  });

  for (const [name, path] of [
    ['the glossary', '/en/glossary/'],
    ['the reference', '/en/reference/'],
    ['the join page', '/en/class/join/'],
  ] as const) {
    test(`${name} has no serious or critical violations`, async ({ page }) => {
      await page.goto(path);
      await expect(page.locator('h1')).toBeVisible();
      await expectNoSeriousViolations(page, name);
    });
  }

  test('the teacher page has no serious or critical violations, before and during a class', async ({
    page,
  }) => {
    await page.goto('/en/class/teacher/');
    const start = page.getByRole('button', { name: 'Start a class' });
    await expect(start).toBeVisible();
    await expectNoSeriousViolations(page, 'teacher page, before a class');
    await start.click();
    await expect(page.locator('.td-state-text')).toHaveText('Live');
    await expectNoSeriousViolations(page, 'teacher page, live class');
  });

  test("a learner's lesson on a phone, in a class, with the class bar's whole message open", async ({
    browser,
  }) => {
    const { dashboard, code } = await startClass(browser);
    const learner = await joinClass(browser, code, 'Ada', PHONE);
    await expect(learner.locator('.class-bar')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
    const text = 'Open lesson 7, set the retry field to 5000 and watch the reconnect in the inspector.';
    await dashboard.getByLabel('Push to the class').fill(text);
    await dashboard.getByRole('button', { name: 'Push', exact: true }).click();
    await learner.getByRole('button', { name: 'Show the whole message' }).tap();
    await expect(learner.locator('.cb-full')).toContainText(text);
    await expectNoSeriousViolations(learner, 'lesson on a phone in a class, message open');
    for (const p of [dashboard, learner]) await p.context().close();
  });
});
