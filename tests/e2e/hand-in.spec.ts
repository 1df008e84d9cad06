/**
 * A hand-in is a learner's code, run by the teacher: it runs in a session of its own, never the
 * teacher's, and leaves the teacher's drafts as they were. Proved with a hostile hand-in that
 * reads its session from `document.baseURI` and posts it to the class room. On a step where the
 * learner writes the server too, the hand-in carries their handler, and the teacher opens both.
 */
import { type Browser, expect, type Page, test } from '@playwright/test';
import {
  joinClass,
  run,
  serverHost,
  serverText,
  setCode,
  setText,
  showConsole,
  startClass,
  waitForEditor,
} from './helpers.ts';

// Three Chromium pages loading the editor: more than the default 30 s on a busy machine.
test.setTimeout(180_000);
test.use({ trace: 'off' });

const LESSON = '06-server-sent-events';
const LESSON_URL = `/en/lessons/${LESSON}/`;

/** Posts the session it runs in to whatever feed that session reads: the class room if it is bound. */
const HOSTILE = [
  'const leaked = document.baseURI; // …/lab/<session>/',
  "fetch('send', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'leak ' + leaked })",
  "  .then((r) => console.log('leaked', leaked, r.status));",
].join('\n');

const TEACHER_DRAFT = "// the teacher's own draft of this step\nconsole.log('mine');";

/**
 * A class started on a teacher's dashboard, and Ada in it with the lesson at `url` open
 * (`before`: what to do to her page before it opens the lesson).
 */
async function adaInClassOn(
  browser: Browser,
  url: string,
  before?: (learner: Page) => Promise<void>,
): Promise<{ dashboard: Page; learner: Page }> {
  const { dashboard, code } = await startClass(browser);
  const learner = await joinClass(browser, code, 'Ada');
  await before?.(learner);
  await learner.goto(url);
  await waitForEditor(learner, 60_000);
  return { dashboard, learner };
}

/** This tab's lab session (src/playground/session.ts). */
const tabSession = (page: Page) => page.evaluate(() => sessionStorage.getItem('wl-session') ?? '');

/** Every draft this browser keeps (src/playground/drafts.ts). */
const drafts = (page: Page) =>
  page.evaluate(() =>
    Object.fromEntries(
      Object.keys(localStorage)
        .filter((k) => k.startsWith('wl-draft:'))
        .map((k) => [k, localStorage.getItem(k)]),
    ),
  );

test('a hand-in runs in a session of its own, never the teacher’s, and leaves the teacher’s drafts alone', async ({
  browser,
}) => {
  // The teacher starts a class, and has a draft of the lesson's first step on a page of the class.
  const { dashboard, code } = await startClass(browser);
  const teacher = await dashboard.context().newPage();
  await teacher.goto(LESSON_URL);
  await expect(teacher.locator('.class-bar')).toBeVisible(); // its session is bound to the class
  await waitForEditor(teacher, 60_000);
  await setCode(teacher, TEACHER_DRAFT);
  const step = await teacher.locator('.pg-step-select').inputValue();
  const draftKey = `wl-draft:${LESSON}:${step}`;
  await expect.poll(async () => (await drafts(teacher))[draftKey]).toBe(TEACHER_DRAFT);
  const teacherDrafts = await drafts(teacher);

  // A learner joins, listens to the class room through their own bound session, and hands in.
  const learner = await joinClass(browser, code, 'Mallory');
  await learner.goto(LESSON_URL);
  await waitForEditor(learner, 60_000);
  const learnerSession = await tabSession(learner);
  await learner.evaluate((session) => {
    const w = window as unknown as { heard: string[] };
    w.heard = [];
    const es = new EventSource(`/lab/${session}/sse`);
    es.addEventListener('chat', (e) => w.heard.push(e.data));
    return new Promise((resolve) => es.addEventListener('open', resolve, { once: true }));
  }, learnerSession);
  await setCode(learner, HOSTILE);
  await learner.getByRole('button', { name: 'Hand in' }).click();
  await expect(learner.locator('.class-bar .cb-message')).toContainText('Handed in at');

  // The teacher opens it from the dashboard, and runs it.
  const open = dashboard.locator('.td-hand-in').first().getByRole('link', { name: 'Open in the playground' });
  await expect(open).toHaveAttribute('href', /&from=hand-in$/);
  const opened = await dashboard.context().newPage();
  await opened.goto((await open.getAttribute('href')) ?? '', { waitUntil: 'domcontentloaded' });
  await expect(opened.locator('.pg-notice')).toContainText('runs in a session of its own');
  await waitForEditor(opened, 60_000);
  await expect(opened.locator('.monaco-host .view-lines')).toContainText('document.baseURI');
  await run(opened);
  await showConsole(opened);
  const line = opened.locator('.pg-console-list').getByText(/^leaked /);
  await expect(line).toBeVisible({ timeout: 15_000 });
  const leaked = /\/lab\/([A-Za-z0-9_-]{8,64})\//.exec((await line.textContent()) ?? '')?.[1] ?? '';

  // The code did learn a session — one nobody else uses.
  // The hand-in's page makes no tab session of its own (it binds none to the class): '' there.
  const teacherSessions = [
    await tabSession(dashboard),
    await tabSession(teacher),
    await tabSession(opened),
  ].filter((s) => s !== '');
  expect(teacherSessions.length).toBeGreaterThanOrEqual(2);
  expect(leaked).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(teacherSessions).not.toContain(leaked);
  expect(leaked).not.toBe(learnerSession);
  // Nothing of the teacher reached the class room: a marker posted after the hand-in's post
  // arrives, and before it nothing named any of the teacher's sessions.
  await learner.evaluate(
    (session) => fetch(`/lab/${session}/send`, { method: 'POST', body: 'marker' }),
    learnerSession,
  );
  await expect
    .poll(() => learner.evaluate(() => (window as unknown as { heard: string[] }).heard))
    .toContain('marker');
  const heard = await learner.evaluate(() => (window as unknown as { heard: string[] }).heard);
  for (const s of teacherSessions) expect(heard.join('\n')).not.toContain(s);

  // The teacher's drafts are as they were: the hand-in was loaded, edited, run, and saved nowhere.
  await opened.locator('.monaco-host').click({ position: { x: 80, y: 12 } });
  await opened.keyboard.insertText('// the teacher fixes a line');
  // Leaving the page saves a pending draft at once (playground.ts): nothing may be saved.
  await opened.evaluate(() => dispatchEvent(new PageTransitionEvent('pagehide')));
  expect(await drafts(opened)).toEqual(teacherDrafts);
  await teacher.reload();
  await waitForEditor(teacher, 60_000);
  await expect(teacher.locator('.monaco-host .view-lines')).toContainText("the teacher's own draft");

  for (const p of [dashboard, learner]) await p.context().close();
});

test('on a step where the learner writes the server, the teacher sees their handler and opens it with the page', async ({
  browser,
}) => {
  const { dashboard, learner } = await adaInClassOn(browser, '/en/lessons/12-write-a-comet-loop/');
  await expect(serverHost(learner)).toHaveCount(1, { timeout: 60_000 });
  await setText(learner, 'client', "// Ada's page\nfetch('stream').then((r) => r.text()).then(console.log);");
  await setText(learner, 'server', "// Ada's handler\nonRequest((req, res) => res.end('tick'));");
  await learner.getByRole('button', { name: 'Hand in' }).click();
  await expect(learner.locator('.class-bar .cb-message')).toContainText('Handed in at');

  // The row shows the start of both, the handler under its own label.
  const row = dashboard.locator('.td-hand-in').first();
  await expect(row.locator('pre').first()).toContainText("// Ada's page");
  await expect(row.locator('.label')).toHaveText('Their server handler');
  await expect(row.locator('pre.server')).toContainText("// Ada's handler");
  const open = row.getByRole('link', { name: 'Open in the playground' });
  await expect(open).toHaveAttribute('href', /&server=[A-Za-z0-9_-]+&from=hand-in$/);

  const opened = await dashboard.context().newPage();
  await opened.goto((await open.getAttribute('href')) ?? '', { waitUntil: 'domcontentloaded' });
  await expect(opened.locator('.pg-notice')).toContainText('runs in a session of its own');
  await waitForEditor(opened, 60_000);
  await expect(opened.locator('#pg-panel-code .monaco-host .view-lines')).toContainText("Ada's page");
  await expect(serverHost(opened)).toHaveCount(1, { timeout: 60_000 });
  await expect.poll(() => serverText(opened)).toContain("// Ada's handler");

  // A hand-in with no handler (one from before hand-ins carried them) on this step: the page shows
  // the step's starter handler, never the teacher's own draft of it, which their runs would meet.
  const step = await opened.locator('.pg-step-select').inputValue();
  await opened.evaluate(
    (key) => localStorage.setItem(key, "// the teacher's own handler\nonRequest((req, res) => res.end());"),
    `wl-draft:12-write-a-comet-loop:${step}:server`,
  );
  const withoutHandler = ((await open.getAttribute('href')) ?? '').replace(/&server=[A-Za-z0-9_-]+/, '');
  const older = await dashboard.context().newPage();
  await older.goto(withoutHandler, { waitUntil: 'domcontentloaded' });
  await waitForEditor(older, 60_000);
  await expect(older.locator('#pg-panel-code .monaco-host .view-lines')).toContainText("Ada's page");
  await expect(serverHost(older)).toHaveCount(1, { timeout: 60_000 });
  await expect.poll(() => serverText(older)).toContain('onRequest(');
  expect(await serverText(older)).not.toContain("the teacher's own handler");

  // The learner clears their handler and hands in again: the row says it is empty. (The bar's
  // "Handed in at" is already showing from the first: the row, replaced, is what tells.)
  await setText(learner, 'server', '');
  await learner.getByRole('button', { name: 'Hand in' }).click();
  await expect(dashboard.locator('.td-hand-in').first().locator('.server')).toHaveText(
    'Empty: they cleared it.',
  );

  for (const p of [dashboard, learner]) await p.context().close();
});

/** Makes the learner's next Hand in send `code` (a listener after the playground's swaps it in). */
const nextHandInIs = (learner: Page, code: string) =>
  learner.evaluate((code) => {
    const swap = (e: Event) => {
      (e as CustomEvent<{ code?: string }>).detail.code = code;
      document.removeEventListener('wl-playground-code', swap);
    };
    document.addEventListener('wl-playground-code', swap);
  }, code);

/** Within maxMessageBytes (64 KiB) as UTF-8, but six times that as JSON (`\u0001` each). */
const ESCAPED = '\u0001'.repeat(60_000);

test('a hand-in over the bounds the welcome names, as code or as JSON, is refused in the bar with the bytes, and nothing is sent', async ({
  browser,
}) => {
  const handInFrames: string[] = [];
  let closes = 0;
  const { dashboard, learner } = await adaInClassOn(browser, LESSON_URL, async (page) => {
    page.on('websocket', (ws) => {
      if (!ws.url().includes('/class/')) return;
      ws.on('framesent', (f) => {
        if (typeof f.payload === 'string' && f.payload.includes('"hand-in"')) handInFrames.push(f.payload);
      });
      ws.on('close', () => closes++);
    });
  });
  await expect(learner.locator('.class-bar')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
  const button = learner.locator('.class-bar .cb-hand-in');
  // Over messageBytes itself: the bar says so in its own words, before the server would.
  await nextHandInIs(learner, 'x'.repeat(70_000));
  await button.click();
  await expect(learner.locator('.class-bar .cb-message')).toHaveText(
    'Not handed in: the code is 70,000 bytes, and a hand-in may be at most 65,536. Hand in a shorter snippet.',
  );
  await nextHandInIs(learner, ESCAPED);
  await button.click();
  const step = await learner.locator('.pg-step-select').inputValue();
  const frame = 6 * 60_000 + JSON.stringify({ type: 'hand-in', lesson: LESSON, step, code: '' }).length;
  await expect(learner.locator('.class-bar .cb-message')).toHaveText(
    `Not handed in: as JSON the code is ${frame.toLocaleString('en-GB')} bytes, and one message to the class may be at most 135,168: each control character in it becomes six bytes. Hand in a shorter snippet, or one without them.`,
  );
  await expect(button).toBeEnabled();
  await expect(button).toHaveText('Hand in');
  await setCode(learner, "console.log('the second try');");
  await button.click();
  await expect(learner.locator('.class-bar .cb-message')).toContainText('Handed in at');
  await expect(dashboard.locator('.td-hand-in pre').first()).toContainText('the second try');
  expect(handInFrames).toHaveLength(1);
  expect(handInFrames[0]).toContain('the second try');
  expect(closes).toBe(0);
  for (const p of [dashboard, learner]) await p.context().close();
});

test('against a server whose welcome names no limits, a hand-in closed with 1009 gives the button back, and the next one goes through, the bar saying so while it waits', async ({
  browser,
}) => {
  const { dashboard, learner } = await adaInClassOn(browser, LESSON_URL, async (page) => {
    // What a server from before the welcome's limits says: the same welcome without them.
    await page.context().routeWebSocket(/\/class\/[^/]+\/ws$/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        const m = typeof message === 'string' ? (JSON.parse(message) as Record<string, unknown>) : null;
        if (m?.type === 'welcome') delete m.limits;
        // The answer to a hand-in comes late: the wait is there to be seen.
        const answer = () => ws.send(m ? JSON.stringify(m) : message);
        if (m?.type === 'handed-in') setTimeout(answer, 1_500);
        else answer();
      });
    });
  });
  await expect(learner.locator('.class-bar')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
  await nextHandInIs(learner, ESCAPED);
  const button = learner.locator('.class-bar .cb-hand-in'); // its name changes while it waits
  await button.click();
  await expect(button).toBeEnabled({ timeout: 15_000 });
  await expect(button).toHaveText('Hand in');
  await expect(learner.locator('.class-bar .cb-message')).toHaveText(
    'Not handed in: the code is too large to send. Hand in a shorter snippet.',
  );
  await expect(learner.locator('.class-bar')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
  await setCode(learner, "console.log('the second try');");
  await button.click();
  await expect(learner.locator('.class-bar .cb-message')).toHaveText('Handing in…');
  await expect(button).toBeDisabled();
  await expect(learner.locator('.class-bar .cb-message')).toContainText('Handed in at');
  await expect(dashboard.locator('.td-hand-in pre').first()).toContainText('the second try');
  for (const p of [dashboard, learner]) await p.context().close();
});
