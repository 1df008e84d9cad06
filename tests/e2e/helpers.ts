/**
 * What every end-to-end spec does on a lesson page, as a learner does it: open the lesson, put
 * code in the editor, Run, Stop, read the console.
 */
import { type Browser, type BrowserContextOptions, expect, type Page } from '@playwright/test';

/** The lesson most specs use: its first step fetches `time`. */
export const LESSON = '/en/lessons/01-reading-the-wire/';

/** Opens a lesson and waits for its editor (`timeout`: how long the editor may take to load). */
export async function openLesson(page: Page, url = LESSON, timeout = 15_000): Promise<void> {
  await page.goto(url);
  await waitForEditor(page, timeout);
}

/** Waits for Monaco in the playground (on a phone the editor loads once the playground is in view). */
export async function waitForEditor(page: Page, timeout = 15_000): Promise<void> {
  await page.locator('.playground').scrollIntoViewIfNeeded();
  await expect(page.locator('.playground')).toHaveAttribute('data-editor', 'monaco', { timeout });
}

/** Replaces the editor's text, as a learner pasting code would. */
export async function setCode(page: Page, code: string): Promise<void> {
  await page.locator('.monaco-host').click({ position: { x: 80, y: 12 } }); // the first line, whatever the editor's height
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
}

/**
 * The editor's text as shown, its drawn lines run together: a line the editor wraps on a narrow
 * panel is drawn as two, and still reads as one here. (Look for text within a line.)
 */
export async function editorText(page: Page): Promise<string> {
  const text = await page.locator('.monaco-host .view-lines').textContent();
  return (text ?? '').replace(/\u00a0/g, ' ');
}

/** Presses Run (found by its class: the pages are in English and Chinese) and waits until the playground runs. */
export async function run(page: Page): Promise<void> {
  await page.locator('.pg-run').click();
  // On a step with a server file, Run first deploys the handler: the server's first deploy starts
  // its sandbox workers, which takes seconds on a busy machine.
  await expect(page.locator('.playground')).toHaveAttribute('data-state', 'running', { timeout: 20_000 });
}

/** Presses Stop when a run is going, and waits until the playground is idle. */
export async function stop(page: Page): Promise<void> {
  const playground = page.locator('.playground');
  if ((await playground.getAttribute('data-state')) === 'running') await page.locator('.pg-stop').click();
  await expect(playground).toHaveAttribute('data-state', 'idle');
}

/**
 * Puts the step's solution in the editor as a learner does: Solution, then, past the hint, the
 * dialog's "Show the solution" (found by class: the pages are in English and Chinese).
 */
export async function loadSolution(page: Page): Promise<void> {
  await page.locator('.pg-solution').click();
  const dialog = page.locator('.pg-solution-dialog');
  await expect(dialog).toBeVisible();
  await dialog.locator('.pg-solution-confirm').click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('.pg-notice')).toBeVisible();
}

export async function showConsole(page: Page): Promise<void> {
  await page.getByRole('tab', { name: /^Console/ }).click();
}

export const consoleList = (page: Page) => page.locator('.pg-console-list');

/** The playground's two editors on a step where the learner writes the server too (lessons 12–15). */
export const clientHost = (page: Page) => page.locator('#pg-panel-code .monaco-host');
export const serverHost = (page: Page) => page.locator('.pg-server-editor .monaco-host');

/** Replaces the text of one of the two editors, as a learner pasting code would. */
export async function setText(page: Page, which: 'client' | 'server', code: string): Promise<void> {
  await page.locator(which === 'client' ? '#pg-tab-code' : '#pg-tab-server').click();
  const host = which === 'client' ? clientHost(page) : serverHost(page);
  await expect(host).toBeVisible();
  await host.click({ position: { x: 80, y: 12 } });
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
}

/** The server editor's text as drawn (its tab shown). */
export async function serverText(page: Page): Promise<string> {
  await page.locator('#pg-tab-server').click();
  return ((await serverHost(page).locator('.view-lines').textContent()) ?? '').replace(/\u00a0/g, ' ');
}

/** A teacher's dashboard with a class started on it, and the class's code. */
export async function startClass(browser: Browser): Promise<{ dashboard: Page; code: string }> {
  const dashboard = await (await browser.newContext()).newPage();
  await dashboard.goto('/en/class/teacher/');
  await dashboard.getByRole('button', { name: 'Start a class' }).click();
  await expect(dashboard.locator('.td-code')).toHaveText(/^[A-HJKMNP-Z2-9]{6}$/);
  return { dashboard, code: (await dashboard.locator('.td-code').textContent()) ?? '' };
}

/** A phone's screen and touch, for a context (`joinClass`'s `device`). */
export const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };

/** A learner, in a browser of their own (`device`: a phone's viewport, touch), who joined the class `code` as `name`. */
export async function joinClass(
  browser: Browser,
  code: string,
  name: string,
  device: BrowserContextOptions = {},
): Promise<Page> {
  const learner = await (await browser.newContext(device)).newPage();
  await learner.goto(`/en/class/join/#${code}`);
  await learner.locator('.join-page .join-form').getByLabel('Your name').fill(name);
  await learner.locator('.join-page .join-form').getByRole('button', { name: 'Join' }).click();
  await learner.waitForURL(/\/en\/lessons\//);
  return learner;
}
