import { expect, test } from '@playwright/test';

test.describe('the site', () => {
  test('home renders the four techniques and the lesson list', async ({ page }) => {
    await page.goto('/en/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Watch the wire.');
    for (const name of ['Polling', 'Comet', 'Server-Sent Events', 'WebSocket']) {
      await expect(page.locator('.cards .badge', { hasText: name })).toBeVisible();
    }
    await expect(page.locator('.lesson-list a').first()).toBeVisible();
  });

  test('/ picks Chinese for a Chinese browser and English otherwise', async ({ browser }) => {
    const zh = await browser.newContext({ locale: 'zh-CN' });
    const zhPage = await zh.newPage();
    await zhPage.goto('/');
    await expect(zhPage).toHaveURL(/\/zh\/$/);
    await zh.close();

    const en = await browser.newContext({ locale: 'en-GB' });
    const enPage = await en.newPage();
    await enPage.goto('/');
    await expect(enPage).toHaveURL(/\/en\/$/);
    await en.close();
  });

  test('a lesson renders in both languages with highlighted code', async ({ page }) => {
    await page.goto('/en/lessons/01-reading-the-wire/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Reading the wire');
    await expect(page.locator('.prose pre.astro-code').first()).toBeVisible();
    await page.goto('/zh/lessons/01-reading-the-wire/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('读懂线路上的字节');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-Hans');
  });

  test('the language switch keeps the lesson and is remembered by /', async ({ page }) => {
    await page.goto('/en/lessons/01-reading-the-wire/');
    await page.getByRole('link', { name: '阅读中文版' }).click();
    await expect(page).toHaveURL(/\/zh\/lessons\/01-reading-the-wire\/$/);
    await page.goto('/');
    await expect(page).toHaveURL(/\/zh\/$/);
  });

  test('the theme switch cycles system, light and dark, and survives a reload', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto('/en/');
    const html = page.locator('html');
    await expect(html).toHaveAttribute('data-theme', 'light');
    const toggle = page.locator('.theme-toggle');
    await toggle.click(); // system → light
    await expect(html).toHaveAttribute('data-theme-choice', 'light');
    await toggle.click(); // light → dark
    await expect(html).toHaveAttribute('data-theme', 'dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(15, 17, 23)');
    await page.reload();
    await expect(html).toHaveAttribute('data-theme', 'dark');
  });

  test('search finds lessons in both languages and opens one', async ({ page }) => {
    await page.goto('/en/');
    await page.keyboard.press('Control+k');
    await page.getByRole('searchbox').fill('chunked');
    const first = page.locator('.search-results a').first();
    await expect(first).toBeVisible();
    await expect(first).toHaveAttribute('href', /\/en\/lessons\//);
    await page.goto('/zh/');
    await page.locator('.search-open').click();
    await page.getByRole('searchbox').fill('长轮询');
    await expect(page.locator('.search-results a').first()).toHaveAttribute('href', /\/zh\/lessons\//);
  });

  test('the lab API reference and the glossary are on the site in both languages', async ({ page }) => {
    await page.goto('/en/reference/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lab API');
    await expect(page.locator('.reference')).toContainText('Last-Event-ID');
    await page.getByRole('link', { name: '阅读中文版' }).click();
    await expect(page).toHaveURL(/\/zh\/reference\/$/);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('实验接口');
    await page.goto('/zh/glossary/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('术语表');
    await expect(page.locator('.glossary dt').first()).toBeVisible();
  });

  test('an unknown page answers 404 with a page that links to the lessons', async ({ page }) => {
    const res = await page.goto('/en/no-such-page/');
    expect(res?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  });

  test('pages load with no console errors and a strict Content-Security-Policy', async ({ page }) => {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const res = await page.goto('/en/lessons/01-reading-the-wire/');
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    await page.locator('.theme-toggle').click();
    expect(errors).toEqual([]);
  });

  for (const [name, viewport] of [
    ['projector', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      test(`screenshot: lesson on a ${name}, ${scheme}`, async ({ page }, info) => {
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto('/zh/lessons/01-reading-the-wire/');
        await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
        // Nothing may stick out sideways on a phone.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        const file = info.outputPath(`lesson-${name}-${scheme}.png`);
        await page.screenshot({ path: file });
        await info.attach(`lesson-${name}-${scheme}`, { path: file, contentType: 'image/png' });
      });
    }
  }
});
