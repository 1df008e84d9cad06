/**
 * The exercise card gives its verdict when the Run is over — at Stop, or once the code has
 * finished with every connection closed and the console quiet — not a minute later; while it
 * watches it shows the reason so far, marked as such, in the page's language.
 *
 * Lesson 6's exercise (log the price of each `tick` event) with code that listens on `onmessage`:
 * the stream carries ticks, none reaches the console. The watch's outer bound is 60 s, so a
 * verdict waited for with a 15 s timeout proves it came from the end of the Run.
 */
import { expect, test } from '@playwright/test';
import { loadSolution, openLesson, run, setCode, stop } from './helpers.ts';

// Lesson pages, the editor and a runner or two per test: more than 30 s on a busy shared machine.
test.describe.configure({ timeout: 120_000 });
/** How long the editor may take to load. */
const EDITOR_MS = 60_000;

const LESSON_6 = (lang: 'en' | 'zh') => `/${lang}/lessons/06-server-sent-events/`;

/** Listens on the wrong handler and never closes: only Stop (or the 60 s bound) ends it. */
const NEVER_ENDS = "const es = new EventSource('sse');\nes.onmessage = (e) => console.log(e.data);";

test('wrong code gets its verdict within seconds of Stop, and the reason so far shows while it watches (zh)', async ({
  page,
}) => {
  await openLesson(page, LESSON_6('zh'), EDITOR_MS);
  await setCode(page, NEVER_ENDS);
  await run(page);
  const card = page.locator('.exercise-card');
  await expect(card).toHaveAttribute('data-state', 'watching');
  await expect(card.locator('.text')).toHaveText('正在检查这次运行的字节……');
  // The reason so far, in Chinese, marked as so far, while the card still watches.
  const soFar = card.locator('.so-far');
  await expect(soFar).toContainText(/^目前为止：.*tick/, { timeout: 15_000 });
  await expect(card).toHaveAttribute('data-state', 'watching');

  await stop(page);
  await expect(card).toHaveAttribute('data-state', 'fail', { timeout: 15_000 });
  await expect(card.locator('.text')).toContainText(/^还差一点。.*tick/);
  await expect(soFar).toBeHidden();
});

test('wrong code whose connections all ended gets its verdict without Stop (en)', async ({ page }) => {
  await openLesson(page, LESSON_6('en'), EDITOR_MS);
  // The lesson's own starter: it listens on onmessage, and closes its EventSource after 5 s.
  await page.locator('.pg-reset').click();
  await run(page);
  const card = page.locator('.exercise-card');
  await expect(card.locator('.so-far')).toContainText(/^So far: .*tick/, { timeout: 15_000 });
  // Once the code has closed its stream: the status says so, and the verdict follows.
  await expect(page.locator('.pg-status')).toHaveText('Finished.', { timeout: 15_000 });
  await expect(card).toHaveAttribute('data-state', 'fail', { timeout: 15_000 });
  await expect(card.locator('.text')).toContainText(/^Not yet\. .*tick events/);
  // Nobody pressed Stop: the runner is still there.
  await expect(page.locator('.playground')).toHaveAttribute('data-state', 'running');
  await expect(card.locator('.so-far')).toBeHidden();
});

test('the solution still passes, and a new Run watches afresh', async ({ page }) => {
  await openLesson(page, LESSON_6('en'), EDITOR_MS);
  await setCode(page, NEVER_ENDS);
  await run(page);
  const card = page.locator('.exercise-card');
  await expect(card.locator('.so-far')).toBeVisible({ timeout: 15_000 });
  await loadSolution(page);
  await run(page);
  await expect(card).toHaveAttribute('data-state', 'pass', { timeout: 30_000 });
  await expect(card.locator('.so-far')).toBeHidden();
  await stop(page);
  await expect(card).toHaveAttribute('data-state', 'pass');
});
