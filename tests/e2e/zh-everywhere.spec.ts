/**
 * Chinese all the way down: after each step of every zh lesson has run (lesson-walk.ts), the
 * visible text of the lesson page, the playground, the console and the inspector — with the
 * decoded tree of each connection — and every aria-label, title and placeholder hold no English
 * words outside code (pre/code blocks, the editor, the server code, the bytes and the decoded
 * values), header names, protocol tokens and the allow-lists of tests/helpers/english-words.ts.
 * The failure lists each word, where it was and the text around it.
 *
 * Screenshots of lessons 04, 06 and 09 after a Run, the inspector showing a decoded tree, go to
 * test-results/ (zh-<lesson>.png).
 */
import fs from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { isVerbatimKind } from '../../src/playground/inspector/wire-text.ts';
import { englishWords, labelIsBytes } from '../helpers/english-words.ts';
import { lessons, walkLesson } from './lesson-walk.ts';

test.describe.configure({ mode: 'parallel' });

/** Never checked: code, the editor, the learner's page, the bytes and the values decoded from them. */
const CODE =
  'pre, code, kbd, samp, script, style, textarea, .monaco-host, .pg-editor, .pg-server-file, .bv, .ft-value, .wire-preview .hex, iframe';

interface Seen {
  where: string;
  text: string;
  /** For a decoded-tree label: its field's kind. */
  kind?: string;
}

/** Visible text (by region) and the accessible names and tooltips of the page, outside code. */
async function pageTexts(page: Page): Promise<Seen[]> {
  return page.evaluate((code) => {
    const regions: [string, string][] = [
      ['.pg-console-list', 'console'],
      ['.ft', 'inspector tree'],
      ['.insp', 'inspector'],
      ['.playground', 'playground'],
      ['.exercise-card', 'exercise card'],
      ['.lesson-text', 'lesson text'],
      ['.lesson-nav', 'lesson list'],
      ['header', 'header'],
    ];
    const regionOf = (el: Element) => regions.find(([sel]) => el.closest(sel))?.[1] ?? 'page';
    // Another language's words, marked as such (the language switch: lang="en").
    const foreign = (el: Element) => !/^zh/.test(el.closest('[lang]')?.getAttribute('lang') ?? 'zh');
    const out: { where: string; text: string; kind?: string }[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim();
      if (!el || !text || el.closest(code) || foreign(el)) continue;
      if (!el.checkVisibility({ visibilityProperty: true })) continue;
      const kind = el.closest('.ft-label') ? el.closest<HTMLElement>('.ft-row')?.dataset.kind : undefined;
      out.push(kind ? { where: regionOf(el), text, kind } : { where: regionOf(el), text });
    }
    for (const el of document.querySelectorAll(
      '[aria-label], [title], [placeholder], [alt], [aria-description]',
    )) {
      if (el.closest(code) || foreign(el)) continue;
      for (const attr of ['aria-label', 'title', 'placeholder', 'alt', 'aria-description']) {
        const v = el.getAttribute(attr);
        if (v) out.push({ where: `${regionOf(el)} [${attr}] <${el.tagName.toLowerCase()}>`, text: v });
      }
    }
    return out;
  }, CODE);
}

/** The words of `seen` that fail, as "where: word in «text»". */
function offences(seen: Seen[], context: string): string[] {
  const out: string[] = [];
  for (const { where, text, kind } of seen) {
    if (kind && labelIsBytes(kind, text, isVerbatimKind)) continue;
    const words = englishWords(text, true);
    if (words.length > 0) out.push(`${context} · ${where}: ${words.join(', ')} — in «${text.slice(0, 160)}»`);
  }
  return out;
}

/** Every row of the decoded tree, scrolled through (it is virtualised: only rows on screen exist). */
async function treeTexts(page: Page): Promise<Seen[]> {
  const tree = page.locator('.insp .ft');
  const seen: Seen[] = [];
  for (let screen = 0; screen < 25; screen++) {
    seen.push(...(await pageTexts(page)).filter((s) => s.where.startsWith('inspector tree')));
    const more = await tree.evaluate((el) => {
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 2) return false;
      el.scrollTop += el.clientHeight;
      return true;
    });
    if (!more) break;
    await page.waitForTimeout(50); // the virtual list draws the new rows on the next frame
  }
  return seen;
}

const SHOTS: Record<string, string> = {
  '04-comet-xhr-streaming': 'fetch-reader',
  '06-server-sent-events': 'first-events',
  '09-websocket-frames': 'text-frame',
};

for (const slug of lessons) {
  test(`${slug} in Chinese: every step's traffic and the exercise, and no English words on the page, in the console or in the inspector`, async ({
    page,
  }, info) => {
    test.setTimeout(300_000);
    const found: string[] = [];

    await walkLesson(page, slug, 'zh', async (step) => {
      const context = `${slug} step ${step}`;
      // The lesson page, the playground and the inspector as the step left them.
      const inspectorTab = page.locator('#pg-tab-inspector');
      await inspectorTab.click();
      found.push(...offences(await pageTexts(page), context));
      // The decoded tree of each connection (at most 8), selected one by one.
      const rows = page.locator('.insp .cl-row');
      const n = Math.min(await rows.count(), 8);
      for (let i = 0; i < n; i++) {
        await rows.nth(i).click();
        await expect(page.locator('.insp .ft-row').first()).toBeVisible({ timeout: 10_000 });
        await page.locator('.insp .ft-row').first().click(); // the info line shows a field's label and note
        found.push(...offences(await treeTexts(page), `${context} connection ${i + 1}`));
        found.push(
          ...offences(
            (await pageTexts(page)).filter((s) => s.where.startsWith('inspector')),
            `${context} connection ${i + 1}`,
          ),
        );
      }
      if (SHOTS[slug] === step && n > 0) {
        await page.locator('.insp .ft-row').nth(1).click();
        const file = info.outputPath(`zh-${slug}.png`);
        await page.screenshot({ path: file });
        fs.mkdirSync('test-results', { recursive: true });
        fs.copyFileSync(file, `test-results/zh-${slug}.png`);
        await info.attach(`zh-${slug}`, { path: file, contentType: 'image/png' });
      }
      // The console of the step (its own messages and the playground's).
      await page.locator('#pg-tab-console').click();
      found.push(
        ...offences(
          (await pageTexts(page)).filter((s) => s.where === 'console'),
          context,
        ),
      );
      await inspectorTab.click();
    });

    const unique = [...new Set(found)];
    expect(unique, `English words on the zh pages of ${slug}:\n${unique.join('\n')}`).toEqual([]);
  });
}

test('the Chinese home page, its inspector picture included, has no English words', async ({ page }) => {
  await page.goto('/zh/');
  const found = [...new Set(offences(await pageTexts(page), 'home'))];
  expect(found, `English words on /zh/:\n${found.join('\n')}`).toEqual([]);
});

test("Monaco's own words follow the page: a screen reader hears 编辑器 on a zh page, editor on an en one", async ({
  page,
}) => {
  for (const [lang, role] of [
    ['zh', '编辑器'],
    ['en', 'editor'],
  ] as const) {
    await page.goto(`/${lang}/lessons/01-reading-the-wire/`);
    await page.locator('.playground').scrollIntoViewIfNeeded();
    await expect(page.locator('.playground')).toHaveAttribute('data-editor', 'monaco', { timeout: 15_000 });
    await expect(page.locator('.monaco-host [role="textbox"]').first()).toHaveAttribute(
      'aria-roledescription',
      role,
    );
  }
});
