/**
 * Run always starts, or says why: a runner loaded ahead whose renderer died while it waited is
 * noticed and replaced, and when no runner page can be had the console says why.
 */
import { expect, type Frame, type Page, test } from '@playwright/test';
import { consoleList, LESSON, openLesson, run, setCode, showConsole } from './helpers.ts';

// Lesson pages, the editor and a runner or two per test: more than 30 s on a busy shared machine.
test.describe.configure({ timeout: 120_000 });
/** How long the editor may take to load. */
const EDITOR_MS = 60_000;

/**
 * Waits for the spare runner, then makes it deaf: from the lesson page's side, what a renderer
 * that died while the spare waited looks like — it was ready, and now answers nothing. (A real
 * crash cannot be tested here: Playwright takes any out-of-process iframe's crash for its page's,
 * and the page's handle then answers nothing; see docs/playground.md.)
 */
async function silenceSpare(page: Page): Promise<void> {
  await expect(page.locator('.runner-spare[data-ready]')).toHaveCount(1, { timeout: 30_000 });
  let spare: Frame | null = null;
  for (const frame of page.frames()) {
    const element = await frame.frameElement().catch(() => null);
    if (element && (await element.evaluate((el) => (el as Element).classList.contains('runner-spare'))))
      spare = frame;
  }
  expect(spare, 'the spare runner frame').not.toBeNull();
  await spare!.evaluate(() => {
    // Every message now reads as empty: the runner ignores it, `hello` and `run` alike.
    Object.defineProperty(MessageEvent.prototype, 'data', { get: () => null });
  });
}

test('a spare runner that no longer answers is replaced, and Run starts', async ({ page }) => {
  await openLesson(page, LESSON, EDITOR_MS);
  await setCode(page, "console.log('ran after the spare went silent')");
  await showConsole(page);
  await silenceSpare(page);

  const pressed = Date.now();
  await page.locator('.pg-run').click();
  await expect(consoleList(page)).toContainText('ran after the spare went silent', { timeout: 15_000 });
  const startedMs = Date.now() - pressed;
  await expect(consoleList(page)).toContainText('The runner loaded ahead had stopped responding');
  await expect(page.locator('.playground')).toHaveAttribute('data-state', 'running');
  const measured = `Run with a silent spare: the code's output shown ${startedMs} ms after the click`;
  test.info().annotations.push({ type: 'dead spare', description: measured });
  console.log(measured);

  // The next spare is loaded ahead again, and the Run after uses it without a word.
  await expect(page.locator('.runner-spare[data-ready]')).toHaveCount(1, { timeout: 30_000 });
  await setCode(page, "console.log('and the next one')");
  await run(page);
  await expect(consoleList(page)).toContainText('and the next one');
  await expect(consoleList(page)).not.toContainText('stopped responding');
});

test('Stop before a silent spare answered: the run ends there, nothing is started again', async ({
  page,
}) => {
  await openLesson(page, LESSON, EDITOR_MS);
  await setCode(page, "console.log('should not run')");
  await showConsole(page);
  await silenceSpare(page);
  await page.locator('.pg-run').click();
  await page.locator('.pg-stop').click();
  await expect(page.locator('.playground')).toHaveAttribute('data-state', 'idle');
  // Past the wait after which a silent spare is replaced: nothing took its place.
  await page.waitForTimeout(2_000);
  await expect(page.locator('.playground')).toHaveAttribute('data-state', 'idle');
  await expect(page.locator('.pg-preview iframe.runner-frame')).toHaveCount(0);
  await expect(consoleList(page)).not.toContainText('should not run');
  await expect(consoleList(page)).not.toContainText('stopped responding');
  await expect(consoleList(page)).not.toContainText('did not answer');
});

test('a spare gets the code with the hello: a slow answer delays nothing, and the code runs once', async ({
  page,
}) => {
  await openLesson(page, LESSON, EDITOR_MS);
  await setCode(page, "console.log('ran in the spare')");
  await showConsole(page);
  await expect(page.locator('.runner-spare[data-ready]')).toHaveCount(1, { timeout: 30_000 });
  // The spare's answer to `hello` reaches the lesson page a second late (a renderer busy
  // elsewhere), within the wait after which a spare is taken for dead.
  await page.evaluate(() => {
    const held = window as unknown as { __readyHeld?: { outputBefore: boolean } };
    const relayed = new WeakSet<Event>();
    window.addEventListener(
      'message',
      (event) => {
        if (relayed.has(event) || (event.data as { wl?: string } | null)?.wl !== 'ready') return;
        if (!document.querySelector('.runner-frame')) return; // a spare saying it loaded: not this
        event.stopImmediatePropagation();
        setTimeout(() => {
          const text = document.querySelector('.pg-console-list')?.textContent ?? '';
          held.__readyHeld = { outputBefore: text.includes('ran in the spare') };
          const again = new MessageEvent('message', { data: event.data, source: event.source });
          relayed.add(again);
          window.dispatchEvent(again);
        }, 1_000);
      },
      { capture: true },
    );
  });
  await page.locator('.pg-run').click();
  await expect(consoleList(page)).toContainText('ran in the spare');
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __readyHeld?: object }).__readyHeld), {
      timeout: 10_000,
    })
    .toEqual({ outputBefore: true });
  // Past the wait for a dead spare: the spare was kept, and nothing ran a second time.
  await page.waitForTimeout(2_000);
  await expect(consoleList(page)).not.toContainText('stopped responding');
  await expect(consoleList(page).getByText('ran in the spare')).toHaveCount(1);
  await expect(page.locator('.pg-preview iframe.runner-frame')).toHaveCount(1);
});

test('when the runner page cannot be had, the console says why', async ({ page }) => {
  await page.route('**/runner/', (route) => route.fulfill({ status: 503, body: 'busy' }));
  await openLesson(page, LESSON, EDITOR_MS);
  await setCode(page, "console.log('never runs')");
  await showConsole(page);
  await page.locator('.pg-run').click();
  await expect(consoleList(page)).toContainText(
    'The runner page cannot be loaded: the server answered 503.',
    { timeout: 15_000 },
  );
  await expect(page.locator('.playground')).toHaveAttribute('data-state', 'idle');
  await expect(page.locator('.pg-status')).toContainText('the server answered 503');
  await expect(consoleList(page)).not.toContainText('never runs');
});
