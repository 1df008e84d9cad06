/**
 * The run status says when the learner's code has finished, and whether connections it opened
 * are still open — in the page's language — instead of "Running." until Stop.
 */
import { expect, type Frame, type Page, test } from '@playwright/test';
import { LESSON, openLesson, run, setCode } from './helpers.ts';

// Lesson pages, the editor and a runner or two per test: more than 30 s on a busy shared machine.
test.describe.configure({ timeout: 120_000 });
/** How long the editor may take to load. */
const EDITOR_MS = 60_000;

/** The frame the current run's code runs in. */
async function runnerFrame(page: Page): Promise<Frame> {
  const element = await page.locator('.pg-preview iframe.runner-frame').elementHandle();
  const frame = await element?.contentFrame();
  if (!frame) throw new Error('no runner frame');
  return frame;
}

/** Opens an EventSource and a WebSocket, and lets the test close them one at a time. */
const TWO_CONNECTIONS = [
  "const es = new EventSource('sse');",
  "const ws = new WebSocket('echo');",
  'window.closeStream = () => es.close();',
  "window.closeSocket = () => ws.close(1000, 'done');",
  "console.log('top level done');",
].join('\n');

for (const [lang, texts] of [
  [
    'en',
    {
      running: 'Running.',
      two: 'Your code finished; 2 connections still open.',
      one: 'Your code finished; 1 connection still open.',
      finished: 'Finished.',
    },
  ],
  [
    'zh',
    {
      running: '正在运行。',
      two: '你的代码已运行完毕；还有 2 个连接开着。',
      one: '你的代码已运行完毕；还有 1 个连接开着。',
      finished: '运行完毕。',
    },
  ],
] as const) {
  test(`the status counts the connections still open, then says finished (${lang})`, async ({ page }) => {
    await openLesson(page, `/${lang}/lessons/01-reading-the-wire/`, EDITOR_MS);
    const status = page.locator('.pg-status');
    await setCode(page, TWO_CONNECTIONS);
    await run(page);
    await expect(status).toHaveText(texts.two, { timeout: 15_000 });
    await expect(page.locator('.playground')).toHaveAttribute('data-run', 'open');
    const frame = await runnerFrame(page);
    await frame.evaluate(() => (window as unknown as { closeStream(): void }).closeStream());
    await expect(status).toHaveText(texts.one);
    await frame.evaluate(() => (window as unknown as { closeSocket(): void }).closeSocket());
    await expect(status).toHaveText(texts.finished);
    await expect(page.locator('.playground')).toHaveAttribute('data-run', 'finished');
    // Still up (the preview is the code's page) until Stop.
    await expect(page.locator('.playground')).toHaveAttribute('data-state', 'running');
  });
}

test('code with a timer still to run, or a top-level await still waiting, is running', async ({ page }) => {
  await openLesson(page, LESSON, EDITOR_MS);
  const status = page.locator('.pg-status');
  await setCode(
    page,
    [
      "const timer = setTimeout(() => console.log('late'), 60_000);",
      'window.cancelTimer = () => clearTimeout(timer);',
      "console.log('top level done');",
    ].join('\n'),
  );
  await run(page);
  await expect(page.locator('.pg-console-list')).toContainText('top level done');
  await expect(status).toHaveText('Running.');
  // Running stays as long as the timer waits; cancelled, nothing is left.
  await page.waitForTimeout(1_000);
  await expect(status).toHaveText('Running.');
  const frame = await runnerFrame(page);
  await frame.evaluate(() => (window as unknown as { cancelTimer(): void }).cancelTimer());
  await expect(status).toHaveText('Finished.');

  // Top-level await: running until its promise settles, then finished (a fetch's body read to the end).
  await setCode(
    page,
    [
      'await new Promise((resolve) => { window.go = resolve; });',
      "const res = await fetch('time');",
      "console.log('seq', (await res.json()).seq);",
    ].join('\n'),
  );
  await run(page);
  await page.waitForTimeout(1_000);
  await expect(status).toHaveText('Running.');
  await (await runnerFrame(page)).evaluate(() => (window as unknown as { go(): void }).go());
  await expect(page.locator('.pg-console-list')).toContainText('seq');
  await expect(status).toHaveText('Finished.');
});
