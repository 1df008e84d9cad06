/**
 * Scenario 3: Run → first byte shown. In Chromium, on a lesson page, from the click on Run to the
 * first captured byte of the run's request appearing in the inspector panel.
 *
 * The clock is the page's own (`performance.now()`): the click is dispatched from inside the page
 * and a MutationObserver on the inspector slot sees the panel change, so neither Playwright's nor
 * the DevTools protocol's round trips count. The panel renders once per animation frame; "shown"
 * is the render after which the panel's
 * `data-bytes` (captured bytes it holds, a marker added for this bench) has grown and its hex view
 * has rows (`.bv-row.bv-data`). The pixels follow within that frame.
 *
 * Each Run first stops the previous one (as pressing Run again does), starts the code in a fresh
 * sandboxed runner frame (the spare one the playground loaded ahead, when it is ready: see
 * src/playground/runner.ts), the code fetches `time?run=<n>`, the server captures the request's
 * bytes, and the inspector channel brings them (batched every `inspectorBatchMs`).
 */
import type { Page } from '@playwright/test';
import { launchChromium } from './chromium.ts';
import { median, percentileOf } from './stats.ts';

export const LESSON = '/en/lessons/01-reading-the-wire/';

/** One Run's times, ms from the click. */
export interface RunTiming {
  /** First byte in the panel. */
  total: number;
  /** The playground's `wl-run` event: the previous run stopped, the code prepared, the frame about to be made. */
  runEvent: number;
  /** The runner page (`/runner/`) fully received by the frame; NaN when the Run used a spare loaded before the click. */
  runnerLoaded: number;
  /** The Run started in the spare runner the playground had loaded ahead. */
  spare: boolean;
  /** The run's `fetch('time?run=…')` sent by the learner's code (the runner is up and running it). */
  requestSent: number;
  /** Its response fully received by the runner. */
  responseEnd: number;
}

export interface BrowserLatencyResult {
  runs: number;
  /** The first Run on a fresh page, 2 s after the editor is up (the runner and inspector load meanwhile). */
  firstRun: RunTiming;
  /** The runs after it. */
  timings: RunTiming[];
  median: number;
  p95: number;
  /** Runs (after the first) that started in a spare runner loaded ahead. */
  spareRuns: number;
  /**
   * Medians of the parts, ms: to the `wl-run` event; to the runner page received (runs without a
   * spare only); to the learner's request sent; from that request to the first byte shown (the
   * server, the capture, the inspector channel, the panel's render).
   */
  parts: { runEvent: number; runnerLoaded: number; requestSent: number; requestToShown: number };
}

/** Each run's request is its own, even when the browser reuses the connection of the run before. */
const CODE = "const r = await fetch('time?run=' + Date.now());\nconsole.log(await r.text());";

export async function runBrowserLatency(
  base: string,
  runs: number,
  log: (t: string) => void,
): Promise<BrowserLatencyResult> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(base + LESSON);
    await page.locator('.playground[data-editor="monaco"]').waitFor({ timeout: 30_000 });
    await setCode(page, CODE);
    // The learner's request, as the browser's network stack saw it (wall clock, ms).
    let request: { start: number; end: number } | undefined;
    page.on('requestfinished', (req) => {
      if (!req.url().includes('/time?run=')) return;
      const t = req.timing();
      request = { start: t.startTime, end: t.startTime + t.responseEnd };
    });
    const timed = async (): Promise<RunTiming> => {
      request = undefined;
      const { timing, clickEpochMs } = await timeRun(page);
      for (let i = 0; i < 20 && !request; i++) await page.waitForTimeout(50);
      const r = request as { start: number; end: number } | undefined;
      return {
        ...timing,
        requestSent: r ? r.start - clickEpochMs : Number.NaN,
        responseEnd: r ? r.end - clickEpochMs : Number.NaN,
      };
    };
    // A learner reads the step before the first Run: the playground loads the runner and the
    // inspector meanwhile (src/playground/playground.ts), which the first Run then finds ready.
    await page.waitForTimeout(2_000);
    const firstRun = await timed();
    const timings: RunTiming[] = [];
    for (let i = 0; i < runs; i++) {
      // A learner reads what a Run showed before pressing Run again (the spare runner loads meanwhile).
      await page.waitForTimeout(1_000 + Math.random() * 500);
      timings.push(await timed());
    }
    const totals = timings.map((t) => t.total);
    log(
      `Run → first byte: first ${firstRun.total.toFixed(0)} ms, then median ${median(totals).toFixed(1)} ms over ${runs}`,
    );
    return {
      runs,
      firstRun,
      timings,
      median: median(totals),
      p95: percentileOf(totals, 95),
      spareRuns: timings.filter((t) => t.spare).length,
      parts: {
        runEvent: median(timings.map((t) => t.runEvent)),
        runnerLoaded: median(timings.filter((t) => !t.spare).map((t) => t.runnerLoaded)),
        requestSent: median(timings.map((t) => t.requestSent)),
        requestToShown: median(timings.map((t) => t.total - t.requestSent)),
      },
    };
  } finally {
    await browser.close();
  }
}

/** Replaces the editor's text, as a learner pasting code would. */
async function setCode(page: Page, code: string): Promise<void> {
  await page.locator('.monaco-host').click({ position: { x: 80, y: 12 } }); // the first line, whatever the editor's height
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
}

/** Clicks Run inside the page and times it there; `clickEpochMs` places the click on the wall clock. */
function timeRun(
  page: Page,
): Promise<{ timing: Omit<RunTiming, 'requestSent' | 'responseEnd'>; clickEpochMs: number }> {
  return page.evaluate(
    (timeoutMs) =>
      new Promise<{
        timing: { total: number; runEvent: number; runnerLoaded: number; spare: boolean };
        clickEpochMs: number;
      }>((resolve, reject) => {
        const slot = document.querySelector('.inspector-slot');
        const button = document.querySelector<HTMLButtonElement>('.pg-run');
        if (!slot || !button) return reject(new Error('no inspector slot or Run button on the page'));
        // `data-bytes` on the panel: the captured bytes it holds, updated in the render that draws them.
        const shown = () => Number(slot.querySelector<HTMLElement>('.insp')?.dataset.bytes ?? 0);
        const before = shown();
        const spare = document.querySelector('.runner-spare[data-ready]') !== null;
        performance.clearResourceTimings();
        let runEvent = Number.NaN;
        document.addEventListener('wl-run', () => (runEvent = performance.now() - t0), { once: true });
        const check = () => {
          if (shown() <= before || !slot.querySelector('.bv-row.bv-data')) return;
          const total = performance.now() - t0;
          observer.disconnect();
          clearTimeout(timer);
          const runner = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/runner/')) as
            | PerformanceResourceTiming
            | undefined;
          resolve({
            timing: {
              total,
              runEvent,
              runnerLoaded: runner && !spare ? runner.responseEnd - t0 : Number.NaN,
              spare,
            },
            clickEpochMs: performance.timeOrigin + t0,
          });
        };
        const observer = new MutationObserver(check);
        observer.observe(slot, {
          subtree: true,
          childList: true,
          attributes: true,
          attributeFilter: ['data-bytes'],
        });
        const timer = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`no new byte in the inspector ${timeoutMs} ms after Run (it shows ${shown()})`));
        }, timeoutMs);
        const t0 = performance.now();
        button.click();
      }),
    15_000,
  );
}
