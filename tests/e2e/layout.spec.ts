/**
 * At home on every screen: on a phone (390 px) the lesson's title is in the first screen, no page
 * scrolls sideways (wide tables scroll in their own box), the inspector's toolbar fits, and the
 * header's "Join a class" and "Projector" are reachable; on a 1280×800 desktop the inspector's
 * column headers and field labels are not cut off after a Run, and each connection shows the bytes
 * it sent and received. A teacher's dashboard at 1024, 768 and 390 px keeps its header in one row
 * and its learners table readable. Toolbar buttons of the playground, the inspector and the class
 * bar share one look. Screenshots are saved in test-results/.
 */
import fs from 'node:fs';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { lessonAfterEveryKind } from './every-kind.ts';
import { joinClass, openLesson, run, startClass, stop } from './helpers.ts';
import { lessons } from './lesson-walk.ts';

const PHONE = { width: 390, height: 844 };
const SHOTS = 'test-results/layout';

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage });
}

/** How far the page scrolls sideways (0 when it does not). */
const sidewaysOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** The elements that stick out of the page on the right, for a failure message. */
const stickingOut = (page: Page) =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5 && el.getClientRects().length > 0)
      .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 0.5)
      .slice(0, 5)
      .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}"> ${el.textContent?.slice(0, 40)}`);
  });

/** Elements among `selector` whose text is cut (wider than their box), with their text. */
async function truncated(scope: Locator, selector: string): Promise<string[]> {
  return scope
    .locator(selector)
    .evaluateAll((els) =>
      els
        .filter((el) => (el as HTMLElement).offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
        .map((el) => `${el.className}: "${el.textContent}" (${el.scrollWidth} > ${el.clientWidth})`),
    );
}

/** The connection list's headers shown that the timeline's zoom buttons cover, or that stick out of the list. */
const headsCoveredOrOut = (page: Page) =>
  page.locator('.cl-head').evaluate((head) => {
    const zoom = document.querySelector('.insp-zoom')?.getBoundingClientRect();
    const list = head.getBoundingClientRect();
    return [...head.querySelectorAll<HTMLElement>(':scope > span:not(.cl-lane)')]
      .filter((el) => el.offsetParent !== null && el.textContent !== '')
      .map((el) => {
        const r = el.getBoundingClientRect();
        const covered = !!zoom && r.right > zoom.left + 0.5 && r.left < zoom.right - 0.5;
        return { header: el.textContent, covered, inside: r.right <= list.right + 0.5 };
      })
      .filter((h) => h.covered || !h.inside);
  });

test.describe('on a phone (390 px)', () => {
  test.use({ viewport: PHONE, hasTouch: true, isMobile: true });

  for (const lang of ['en', 'zh'] as const) {
    test(`the lesson title is in the first screen, the lesson list one tap away (${lang})`, async ({
      page,
    }) => {
      await page.goto(`/${lang}/lessons/01-reading-the-wire/`);
      const title = page.getByRole('heading', { level: 1 });
      const box = await title.boundingBox();
      expect(box, 'the title is laid out').not.toBeNull();
      expect(box!.y + box!.height, 'the title ends within the first screen').toBeLessThanOrEqual(
        PHONE.height,
      );
      const list = page.locator('.lesson-sidebar ol');
      await expect(list).toBeHidden();
      await shot(page, `phone-lesson-${lang}`);
      await page.locator('.lesson-sidebar summary').click();
      await expect(list).toBeVisible();
      // One link per lesson folder: the count follows the course as lessons are added.
      await expect(list.getByRole('link')).toHaveCount(lessons.length);
    });
  }

  for (const path of [
    '/en/',
    '/zh/',
    '/en/lessons/10-choosing/',
    '/zh/lessons/10-choosing/',
    '/en/reference/',
    '/zh/reference/',
    '/en/glossary/',
    '/en/class/join/',
    '/en/class/teacher/',
  ]) {
    test(`${path} does not scroll sideways; wide tables scroll in their own box`, async ({ page }) => {
      await page.goto(path);
      await expect(page.locator('h1').first()).toBeVisible();
      expect(
        await sidewaysOverflow(page),
        `${path} scrolls sideways: ${await stickingOut(page)}`,
      ).toBeLessThanOrEqual(0);
      // Every table stays inside the page; one wider than the screen scrolls inside its box.
      const tables = await page.locator('main table').evaluateAll((els) =>
        els.map((el) => {
          const r = el.getBoundingClientRect();
          const style = getComputedStyle(el);
          return {
            left: r.left,
            right: r.right,
            scrolls: el.scrollWidth > el.clientWidth,
            overflowX: style.overflowX,
          };
        }),
      );
      for (const t of tables) {
        expect(t.left).toBeGreaterThanOrEqual(0);
        expect(t.right).toBeLessThanOrEqual(PHONE.width);
        if (t.scrolls) expect(t.overflowX).toBe('auto');
      }
      if (path.includes('10-choosing') || path.includes('reference')) {
        expect(tables.length, `${path} has its tables`).toBeGreaterThan(0);
        await page.locator('main table').first().scrollIntoViewIfNeeded();
        await shot(page, `phone${path.replaceAll('/', '-').replace(/-$/, '')}-table`);
      }
    });
  }

  test('after a Run the lesson does not scroll sideways and the inspector toolbar fits', async ({ page }) => {
    test.slow(); // three live connections, on a busy machine
    await lessonAfterEveryKind(page, 'zh');
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    const toolbar = page.locator('.insp-toolbar');
    await toolbar.scrollIntoViewIfNeeded();
    const fits = await toolbar.evaluate((bar) => {
      const box = bar.getBoundingClientRect();
      const out = [...bar.querySelectorAll<HTMLElement>(':scope > *')]
        .filter((el) => el.offsetParent !== null)
        .filter((el) => {
          const r = el.getBoundingClientRect();
          return r.left < box.left - 0.5 || r.right > box.right + 0.5;
        })
        .map((el) => el.className);
      return { overflow: bar.scrollWidth - bar.clientWidth, out };
    });
    expect(fits, 'every control of the inspector toolbar is inside it').toEqual({ overflow: 0, out: [] });
    // The playground's own toolbar too: Reset, Solution and Share keep their words and fit.
    const pgOut = await page.locator('.pg-toolbar').evaluate((bar) => bar.scrollWidth - bar.clientWidth);
    expect(pgOut).toBeLessThanOrEqual(0);
    // The timeline's zoom buttons sit over the timeline's own head, never over a column header,
    // and every header shown is inside the list.
    expect(await headsCoveredOrOut(page), 'column headers covered by the zoom buttons or cut off').toEqual(
      [],
    );
    await page.locator('.playground').scrollIntoViewIfNeeded();
    await shot(page, 'phone-playground-after-run-zh');
  });

  test('"Join a class" and "Projector" are on screen and open', async ({ page }) => {
    await page.goto('/en/lessons/01-reading-the-wire/');
    for (const name of ['Join a class', 'Projector']) {
      const button = page.getByRole('button', { name, exact: true });
      await expect(button).toBeVisible();
      const box = await button.boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
      expect(box!.width, `${name} is big enough to tap`).toBeGreaterThanOrEqual(24);
    }
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    await shot(page, 'phone-header');
    await page.getByRole('button', { name: 'Join a class', exact: true }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Projector', exact: true }).click();
    await expect(page.locator('html')).toHaveAttribute('data-projector', '');
  });
});

/** Header items that leave the screen, or take more than one line, at this width. */
const headerOutOfRow = (page: Page) =>
  page.locator('.site-header').evaluate((header) => {
    const width = document.documentElement.clientWidth;
    const items = [
      ...header.querySelectorAll<HTMLElement>(':scope > .brand, :scope > .nav a, :scope > .tools > *'),
    ];
    return items
      .filter((el) => el.getClientRects().length > 0)
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.left < -0.5 || r.right > width + 0.5 || r.height > 44;
      })
      .map(
        (el) =>
          `<${el.tagName.toLowerCase()} class="${el.className}"> ${el.textContent?.trim().slice(0, 30)}`,
      );
  });

test('a teacher on a tablet or a phone: the header keeps one row, the learners table stays readable', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const { dashboard, code } = await startClass(browser);
  const learners = [];
  for (const name of ['Ada', 'Grace Hopper-Lovelace']) learners.push(await joinClass(browser, code, name));
  await expect(dashboard.locator('.td-learners tbody tr')).toHaveCount(2, { timeout: 15_000 });
  for (const [width, height] of [
    [1024, 768],
    [768, 1024],
    [PHONE.width, PHONE.height],
  ] as const) {
    await dashboard.setViewportSize({ width, height });
    expect(await headerOutOfRow(dashboard), `header at ${width} px`).toEqual([]);
    expect(
      await sidewaysOverflow(dashboard),
      `${width} px: ${await stickingOut(dashboard)}`,
    ).toBeLessThanOrEqual(0);
    // Each column keeps room for a word: the names read whole, not a letter to a line.
    const box = dashboard.locator('.td-learners .td-table');
    const [boxRect, firstColumn] = await Promise.all([
      box.evaluate((el) => ({
        ...el.getBoundingClientRect().toJSON(),
        scrolls: el.scrollWidth > el.clientWidth,
      })),
      dashboard
        .locator('.td-learners th')
        .first()
        .evaluate((el) => el.getBoundingClientRect().width),
    ]);
    expect(boxRect.right).toBeLessThanOrEqual(width);
    expect(firstColumn, `the name column at ${width} px`).toBeGreaterThanOrEqual(110);
    if (boxRect.scrolls) expect(await box.evaluate((el) => getComputedStyle(el).overflowX)).toBe('auto');
    await shot(dashboard, `teacher-${width}`, width === PHONE.width);
  }
  for (const p of [dashboard, ...learners]) await p.context().close();
});

test.describe('on a 1280×800 desktop', () => {
  for (const lang of ['en', 'zh'] as const) {
    test(`after a Run the inspector's column headers and field labels are whole (${lang})`, async ({
      page,
    }) => {
      test.slow();
      await lessonAfterEveryKind(page, lang);
      const insp = page.locator('.insp');
      expect(await truncated(insp, '.cl-head > span')).toEqual([]);
      // The panel beside the editor (≈ 510 px here, as on a projector) keeps each connection's
      // byte counts, and the zoom buttons still cover no header.
      await expect(insp.locator('.cl-row .cl-up').first()).toBeVisible();
      await expect(insp.locator('.cl-row .cl-down').first()).toBeVisible();
      expect(await headsCoveredOrOut(page)).toEqual([]);
      const labels = page.locator('.ft-label');
      await expect(labels.first()).toBeVisible();
      expect(await truncated(insp, '.ft-label')).toEqual([]);
      await shot(page, `desktop-after-run-${lang}`);
    });
  }

  for (const lang of ['en', 'zh'] as const) {
    test(`the run status is whole beside Reset, Solution and Share (${lang})`, async ({ page }) => {
      test.slow();
      // Lesson 4's first step has a solution (all three labelled buttons) and keeps a stream
      // open after its code finished: the longest status there is.
      await openLesson(page, `/${lang}/lessons/04-comet-xhr-streaming/`);
      await expect(page.locator('.pg-solution')).toBeVisible();
      await run(page);
      const status = page.locator('.pg-status');
      await expect(page.locator('.playground')).toHaveAttribute('data-run', 'open', { timeout: 20_000 });
      await expect(status).toContainText(lang === 'en' ? 'still open' : '还有 1 个连接');
      expect(await truncated(page.locator('.pg-toolbar'), '.pg-status')).toEqual([]);
      await shot(page, `desktop-status-${lang}`);
      await stop(page);
    });
  }

  test('toolbar buttons of the playground, the inspector and the class bar share one look', async ({
    page,
  }) => {
    test.slow();
    await lessonAfterEveryKind(page, 'en');
    // The class bar's buttons, as a learner in a class sees them (ClassBar.astro shows them then).
    await page.evaluate(() => {
      document.documentElement.setAttribute('data-class-bar', '');
      for (const b of document.querySelectorAll<HTMLElement>(
        '.class-bar, .class-bar .cb-go, .class-bar .cb-hand-in',
      ))
        b.hidden = false;
    });
    const look = (locator: Locator) =>
      locator.evaluate((el) => {
        const s = getComputedStyle(el);
        return {
          height: s.height,
          radius: s.borderTopLeftRadius,
          border: s.borderTopWidth,
          fontSize: s.fontSize,
          fontWeight: s.fontWeight,
        };
      });
    const base = await look(page.locator('.pg-reset'));
    for (const selector of [
      '.pg-run',
      '.pg-share',
      '.insp-pause',
      '.insp-menu > summary',
      '.cb-go',
      '.cb-hand-in',
    ]) {
      expect(await look(page.locator(selector).first()), selector).toEqual(base);
    }
    await page.locator('.pg-toolbar').scrollIntoViewIfNeeded();
    await shot(page, 'toolbar-buttons');
  });
});
