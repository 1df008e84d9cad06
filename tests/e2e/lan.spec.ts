/**
 * A classroom's origin: plain http on a LAN address, which is not a secure context (W3C Secure
 * Contexts), so `crypto.subtle` and `navigator.clipboard` do not exist there. Runs only in the
 * `lan` project of playwright.config.ts, on `http://lan.test:<port>`, a made-up name Chromium
 * maps to 127.0.0.1; each test first proves the page is not a secure context, so none can pass
 * on a secure origin by accident.
 */
import { expect, type Page, test } from '@playwright/test';
import {
  consoleList,
  loadSolution,
  openLesson,
  run,
  setCode,
  showConsole,
  stop,
  waitForEditor,
} from './helpers.ts';
import { lessons, walkLesson } from './lesson-walk.ts';

/** The page is on the LAN name and is not a secure context: the APIs marked [SecureContext] are gone. */
async function expectInsecure(page: Page): Promise<void> {
  expect(new URL(page.url()).hostname).toBe('lan.test');
  expect(
    await page.evaluate(() => ({
      secure: isSecureContext,
      subtle: typeof crypto.subtle,
      clipboard: typeof navigator.clipboard,
    })),
  ).toEqual({ secure: false, subtle: 'undefined', clipboard: 'undefined' });
}

test.describe.configure({ mode: 'parallel' });

test('the lesson page and the runner are not a secure context; sha1() and base64() work there', async ({
  page,
}) => {
  await openLesson(page);
  await expectInsecure(page);
  await setCode(
    page,
    [
      "console.log('runner secure:', isSecureContext, typeof crypto.subtle);",
      "console.log('accept:', base64(sha1('dGhlIHNhbXBsZSBub25jZQ==' + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')));",
      "console.log('bytes:', base64(sha1(new Uint8Array([0x61, 0x62, 0x63]))), base64('é'));",
    ].join('\n'),
  );
  await run(page);
  await showConsole(page);
  await expect(consoleList(page)).toContainText('runner secure: false undefined');
  // RFC 6455 §1.3's example handshake.
  await expect(consoleList(page)).toContainText('accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  // RFC 3174's test vector "abc" (a9993e36…d89d), and a string taken as its UTF-8 bytes (C3 A9).
  await expect(consoleList(page)).toContainText('bytes: qZk+NkcGgWq6PiVxeFDCbJzQ2J0= w6k=');
});

test("lesson 8's exercise passes with its solution on plain http, hashing with sha1()", async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/en/lessons/08-websocket-handshake/');
  await expectInsecure(page);
  await page.locator('.pg-step-select').selectOption('accept');
  await loadSolution(page);
  await run(page);
  await expect(page.locator('.exercise-card')).toHaveAttribute('data-state', 'pass', { timeout: 45_000 });
  await showConsole(page);
  await expect(consoleList(page)).toContainText('SHA-1 by sha1() (not a secure context)');
  await expect(consoleList(page)).toContainText('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  await stop(page);
});

test('a share link is copied without navigator.clipboard, and opens with its code', async ({
  page,
  context,
}) => {
  test.slow(); // two pages load the editor: more than 30 s on a busy machine
  await openLesson(page);
  await expectInsecure(page);
  const marker = `// shared from the LAN ${Date.now()}`;
  await setCode(page, `${marker}\nawait fetch('time');`);
  await page.locator('.pg-share').click();
  const link = page.locator('.pg-share-url');
  await expect(link).toHaveValue(/^http:\/\/lan\.test:\d+\/en\/lessons\/01-reading-the-wire\/#step=.+&code=/);
  await expect(page.locator('.pg-share-text')).toHaveText(/^Link copied/);
  const url = await link.inputValue();

  // What was copied is the link: paste it into a field of the page.
  await page.locator('.pg-share-close').click();
  await page.locator('.search-open').click();
  const search = page.locator('.search-input');
  await search.focus();
  await page.keyboard.press('ControlOrMeta+V');
  await expect(search).toHaveValue(url);
  await page.keyboard.press('Escape');

  const other = await context.newPage();
  await other.goto(url);
  await waitForEditor(other);
  await expect(other.locator('.pg-notice')).toBeVisible();
  await expect(other.locator('.monaco-host .view-lines')).toContainText('shared from the LAN');
});

test("the inspector's Copy hex works without navigator.clipboard", async ({ page }) => {
  await openLesson(page);
  await expectInsecure(page);
  await setCode(page, "await fetch('time');");
  await run(page);
  await expect(page.locator('.cl-row')).toHaveCount(1, { timeout: 15_000 });
  await page.locator('.ft-row').first().click();
  await expect(page.locator('.bv-hex .b.sel').first()).toBeVisible();
  await page.getByRole('button', { name: 'Copy hex' }).click();
  await expect(page.locator('.insp-toast')).toContainText('as hex');
  const filter = page.locator('.insp-filter');
  await filter.focus();
  await page.keyboard.press('ControlOrMeta+V');
  await expect(filter).toHaveValue(/^47 45 54 20/); // "GET "
});

// Every step of every lesson, in English: each step's starter puts on the wire what the step
// promises, and the exercise passes only with its solution. This is the English walk of the
// suite; the Chinese one (zh-everywhere.spec.ts) runs on 127.0.0.1, so both origins see every lesson.
for (const slug of lessons) {
  test(`${slug}: every step and the exercise work on plain http`, async ({ page }) => {
    test.setTimeout(180_000);
    await walkLesson(page, slug, 'en');
    await expectInsecure(page);
  });
}
