/**
 * The class bar on a phone: its message line has one row, so a teacher's longer message is cut
 * off there. A button beside it (or a tap on the line) opens the whole of it under the bar.
 */
import { expect, type Page, test } from '@playwright/test';
import { joinClass, PHONE, startClass } from './helpers.ts';

test.setTimeout(120_000);

const LONG =
  'Open lesson 7 and set the retry field to 5000, then watch the inspector: the reconnect waits five seconds before Last-Event-ID goes out.';

async function push(teacher: Page, text: string): Promise<void> {
  await teacher.getByLabel('Push to the class').fill(text);
  await teacher.getByRole('button', { name: 'Push', exact: true }).click();
  await expect(teacher.locator('.td-pushed li').first()).toContainText(text);
}

test('on a phone, a message the class bar cuts off opens whole under it, and closes again', async ({
  browser,
}) => {
  const { dashboard, code } = await startClass(browser);
  const learner = await joinClass(browser, code, 'Ada', PHONE);
  const bar = learner.locator('.class-bar');
  const line = bar.locator('.cb-message');
  const more = bar.getByRole('button', { name: 'Show the whole message' });
  const full = learner.locator('.cb-full');
  await expect(bar).toHaveAttribute('data-state', 'live', { timeout: 15_000 });

  await push(dashboard, 'Hello');
  await expect(line).toHaveText('Teacher: Hello');
  await expect(more).toBeHidden(); // it fits

  await push(dashboard, LONG);
  await expect(line).toHaveText(`Teacher: ${LONG}`);
  expect(await line.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true); // cut off on this screen
  await expect(more).toBeVisible();
  await more.tap();
  await expect(full).toBeVisible();
  await expect(full).toHaveText(`Teacher: ${LONG}`);
  // The whole of it, on the screen, under the bar.
  const [box, barBox] = [await full.boundingBox(), await bar.boundingBox()];
  expect(box && barBox).toBeTruthy();
  if (!box || !barBox) return;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  expect(box.y).toBeGreaterThanOrEqual(barBox.y + barBox.height);
  expect(await full.locator('p').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  await expect(more).toHaveAttribute('aria-expanded', 'true');

  // Escape closes it; so does a tap anywhere else, the line included. A tap on the line opens it.
  await learner.keyboard.press('Escape');
  await expect(full).toBeHidden();
  await line.tap();
  await expect(full).toBeVisible();
  await learner.locator('main h2').first().tap(); // inert text, away from the popover
  await expect(full).toBeHidden();
  await line.tap();
  await expect(full).toBeVisible();
  await line.tap();
  await expect(full).toBeHidden();
  await expect(more).toHaveAttribute('aria-expanded', 'false');

  // Open when a short message comes: it fits, so the button goes and the popover with it.
  await more.tap();
  await expect(full).toBeVisible();
  await push(dashboard, 'Thanks');
  await expect(line).toHaveText('Teacher: Thanks');
  await expect(more).toBeHidden();
  await expect(full).toBeHidden();

  // The Chinese page says it in Chinese.
  await learner.goto('/zh/lessons/06-server-sent-events/');
  await expect(bar).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
  await push(dashboard, LONG);
  await learner.locator('.class-bar').getByRole('button', { name: '显示完整消息' }).tap();
  await expect(full).toHaveText(`老师：${LONG}`);

  for (const p of [dashboard, learner]) await p.context().close();
});
