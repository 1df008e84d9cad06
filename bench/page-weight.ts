/**
 * Scenario 4: what a lesson page costs to open. The JavaScript and CSS it loads before the editor
 * is touched and after (gzip -9 of the built files the browser fetched, as the 60 KB budget counts
 * them, and the bytes that crossed the wire), and how soon the lesson text is drawn (First
 * Contentful Paint, Largest Contentful Paint), each page load in a fresh browser context (cold
 * cache).
 *
 * "Before the editor": on a 390 px phone the playground starts below the lesson text, and
 * Monaco waits until it is scrolled near; on a 1280 px desktop the playground is in view and the
 * editor loads as soon as the page is idle, so only the phone shows the page without it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { Browser, Page } from '@playwright/test';
import { LESSON } from './browser-latency.ts';
import { launchChromium } from './chromium.ts';
import { median } from './stats.ts';

const clientDir = fileURLToPath(new URL('../dist/client/', import.meta.url));

export interface Weight {
  /** gzip -9 of the files, bytes. */
  jsGzip: number;
  cssGzip: number;
  /** Bytes on the wire (the server compresses with brotli or gzip when asked). */
  jsWire: number;
  cssWire: number;
  files: string[];
}

export interface PageWeightResult {
  lesson: string;
  /** Phone, after the page loaded and the network went idle, the editor untouched. */
  beforeEditor: Weight;
  /** Phone, after scrolling to the playground: Monaco, its workers and CSS. */
  withEditor: Weight;
  /** Median over `loads` cold loads, ms. */
  phone: { fcp: number; lcp: number };
  desktop: { fcp: number; lcp: number };
  loads: number;
}

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

export async function runPageWeight(
  base: string,
  loads: number,
  log: (t: string) => void,
): Promise<PageWeightResult> {
  const browser = await launchChromium();
  try {
    const { beforeEditor, withEditor } = await weigh(browser, base);
    const phone: Array<{ fcp: number; lcp: number }> = [];
    const desktop: Array<{ fcp: number; lcp: number }> = [];
    for (let i = 0; i < loads; i++) {
      phone.push(await paints(browser, base, PHONE));
      desktop.push(await paints(browser, base, DESKTOP));
    }
    const result = {
      lesson: LESSON,
      beforeEditor,
      withEditor,
      phone: { fcp: median(phone.map((p) => p.fcp)), lcp: median(phone.map((p) => p.lcp)) },
      desktop: { fcp: median(desktop.map((p) => p.fcp)), lcp: median(desktop.map((p) => p.lcp)) },
      loads,
    };
    log(
      `page weight: ${(beforeEditor.jsGzip / 1024).toFixed(1)} KB JS gzip before the editor, FCP ${result.desktop.fcp.toFixed(0)} ms (desktop)`,
    );
    return result;
  } finally {
    await browser.close();
  }
}

/** Loads the lesson on a phone, then scrolls to the playground; what was fetched at each point. */
async function weigh(browser: Browser, base: string): Promise<{ beforeEditor: Weight; withEditor: Weight }> {
  const context = await browser.newContext({ viewport: PHONE });
  try {
    const page = await context.newPage();
    const fetched = new Map<string, number>(); // pathname → bytes on the wire
    const note = async (url: string, wire: () => Promise<number>) => {
      const pathname = new URL(url).pathname;
      if (!/\.(m?js|css)$/.test(pathname)) return;
      fetched.set(pathname, fetched.get(pathname) ?? 0);
      const bytes = await wire().catch(() => 0);
      fetched.set(pathname, Math.max(fetched.get(pathname) ?? 0, bytes));
    };
    const pending: Array<Promise<void>> = [];
    page.on('requestfinished', (req) => {
      pending.push(note(req.url(), async () => (await req.sizes()).responseBodySize));
    });
    page.on('worker', (worker) => pending.push(note(worker.url(), async () => 0)));
    await page.goto(base + LESSON);
    await page.waitForLoadState('networkidle');
    await Promise.all(pending);
    const editor = await page.locator('.playground').getAttribute('data-editor');
    if (editor !== 'fallback')
      throw new Error(`the editor loaded before the playground was reached (${editor})`);
    const beforeEditor = weight(fetched);

    await page.locator('.playground').scrollIntoViewIfNeeded();
    await page.locator('.playground[data-editor="monaco"]').waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(1_000); // the TypeScript worker starts once the model is up
    await Promise.all(pending);
    return { beforeEditor, withEditor: weight(fetched) };
  } finally {
    await context.close();
  }
}

function weight(fetched: Map<string, number>): Weight {
  const w: Weight = { jsGzip: 0, cssGzip: 0, jsWire: 0, cssWire: 0, files: [] };
  for (const [pathname, wire] of fetched) {
    const file = path.join(clientDir, pathname);
    const gz = fs.existsSync(file) ? zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length : 0;
    if (pathname.endsWith('.css')) {
      w.cssGzip += gz;
      w.cssWire += wire;
    } else {
      w.jsGzip += gz;
      w.jsWire += wire;
    }
    w.files.push(pathname);
  }
  return w;
}

/** One cold load: First and Largest Contentful Paint, ms from navigation start. */
async function paints(browser: Browser, base: string, viewport: { width: number; height: number }) {
  const context = await browser.newContext({ viewport });
  try {
    const page: Page = await context.newPage();
    await page.goto(base + LESSON, { waitUntil: 'load' });
    return await page.evaluate(
      () =>
        new Promise<{ fcp: number; lcp: number }>((resolve) => {
          const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN;
          let lcp = Number.NaN;
          new PerformanceObserver((list) => {
            lcp = list.getEntries().at(-1)?.startTime ?? lcp;
          }).observe({ type: 'largest-contentful-paint', buffered: true });
          setTimeout(() => resolve({ fcp, lcp }), 200);
        }),
    );
  } finally {
    await context.close();
  }
}
