/**
 * What a room sees on the projector, measured and photographed at the sizes projectors have:
 * the lesson in projector mode after a Run (bytes and decoded fields in view, in large type, a
 * one-line header), and the teacher's dashboard with a busy class (nothing spills out of its card).
 * The screenshots are kept in test-results/ (and attached to the report) to be looked at.
 */
import { expect, type Page, test } from '@playwright/test';
import WebSocket from 'ws';
import { Channel, join, StreamReader } from '../server/class-harness.ts';
import { run, waitForEditor } from './helpers.ts';

test.use({ trace: 'off' });

/** How many rows of `rows` lie wholly inside `pane`, as drawn on screen. */
function rowsInView(page: Page, pane: string, rows: string): Promise<number> {
  return page.evaluate(
    ([pane, rows]) => {
      const box = document.querySelector(pane)?.getBoundingClientRect();
      if (!box) return 0;
      return [...document.querySelectorAll(rows)].filter((row) => {
        const r = row.getBoundingClientRect();
        return r.height > 0 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
      }).length;
    },
    [pane, rows] as const,
  );
}

/** The height on screen, in device pixels, of the glyphs of the first element matching `selector`. */
function glyphHeight(page: Page, selector: string): Promise<number> {
  return page.evaluate((selector) => {
    const el = document.querySelector(selector);
    if (!el) return 0;
    const range = document.createRange();
    range.selectNodeContents(el);
    return range.getBoundingClientRect().height;
  }, selector);
}

/** Every text in `root` that the browser broke over more than one line (an empty list: none did). */
function wrappedTexts(page: Page, root: string): Promise<string[]> {
  return page.evaluate((root) => {
    const wrapped: string[] = [];
    const walker = document.createTreeWalker(
      document.querySelector(root) ?? document.body,
      NodeFilter.SHOW_TEXT,
    );
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim();
      if (!text) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set(
        [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)),
      );
      if (lines.size > 1) wrapped.push(text);
    }
    return wrapped;
  }, root);
}

test.describe('projector mode', () => {
  for (const [width, height] of [
    [1024, 768],
    [1280, 720],
    [1920, 1080],
  ] as const) {
    test(`at ${width}×${height}, after a Run: 8 rows of bytes and of decoded fields in large type, a one-line header`, async ({
      page,
    }, info) => {
      test.setTimeout(60_000);
      await page.setViewportSize({ width, height });
      await page.goto('/en/lessons/01-reading-the-wire/?projector=1');
      await waitForEditor(page);
      await run(page);
      await expect(page.locator('.cl-row')).toHaveCount(1, { timeout: 15_000 });
      await expect(page.locator('.bv-row.bv-data').first()).toBeVisible();
      await expect(page.locator('.ft-row').first()).toBeVisible();

      const header = await wrappedTexts(page, '.site-header');
      expect(header, 'header texts broken over two lines').toEqual([]);
      const headerBox = await page.locator('.site-header').boundingBox();
      const brandBox = await page.locator('.site-header .brand').boundingBox();
      // One row: everything in the header sits within the brand's line.
      expect(headerBox?.height ?? 0).toBeLessThan((brandBox?.height ?? 0) * 2.2);

      const bytes = await rowsInView(page, '.bv-scroll', '.bv-row.bv-data');
      const fields = await rowsInView(page, '.ft', '.ft-row');
      expect(bytes, 'rows of bytes in view').toBeGreaterThanOrEqual(8);
      expect(fields, 'rows of the decoded tree in view').toBeGreaterThanOrEqual(8);
      // Large type: hex digits at least 16 device pixels tall (the normal layout draws ≈ 15 at 12.5 px).
      const hex = await glyphHeight(page, '.bv-hex .b');
      const field = await glyphHeight(page, '.ft-row .ft-label');
      expect(hex).toBeGreaterThanOrEqual(17);
      expect(field).toBeGreaterThanOrEqual(17);
      // Nothing scrolls sideways or past the screen.
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth - innerWidth),
      ).toBeLessThanOrEqual(0);
      expect(
        await page.evaluate(() => document.documentElement.scrollHeight - innerHeight),
      ).toBeLessThanOrEqual(0);

      const measured = `${width}×${height}: ${bytes} byte rows, ${fields} tree rows, glyphs ${hex.toFixed(1)} / ${field.toFixed(1)} px, header ${headerBox?.height} px`;
      info.annotations.push({ type: 'measured', description: measured });
      console.log(measured);
      const file = info.outputPath(`projector-${width}x${height}.png`);
      await page.screenshot({ path: file });
      await info.attach(`projector-${width}x${height}`, { path: file, contentType: 'image/png' });
    });
  }
});

test.describe('projector layouts', () => {
  test('on a wide screen the editor sits beside the output; its splitter moves sideways and is remembered apart', async ({
    page,
  }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto('/en/lessons/01-reading-the-wire/?projector=1');
    await waitForEditor(page);
    const splitter = page.locator('.pg-splitter-main');
    await expect(splitter).toHaveAttribute('aria-orientation', 'vertical');
    await expect(splitter).toHaveAttribute('aria-valuenow', '40');
    const top = page.locator('.pg-top');
    const bottom = page.locator('.pg-bottom');
    const before = await top.boundingBox();
    const output = await bottom.boundingBox();
    expect(before && output && before.x + before.width <= output.x).toBe(true);
    expect(Math.abs((before?.y ?? 0) - (output?.y ?? 1))).toBeLessThan(1);

    await splitter.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect(splitter).toHaveAttribute('aria-valuenow', '50');
    expect((await top.boundingBox())?.width ?? 0).toBeGreaterThan((before?.width ?? 0) + 50);
    await page.reload();
    await waitForEditor(page);
    await expect(splitter).toHaveAttribute('aria-valuenow', '50');

    // Out of projector mode: stacked again, at the page's own share (untouched by the above).
    await page.getByRole('button', { name: 'Leave projector mode' }).click();
    await expect(splitter).toHaveAttribute('aria-orientation', 'horizontal');
    await expect(splitter).toHaveAttribute('aria-valuenow', '42');
    const stackedTop = await top.boundingBox();
    const stackedBottom = await bottom.boundingBox();
    expect((stackedTop?.y ?? 0) + (stackedTop?.height ?? 0)).toBeLessThanOrEqual(stackedBottom?.y ?? 0);
  });
});

test.describe("the teacher's dashboard", () => {
  test('with a busy class, fits at 1280 to 1920 px: no table wider than its card', async ({
    page,
    baseURL,
  }, info) => {
    test.setTimeout(90_000);
    const base = baseURL ?? '';
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto('/en/class/teacher/');
    await page.getByRole('button', { name: 'Start a class' }).click();
    await expect(page.locator('.td-code')).toHaveText(/^[A-HJKMNP-Z2-9]{6}$/);
    const code = (await page.locator('.td-code').textContent()) ?? '';

    // Learners with the longest names the class allows, on lessons with long titles, with a
    // connection of every kind open, exercises passed and code handed in.
    const names = [
      'Maximiliane Alexandra von Hohenzollern-S', // 40 characters: the longest name allowed
      'Ada Lovelace',
      '欧阳诗涵',
      'Jean-Baptiste Dupont-Aignan de la Tour',
      'Grace Hopper',
      'Bartholomew Featherstonehaugh-Worthingt',
    ];
    const lessonsOf = [
      '08-websocket-handshake',
      '04-comet-xhr-streaming',
      '07-sse-in-depth',
      '03-long-polling',
    ];
    const closers: Array<() => void> = [];
    const port = Number(new URL(base).port);
    for (const [i, name] of names.entries()) {
      const session = `dash${i}${Math.random().toString(36).slice(2, 12)}`;
      const { learner } = await join(base, code, name, session);
      const bar = new Channel(`${base.replace('http', 'ws')}/class/${code}/ws`);
      await bar.opened;
      bar.send({
        type: 'hello',
        role: 'learner',
        token: learner.token,
        session,
        lesson: lessonsOf[i % lessonsOf.length],
      });
      await bar.next('welcome');
      closers.push(() => bar.close());
      if (i < 3) {
        // A long poll is held only when nothing is newer than its `since`.
        const { last } = (await (await fetch(`${base}/lab/${session}/news`)).json()) as { last: number };
        for (const path of ['sse', 'stream', `poll?since=${last}&timeout=60000`]) {
          const reader = new StreamReader(port, `/lab/${session}/${path}`);
          closers.push(() => reader.close());
        }
        const ws = new WebSocket(`${base.replace('http', 'ws')}/lab/${session}/ws`);
        ws.on('error', () => {}); // closed by the server when the class ends: nothing to report
        closers.push(() => ws.close());
        await fetch(`${base}/lab/${session}/time`);
      }
      for (const lesson of lessonsOf.slice(0, i + 1)) bar.send({ type: 'check', lesson, passed: true });
      bar.send({
        type: 'hand-in',
        lesson: lessonsOf[i % lessonsOf.length],
        step: 'accept',
        code: `// ${name}\nconst ws = new WebSocket('echo');\n`,
      });
    }
    await expect(page.locator('.td-learners tbody tr')).toHaveCount(names.length, { timeout: 15_000 });
    await expect(page.locator('.td-learners .td-chip[data-key="websocket"]').first()).toBeVisible({
      timeout: 15_000,
    });

    try {
      for (const width of [1280, 1400, 1600, 1920]) {
        await page.setViewportSize({ width, height: 1000 });
        const fit = await page.evaluate(() => {
          const card = document.querySelector<HTMLElement>('.td-learners')!;
          const table = card.querySelector('table')!;
          const cardBox = card.getBoundingClientRect();
          const cells = [...card.querySelectorAll('th, td')].map((c) => c.getBoundingClientRect());
          const side = document.querySelector('.td-side')!.getBoundingClientRect();
          return {
            scroll: table.scrollWidth,
            room: card.clientWidth,
            cellsInside: cells.every((c) => c.right <= cardBox.right + 0.5),
            clearOfSide: cardBox.right <= side.left,
            page: document.documentElement.scrollWidth - innerWidth,
          };
        });
        expect(fit.scroll, `table width at ${width} px`).toBeLessThanOrEqual(fit.room);
        expect(fit.cellsInside, `every cell inside the learners card at ${width} px`).toBe(true);
        expect(fit.clearOfSide, `the learners card clear of the hand-ins at ${width} px`).toBe(true);
        expect(fit.page).toBeLessThanOrEqual(0);
        const file = info.outputPath(`dashboard-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        await info.attach(`dashboard-${width}`, { path: file, contentType: 'image/png' });
      }
    } finally {
      for (const close of closers) close();
    }
  });
});
