/**
 * The exercises of lessons 1, 4 and 10 test what they teach, in Chromium: the naive answer runs to
 * its end and the check says what is wrong with it (lesson-walk.ts only sees that the starter has
 * not passed yet, and that the solution passes). For lesson 4 this also proves that Chromium's
 * reads of `stream?split=random` really end mid-line and mid-character.
 */
import { expect, type Page, test } from '@playwright/test';
import { run, setCode, stop, waitForEditor } from './helpers.ts';

test.describe.configure({ mode: 'parallel' });

/**
 * Opens the lesson on `step`, runs `code` (null: the step's starter as it is), and waits until the
 * exercise check gives `reason`.
 */
async function expectReason(page: Page, lesson: string, step: string, code: string | null, reason: RegExp) {
  await page.goto(`/en/lessons/${lesson}/`);
  await waitForEditor(page);
  await page.locator('.pg-step-select').selectOption(step);
  if (code !== null) await setCode(page, code);
  await run(page);
  const card = page.locator('.exercise-card');
  await expect(card).toHaveAttribute('data-exercise-why', reason, { timeout: 45_000 });
  await expect(card).not.toHaveAttribute('data-state', 'pass');
  await stop(page);
}

test('lesson 1: printing body.length for a body beyond ASCII is told it counted characters', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await expectReason(
    page,
    '01-reading-the-wire',
    'count-bytes',
    [
      "const res = await fetch('time?lang=en');",
      'const body = await res.text();',
      "console.log('bytes in the body:', body.length);",
    ].join('\n'),
    /that is body\.length, the text's UTF-16 code units/,
  );
});

test('lesson 4: reads of a split stream end mid-line, so taking each read as whole lines fails', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await expectReason(
    page,
    '04-comet-xhr-streaming',
    'fetch-reader',
    [
      "const res = await fetch('stream?lang=en&split=random');",
      'const reader = res.body.getReader();',
      'for (;;) {',
      '  const { value, done } = await reader.read();',
      '  if (done) break;',
      '  // "take the last line" of each read, and never throw',
      "  const lines = new TextDecoder().decode(value).split('\\n').filter(Boolean);",
      '  try { console.log(JSON.parse(lines.at(-1)).text); } catch {}',
      '}',
    ].join('\n'),
    /never shows whole in the console/,
  );
});

test('lesson 4: reads of a split stream end mid-character, so decoding each read apart fails', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await expectReason(
    page,
    '04-comet-xhr-streaming',
    'fetch-reader',
    [
      "const res = await fetch('stream?lang=en&split=random');",
      'const reader = res.body.getReader();',
      "let pending = '';",
      'for (;;) {',
      '  const { value, done } = await reader.read();',
      '  if (done) break;',
      '  pending += new TextDecoder().decode(value); // a new decoder for each read',
      "  const lines = pending.split('\\n');",
      '  pending = lines.pop();',
      '  for (const line of lines) console.log(JSON.parse(line).text);',
      '}',
    ].join('\n'),
    /a character was cut between two reads/,
  );
  // The inspector shows the cuts: the stream's connection holds far more top-level items (its
  // chunks) than the nine lines, and the rows on screen are chunks of a few bytes.
  await page.locator('.cl-row', { hasText: 'stream' }).first().click();
  const top = page.locator('.ft-row.top');
  await expect(top.first()).toBeVisible({ timeout: 15_000 });
  expect(Number(await top.first().getAttribute('aria-setsize'))).toBeGreaterThan(30);
  await expect(top.locator('.ft-label', { hasText: /^chunk [1-8] bytes?$/ }).first()).toBeVisible();
});

test('lesson 10: the WebSocket that goes deaf at the first cut fails the ticker', async ({ page }) => {
  test.setTimeout(90_000);
  await expectReason(page, '10-choosing', 'tunnel', null, /printed 3 of 6 ticks/);
});
