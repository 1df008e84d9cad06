/**
 * Lesson search with real queries on the built index: Chinese words are found as words (their
 * characters adjacent), not as characters scattered over a page; English works as before.
 */
import { expect, type Page, test } from '@playwright/test';

/** Opens the search on `home`, types `query` as a reader would and returns the result links. */
async function search(page: Page, home: string, query: string): Promise<string[]> {
  await page.goto(home);
  await page.locator('.search-open').click();
  await page.getByRole('searchbox').fill(query);
  const status = page.locator('.search-status');
  await expect(status).not.toBeEmpty({ timeout: 15_000 });
  return page
    .locator('.search-results a')
    .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
}

const lesson = (slug: string) => `/zh/lessons/${slug}/`;

test.describe('search in Chinese', () => {
  test('重连 ranks a lesson about reconnecting first and skips pages with 重 and 连 only apart', async ({
    page,
  }) => {
    const hrefs = await search(page, '/zh/', '重连');
    // The SSE lessons, the SSE endpoint the learner writes, and the lesson on connections that come back.
    expect(
      [
        '06-server-sent-events',
        '07-sse-in-depth',
        '13-write-an-sse-endpoint',
        '17-connections-that-come-back',
      ].map(lesson),
    ).toContain(hrefs[0]);
    expect(hrefs).toContain(lesson('06-server-sent-events'));
    expect(hrefs).toContain(lesson('07-sse-in-depth'));
    // Both pages hold 重 and 连, never side by side: they matched before words were kept whole.
    expect(hrefs).not.toContain(lesson('02-short-polling'));
    expect(hrefs).not.toContain(lesson('08-websocket-handshake'));
    await expect(page.locator('.search-results a').first().locator('mark').first()).toBeVisible();
  });

  test('长轮询 finds the long-polling lesson first, not short polling', async ({ page }) => {
    const hrefs = await search(page, '/zh/', '长轮询');
    expect(hrefs[0]).toBe(lesson('03-long-polling'));
    // Short polling holds 轮询 and a 长 elsewhere; it used to come first.
    expect(hrefs).not.toContain(lesson('02-short-polling'));
  });

  test('掩码 finds the WebSocket frames lesson first', async ({ page }) => {
    const hrefs = await search(page, '/zh/', '掩码');
    expect(hrefs[0]).toBe(lesson('09-websocket-frames'));
    expect(hrefs).not.toContain(lesson('02-short-polling'));
  });

  test('游标 finds the polling lessons and not pages with 游 and 标 apart', async ({ page }) => {
    const hrefs = await search(page, '/zh/', '游标');
    expect(hrefs).toContain(lesson('02-short-polling'));
    expect(hrefs).toContain(lesson('03-long-polling'));
    expect(hrefs).not.toContain(lesson('10-choosing'));
    expect(hrefs).not.toContain(lesson('11-chat-in-a-room'));
  });

  test('事件流 finds the pages that say it, not those with 事件 and 流 apart', async ({ page }) => {
    const hrefs = await search(page, '/zh/', '事件流');
    for (const slug of ['06-server-sent-events', '07-sse-in-depth', '11-chat-in-a-room'])
      expect(hrefs).toContain(lesson(slug));
    // These hold 事件 and 流, never side by side: they matched while 流 was searched on its own.
    for (const slug of ['02-short-polling', '05-forever-iframe', '10-choosing'])
      expect(hrefs).not.toContain(lesson(slug));
  });

  test('two words find the pages holding both: 重连 心跳', async ({ page }) => {
    const hrefs = await search(page, '/zh/', '重连 心跳');
    expect(hrefs).toContain(lesson('07-sse-in-depth'));
    // Holds 重连 but no 心跳.
    expect(hrefs).not.toContain(lesson('04-comet-xhr-streaming'));
    // Holds 心跳, 重 and 连, but 重 and 连 never side by side.
    expect(hrefs).not.toContain(lesson('09-websocket-frames'));
    // Holds neither word.
    expect(hrefs).not.toContain(lesson('03-long-polling'));
  });

  test('a word no page holds says so', async ({ page }) => {
    await search(page, '/zh/', '量子纠缠');
    await expect(page.locator('.search-status')).toHaveText('没有课程提到这个词，换个词试试。');
    await expect(page.locator('.search-results a')).toHaveCount(0);
  });
});

test('search in English still ranks by its words: long polling', async ({ page }) => {
  const hrefs = await search(page, '/en/', 'long polling');
  expect(hrefs).toContain('/en/lessons/03-long-polling/');
  expect(hrefs.every((h) => h.startsWith('/en/'))).toBe(true);
});

test('the lessons on push in the wild are in the search, in both languages', async ({ page }) => {
  for (const [home, query, slug] of [
    ['/en/', 'AbortController', '16-streamed-answers'],
    ['/en/', 'half-open', '17-connections-that-come-back'],
    ['/en/', 'ticket', '18-who-is-on-the-other-end'],
    ['/en/', 'permessage-deflate', '09-websocket-frames'],
    ['/zh/', '一次性票', '18-who-is-on-the-other-end'],
    ['/zh/', '半开', '17-connections-that-come-back'],
  ] as const) {
    const hrefs = await search(page, home, query);
    expect(hrefs, `${query} on ${home}`).toContain(`${home}lessons/${slug}/`);
  }
});
