/**
 * A lesson page after a Run of every kind of connection the inspector draws: a fetch, a POST
 * upload, an SSE stream and a WebSocket, the SSE connection selected so its bytes and fields
 * show. The page the accessibility and layout specs look at.
 */
import { expect, type Page } from '@playwright/test';
import { openLesson, run, setCode, stop } from './helpers.ts';

const SNIPPET = [
  "const res = await fetch('time');",
  "console.log('fetch', await res.text());",
  "await fetch('send', { method: 'POST', body: 'hello' });",
  "const es = new EventSource('sse?count=2');",
  "es.addEventListener('tick', (e) => { console.log('tick', e.data); });",
  "const ws = new WebSocket('echo');",
  "ws.onopen = () => ws.send('ping');",
  "ws.onmessage = (e) => { console.log('echo', e.data); ws.close(1000, 'bye'); };",
].join('\n');

/** Opens lesson 1 in `lang`, runs the snippet, selects the SSE connection and stops. */
export async function lessonAfterEveryKind(page: Page, lang: 'en' | 'zh'): Promise<void> {
  await openLesson(page, `/${lang}/lessons/01-reading-the-wire/`);
  await setCode(page, SNIPPET);
  await run(page);
  await expect(page.locator('.insp')).toBeVisible();
  for (const path of ['time', 'sse', 'echo'])
    await expect(page.locator('.cl-row', { hasText: path }).first()).toBeVisible({ timeout: 20_000 });
  await page.locator('.cl-row', { hasText: 'sse' }).first().click();
  await expect(page.locator('.ft-row').first()).toBeVisible();
  await stop(page);
}
