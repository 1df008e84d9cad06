/**
 * Shared mode in Chromium: a server started with `WIRELAB_REDIS_URL` on a real redis-server of
 * the test's own. While Redis is away the teacher's dashboard says so (in its language), the class
 * goes on, and the notice goes once Redis is back.
 */
import { expect, test } from '@playwright/test';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.ts';
import { freePort, killServer, type ServerProcess, startServer } from './server-process.ts';

test.setTimeout(120_000);
test.use({ trace: 'off' });

for (const lang of ['en', 'zh'] as const) {
  test(`the dashboard shows a notice while Redis is away, and hides it when it is back (${lang})`, async ({
    browser,
    request,
  }) => {
    const redis: RedisServer = await startRedisServer();
    const port = await freePort();
    let server: ServerProcess | null = null;
    const context = await browser.newContext({ baseURL: `http://127.0.0.1:${port}` });
    try {
      server = await startServer(port, request, {
        WIRELAB_REDIS_URL: redis.url,
        WIRELAB_DATA_DIR: ':memory:',
        WIRELAB_CLASS_REQUESTS_PER_SECOND: '200',
      });
      const page = await context.newPage();
      await page.goto(`/${lang}/class/teacher/`);
      await page.locator('.td-start-button').click();
      await expect(page.locator('.td-code')).toHaveText(/^[A-HJKMNP-Z2-9]{6}$/);
      await expect(page.locator('.td-live')).toHaveAttribute('data-state', 'live');
      const notice = page.locator('.td-shared-down');
      await expect(notice).toBeHidden();

      await redis.kill();
      await expect(notice).toBeVisible({ timeout: 20_000 });
      await expect(notice).toContainText(lang === 'en' ? 'class store (Redis)' : '课堂存储（Redis）');
      // The class goes on: the dashboard stays live.
      await expect(page.locator('.td-live')).toHaveAttribute('data-state', 'live');

      await redis.start();
      await expect(notice).toBeHidden({ timeout: 20_000 });
    } finally {
      await context.close();
      await killServer(server);
      await redis.stop();
    }
  });
}
