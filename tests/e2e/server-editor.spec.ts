/**
 * The "Your server" editor on a step where the learner writes the server (lesson 12): Run deploys
 * the handler first; a syntax error stops there, told in the page's language at the handler's
 * line and column and marked in the server editor; a throw while answering shows in the console
 * as the server's, with its line; a working handler's bytes show in the inspector under mine/;
 * drafts of the handler survive a reload; the solution dialog loads the handler's solution.
 */
import { expect, type Locator, type Page, test } from '@playwright/test';
import {
  clientHost,
  consoleList,
  loadSolution,
  run,
  serverHost,
  serverText,
  setText,
  stop,
  waitForEditor,
} from './helpers.ts';

// Lesson pages, two editors and a runner or two per test: more than 30 s on a busy shared machine.
test.describe.configure({ timeout: 120_000 });
const EDITOR_MS = 60_000;
const LESSON = (lang: 'en' | 'zh') => `/${lang}/lessons/12-write-a-comet-loop/`;

async function openLesson12(page: Page, lang: 'en' | 'zh' = 'en'): Promise<void> {
  await page.goto(LESSON(lang));
  await waitForEditor(page, EDITOR_MS);
  await expect(serverHost(page)).toHaveCount(1, { timeout: EDITOR_MS });
}

// No line breaks inside brackets: Monaco's auto-indent would move the columns of typed text.
const BROKEN_SERVER = '// the second line has a syntax error\nonRequest((req, res) => res.end(;));';

for (const lang of ['en', 'zh'] as const) {
  test(`a syntax error in the server stops the Run at its line and column, marked, with no client run (${lang})`, async ({
    page,
  }) => {
    await openLesson12(page, lang);
    await setText(page, 'client', "console.log('client ran');");
    await setText(page, 'server', BROKEN_SERVER);
    await page.locator('#pg-tab-code').click(); // the Run must bring the server tab back by itself
    await page.locator('.pg-run').click();
    const error = page.locator('.pg-console-list .level-error');
    await expect(error).toHaveCount(1);
    await expect(page.locator('.playground')).toHaveAttribute('data-state', 'idle');
    await page.locator('#pg-tab-console').click();
    if (lang === 'en') {
      await expect(error).toContainText(
        'Your server did not start: “;” is not expected here (line 2, column 33). Your page was not run.',
      );
      await expect(error.locator('.badge-server')).toHaveText('server');
      await expect(page.locator('.pg-status')).toHaveText(
        'Not run: your server did not start (line 2, column 33).',
      );
    } else {
      await expect(error).toContainText(
        '你的服务器没有启动：这里不应出现“;”（第 2 行，第 33 列）。页面代码没有运行。',
      );
      await expect(error.locator('.badge-server')).toHaveText('服务器');
    }
    await expect(consoleList(page)).not.toContainText('client ran');
    await expect(page.locator('.pg-preview iframe:not(.runner-spare)')).toHaveCount(0);
    await expect(page.locator('#pg-tab-server')).toHaveAttribute('aria-selected', 'true');
    await expect(serverHost(page)).toHaveAttribute('data-mark', '2:33');
    await expect(serverHost(page).locator('.squiggly-error').first()).toBeVisible();
    await expect(clientHost(page)).not.toHaveAttribute('data-mark', /./);
  });
}

/**
 * Deploys `server`, runs a page that fetches `mine/<path>` and prints the status, and returns the
 * one error line the server then puts in the console, once the page has seen its 500.
 */
async function serverErrorOfRun(page: Page, server: string, path: string): Promise<Locator> {
  await setText(page, 'server', server);
  await setText(
    page,
    'client',
    `const res = await fetch('mine/${path}');\nconsole.log('status', res.status);`,
  );
  await run(page);
  await page.locator('#pg-tab-console').click();
  await expect(consoleList(page)).toContainText('status 500', { timeout: 15_000 });
  const line = page.locator('.pg-console-list .from-server.level-error');
  await expect(line).toHaveCount(1, { timeout: 15_000 });
  return line;
}

test('a throw in the handler shows in the console as the server’s, with its line', async ({ page }) => {
  await openLesson12(page);
  const thrown = await serverErrorOfRun(
    page,
    '// throws on line 2\nconst boom = () => null.open();\nonRequest((req, res) => boom());',
    'boom',
  );
  await expect(thrown).toContainText('Your handler threw TypeError');
  await expect(thrown.locator('.badge-server')).toHaveText('server');
  await expect(thrown.locator('.where')).toHaveText('line 2');
  await stop(page);
});

test('a bound the handler hits is told in the page’s language: an endless loop, on the Chinese page', async ({
  page,
}) => {
  await openLesson12(page, 'zh');
  const said = await serverErrorOfRun(page, 'onRequest((req, res) => { while (true) {} });', 'spin');
  await expect(said).toContainText(/上限 sandboxCpuMsPerCallback（50）已到（第 1 行）：/);
  await expect(said).toContainText('你的沙箱已按你的代码重新启动。');
  await expect(said).not.toContainText('reached');
  await expect(said.locator('.where')).toHaveText(/1/);
  await stop(page);
});

test('a working handler’s bytes show in the inspector under mine/, and its console lines in the console', async ({
  page,
}) => {
  await openLesson12(page);
  await setText(
    page,
    'server',
    "onRequest((req, res) => { res.setHeader('Access-Control-Allow-Origin', '*'); console.log('answering', req.path); res.write('hello '); res.flush(); res.end('from my server'); });",
  );
  await setText(page, 'client', "const res = await fetch('mine/hello');\nconsole.log(await res.text());");
  await run(page);
  await page.locator('#pg-tab-console').click();
  await expect(consoleList(page)).toContainText('hello from my server', { timeout: 15_000 });
  await expect(page.locator('.pg-console-list .from-server', { hasText: 'answering /hello' })).toHaveCount(
    1,
    {
      timeout: 15_000,
    },
  );
  await page.locator('#pg-tab-inspector').click();
  const row = page.locator('.cl-row').filter({ has: page.locator('.cl-req', { hasText: 'mine/hello' }) });
  await expect(row).toHaveCount(1, { timeout: 15_000 });
  await expect(row.locator('.cl-status')).toHaveText('200');
  await expect(
    page.locator('.cl-req', { hasText: /mine(\?|$)/ }),
    'no deploy or console read shown',
  ).toHaveCount(0);
  await row.click();
  await expect(page.locator('.insp')).toContainText('from my server');
  await stop(page);
});

test('the handler’s draft survives a reload, and Reset restores both starters', async ({ page }) => {
  await openLesson12(page);
  await setText(page, 'server', "// my own handler\nonRequest((req, res) => res.end('mine'));");
  await expect
    .poll(() => page.evaluate(() => localStorage.getItem('wl-draft:12-write-a-comet-loop:flush-loop:server')))
    .toContain('my own handler');
  await page.reload();
  await waitForEditor(page, EDITOR_MS);
  expect(await serverText(page)).toContain('// my own handler');
  await page.locator('.pg-reset').click();
  expect(await serverText(page)).toContain("// The notes' PHP comet loop");
  await expect
    .poll(() => page.evaluate(() => localStorage.getItem('wl-draft:12-write-a-comet-loop:flush-loop:server')))
    .toBeNull();
});

test('the solution dialog loads the handler’s solution on the exercise step', async ({ page }) => {
  const draft = () =>
    page.evaluate(() => localStorage.getItem('wl-draft:12-write-a-comet-loop:countdown:server'));
  await openLesson12(page);
  await page.locator('.pg-step-select').selectOption('countdown');
  expect(await serverText(page)).toContain('// Exercise: a countdown.');
  expect(await draft(), 'the starter is shown').toBeNull();
  await loadSolution(page);
  // The whole handler is longer than the panel shows: its saved draft is the solution.
  await expect.poll(draft).toContain('setTimeout(next, 1000)');
  expect(await draft()).not.toContain('TODO');
});
