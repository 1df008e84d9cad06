/**
 * A syntax error names the learner's line and column (in their own code, not the script the
 * runner builds), in the page's language, and is marked in the editor until the next edit or
 * Run. Nothing runs. A runtime error points at the learner's line too.
 */
import { expect, type Page, test } from '@playwright/test';
import { consoleList, LESSON, openLesson, setCode, showConsole } from './helpers.ts';

// Lesson pages, the editor and a runner or two per test: more than 30 s on a busy shared machine.
test.describe.configure({ timeout: 120_000 });
/** How long the editor may take to load. */
const EDITOR_MS = 60_000;

const BROKEN = "console.log('one');\nconst x = 1;\nconst y = (x + ;";

/** Presses Run on code that does not run: the playground stays idle. */
async function runBroken(page: Page): Promise<void> {
  await page.locator('.pg-run').click();
  await expect(page.locator('.pg-console-list .level-error')).toHaveCount(1);
  await expect(page.locator('.playground')).toHaveAttribute('data-state', 'idle');
}

/** Hovers the marked place until Monaco's hover shows `text`. */
async function expectHover(page: Page, text: string): Promise<void> {
  const squiggles = page.locator('.monaco-host .squiggly-error');
  await expect(squiggles.first()).toBeVisible();
  await expect
    .poll(async () => {
      for (const squiggle of await squiggles.all()) {
        await squiggle.hover({ force: true });
        const hover = page.locator('.monaco-hover:visible');
        if ((await hover.count()) > 0 && (await hover.first().textContent())?.includes(text)) return true;
      }
      return false;
    })
    .toBe(true);
}

test('a syntax error is reported at the learner’s line and column, marked in the editor, and nothing runs (en)', async ({
  page,
}) => {
  await openLesson(page, LESSON, EDITOR_MS);
  await setCode(page, BROKEN);
  await runBroken(page);
  await showConsole(page);
  const error = page.locator('.pg-console-list .level-error');
  await expect(error).toContainText('SyntaxError on line 3, column 16: “;” is not expected here.');
  await expect(error).toContainText('The code did not run');
  await expect(error).not.toContainText('append');
  await expect(error.locator('.where')).toHaveText('line 3');
  await expect(consoleList(page)).not.toContainText('one'); // line 1 did not run either
  await expect(page.locator('.pg-preview iframe:not(.runner-spare)')).toHaveCount(0);
  await expect(page.locator('.pg-status')).toHaveText('Not run: syntax error on line 3, column 16.');

  const host = page.locator('.monaco-host');
  await expect(host).toHaveAttribute('data-mark', '3:16');
  await expectHover(page, '“;” is not expected here.');

  // An edit clears the mark; so does the next Run of code that parses.
  await page.locator('.monaco-host .view-lines').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type(' ');
  await expect(host).not.toHaveAttribute('data-mark', /./);
  await runBroken(page);
  await expect(host).toHaveAttribute('data-mark', '3:16');
  await setCode(page, "console.log('fixed');");
  await expect(host).not.toHaveAttribute('data-mark', /./);
  await page.locator('.pg-run').click();
  await expect(consoleList(page)).toContainText('fixed');
  await expect(page.locator('.pg-console-list .level-error')).toHaveCount(0);
});

test('with top-level await, the position is still the learner’s; the message is in Chinese on a zh page', async ({
  page,
}) => {
  await openLesson(page, '/zh/lessons/01-reading-the-wire/', EDITOR_MS);
  // Line 1 is where the runner puts its async wrapper: the column must not move.
  await setCode(page, "const res = await fetch('time'); ]\nconsole.log(res.status);");
  await runBroken(page);
  await page.locator('#pg-tab-console').click();
  const error = page.locator('.pg-console-list .level-error');
  await expect(error).toContainText('第 1 行第 34 列有语法错误（SyntaxError）：这里不应出现“]”。');
  await expect(error.locator('.where')).toHaveText('第 1 行');
  await expect(page.locator('.monaco-host')).toHaveAttribute('data-mark', '1:34');
  await expectHover(page, '这里不应出现“]”。');
});

test('a runtime error at the top level of code with await is reported as uncaught, at the learner’s line', async ({
  page,
}) => {
  await openLesson(page, LESSON, EDITOR_MS);
  await setCode(page, "const res = await fetch('time');\n\nconst data = null;\nconsole.log(data.seq);");
  await page.locator('.pg-run').click();
  await showConsole(page);
  const error = page.locator('.pg-console-list .level-error');
  await expect(error).toContainText('Uncaught');
  await expect(error).toContainText('TypeError');
  await expect(error.locator('.where')).toHaveText('line 4');
  // The code has finished (its top level threw): the status says so.
  await expect(page.locator('.pg-status')).toHaveText('Finished.');
});
