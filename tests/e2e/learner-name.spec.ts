/**
 * Lesson 11: one chat name per tab. The runner cannot keep one (opaque origin, no storage), so
 * the lesson page keeps it and hands it to the code as `learnerName`: every Run, a reload and
 * the other language's page in the same tab post under the same name — in a class too: the
 * lobby the starters post to is anyone's to read, so a class's display name is never used.
 */
import { expect, type Page, test } from '@playwright/test';
import { consoleList, joinClass, openLesson, run, startClass, stop, waitForEditor } from './helpers.ts';

// Lesson pages, the editor and a runner or two per test: more than 30 s on a busy shared machine.
test.describe.configure({ timeout: 120_000 });
/** How long the editor may take to load. */
const EDITOR_MS = 60_000;

const LESSON_11 = (lang: 'en' | 'zh') => `/${lang}/lessons/11-chat-in-a-room/`;

/** What the first step's own message says on a page in `lang` (the zh starter speaks Chinese). */
const HELLO = { en: ': hello over SSE', zh: '：用 SSE 打个招呼' };

/** Runs the first step (SSE chat) and returns the tab's kept name (the message shows it in the page's language). */
async function chatOnce(page: Page, lang: 'en' | 'zh' = 'en'): Promise<string> {
  await run(page);
  await page.locator('#pg-tab-console').click();
  // The room is shared (other tests may talk in it): find this tab's own line by its name.
  const name = await page.evaluate(() => sessionStorage.getItem('wl-learner-name'));
  expect(name).toMatch(/^learner\d{4}$/);
  const shown = lang === 'zh' ? name!.replace(/^learner/, '学员') : name;
  await expect(consoleList(page)).toContainText(`${shown}${HELLO[lang]}`, { timeout: 15_000 });
  await stop(page);
  return name!;
}

test('every Run in a tab chats under the same name, in English and in Chinese', async ({ page }) => {
  await openLesson(page, LESSON_11('en'), EDITOR_MS);
  const first = await chatOnce(page);
  expect(await chatOnce(page)).toBe(first);
  await page.reload();
  await waitForEditor(page, EDITOR_MS);
  expect(await chatOnce(page)).toBe(first);
  await openLesson(page, LESSON_11('zh'), EDITOR_MS);
  expect(await chatOnce(page, 'zh')).toBe(first);
});

test('the starters take the name from learnerName, and another tab has a name of its own', async ({
  page,
  context,
}) => {
  await openLesson(page, LESSON_11('en'), EDITOR_MS);
  const mine = await chatOnce(page);
  const other = await context.newPage();
  await openLesson(other, LESSON_11('en'), EDITOR_MS);
  const theirs = await chatOnce(other);
  // Random names may meet (1 in 9000): what matters is that each tab keeps its own.
  expect(await other.evaluate(() => sessionStorage.getItem('wl-learner-name'))).toBe(theirs);
  expect(await page.evaluate(() => sessionStorage.getItem('wl-learner-name'))).toBe(mine);
  // The code shown to the learner says where the name comes from.
  await expect(page.locator('.monaco-host .view-lines')).toContainText('const me = learnerName;');
});

// The starters post to `room=lobby`, which anyone on the server reads, other classes included: a
// class's display name (often a pupil's real name) must not travel there.
test('in a class, lesson 11 still chats under the tab’s own name, never the name the learner joined with', async ({
  browser,
}) => {
  const { dashboard, code } = await startClass(browser);
  const learner = await joinClass(browser, code, 'Ada Lovelace');
  await openLesson(learner, LESSON_11('en'), EDITOR_MS);
  await chatOnce(learner);
  await expect(consoleList(learner)).not.toContainText('Ada Lovelace');
  for (const p of [dashboard, learner]) await p.context().close();
});
