/**
 * Classroom mode end to end: a teacher's dashboard and several learners, each in a browser
 * context of its own (their own storage, their own lab session), against the real server.
 * Learners run their snippets in their own playgrounds; the teacher pushes, watches, brings
 * everyone to a lesson and opens a hand-in.
 */
import { type Browser, type BrowserContext, expect, type Page, test } from '@playwright/test';
import { run, setCode, showConsole, waitForEditor } from './helpers.ts';

// Several Chromium contexts, each loading the editor: more than the default 30 s on a busy machine.
test.setTimeout(180_000);
// A runner frame never answering a trace snapshot would hang the test (see playground.spec.ts).
test.use({ trace: 'off' });

const LESSON = '06-server-sent-events';

/** The snippet every learner runs: unchanged lesson code, no room named anywhere. */
const SNIPPET = [
  "const es = new EventSource('sse');",
  "es.addEventListener('push', (e) => console.log('sse got', JSON.parse(e.data).text));",
  "const ws = new WebSocket('ws');",
  'ws.onmessage = (e) => {',
  '  const m = JSON.parse(e.data);',
  "  if (m.type === 'push') console.log('ws got', m.data.text);",
  '};',
].join('\n');

interface Person {
  context: BrowserContext;
  page: Page;
}

async function person(browser: Browser): Promise<Person> {
  const context = await browser.newContext();
  const page = await context.newPage();
  return { context, page };
}

/** The teacher starts a class on the dashboard; returns its code. */
async function startClass(page: Page): Promise<string> {
  await page.goto('/en/class/teacher/');
  await page.getByRole('button', { name: 'Start a class' }).click();
  const code = page.locator('.td-code');
  await expect(code).toHaveText(/^[A-HJKMNP-Z2-9]{6}$/);
  await expect(page.locator('.td-state-text')).toHaveText('Live');
  return (await code.textContent()) ?? '';
}

/** A learner opens the join link, picks a name, and lands on a lesson. */
async function joinClass(page: Page, code: string, name: string): Promise<void> {
  await page.goto(`/en/class/join/#${code}`);
  const form = page.locator('.join-page .join-form');
  await expect(form.getByLabel('Class code')).toHaveValue(code);
  await form.getByLabel('Your name').fill(name);
  await form.getByRole('button', { name: 'Join' }).click();
  await page.waitForURL(/\/en\/lessons\//);
  await expect(page.locator('.class-bar')).toBeVisible();
  await expect(page.locator('.class-bar .cb-who')).toHaveText(`You: ${name}`);
}

/** A learner on a lesson page joins with the header's "Join a class" dialog, and stays on the page. */
async function joinFromHeader(page: Page, code: string, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Join a class' }).click();
  const dialog = page.getByRole('dialog', { name: 'Join a class' });
  await dialog.getByLabel('Class code').fill(code.toLowerCase());
  await dialog.getByLabel('Your name').fill(name);
  await dialog.getByRole('button', { name: 'Join' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('.class-bar .cb-who')).toHaveText(`You: ${name}`);
  await expect(page.getByRole('button', { name: `Class ${code}` })).toBeVisible();
}

async function openPlayground(page: Page, slug = LESSON): Promise<void> {
  if (!page.url().endsWith(`/en/lessons/${slug}/`)) await page.goto(`/en/lessons/${slug}/`);
  await waitForEditor(page, 60_000);
}

/** Types the snippet into the learner's own editor and runs it. */
async function runSnippet(page: Page, code = SNIPPET): Promise<void> {
  await setCode(page, code);
  await run(page);
  await showConsole(page);
}

const stat = (page: Page, name: string) => page.locator(`.td-stats [data-stat="${name}"]`);

test.describe('classroom mode', () => {
  test('learners join; a push reaches every SSE and WebSocket snippet; the dashboard counts them; a hand-in arrives', async ({
    browser,
  }) => {
    const teacher = await person(browser);
    const code = await startClass(teacher.page);

    // One learner follows the join link (the QR code's); the others type the code on a lesson page.
    const names = ['Ada', 'Grace', '李雷'];
    const learners = await Promise.all(names.map(() => person(browser)));
    await Promise.all(
      learners.map(async (l, i) => {
        const name = names[i] ?? '';
        if (i === 0) await joinClass(l.page, code, name);
        else {
          await l.page.goto(`/en/lessons/${LESSON}/`);
          await joinFromHeader(l.page, code, name);
        }
        await openPlayground(l.page);
        await runSnippet(l.page);
      }),
    );
    await expect(stat(teacher.page, 'online')).toHaveText('3');
    await expect(teacher.page.locator('.td-learners tbody tr')).toHaveCount(3);
    // Each learner's EventSource and WebSocket are open on their own session, bound to the class.
    await expect(stat(teacher.page, 'sse')).toHaveText('3', { timeout: 15_000 });
    await expect(stat(teacher.page, 'websocket')).toHaveText('3');
    await expect(
      teacher.page.locator('.td-learners tbody tr').first().locator('.td-chip[data-key="sse"]'),
    ).toHaveText('SSE 1');
    await expect(teacher.page.locator('.td-learners tbody')).toContainText('Server-Sent Events');

    await teacher.page.getByLabel('Push to the class').fill('hello, class');
    await teacher.page.getByRole('button', { name: 'Push', exact: true }).click();
    await expect(teacher.page.locator('.td-pushed li').first()).toContainText('hello, class');
    for (const l of learners) {
      const logs = l.page.locator('.pg-console-list');
      await expect(logs).toContainText('sse got hello, class');
      await expect(logs).toContainText('ws got hello, class');
      await expect(l.page.locator('.class-bar .cb-message')).toHaveText('Teacher: hello, class');
    }
    // Messages reached the learners' readers: the dashboard counted them.
    await expect(
      teacher.page.locator('.td-learners tbody tr').first().locator('td.num').first(),
    ).not.toHaveText('');

    // Hand-in: the learner's code, as in their editor, reaches the teacher.
    const ada = learners[0] as Person;
    await ada.page.getByRole('button', { name: 'Hand in' }).click();
    await expect(ada.page.locator('.class-bar .cb-message')).toContainText('Handed in at');
    const handIn = teacher.page.locator('.td-hand-in').first();
    await expect(handIn.locator('.who')).toHaveText('Ada');
    await expect(handIn).toContainText('Server-Sent Events');
    // The teacher opens it in the same lesson's playground: loaded, not run.
    const open = handIn.getByRole('link', { name: 'Open in the playground' });
    await expect(open).toHaveAttribute('href', new RegExp(`^/en/lessons/${LESSON}/#step=.+&code=`));
    const opened = await teacher.context.newPage();
    await opened.goto((await open.getAttribute('href')) ?? '', { waitUntil: 'domcontentloaded' });
    await expect(opened.locator('.pg-notice')).toBeVisible();
    await expect(opened.locator('.playground')).toHaveAttribute('data-editor', 'monaco', { timeout: 60_000 });
    await expect(opened.locator('.monaco-host .view-lines')).toContainText("es.addEventListener('push'");
    await expect(opened.locator('.playground')).toHaveAttribute('data-state', 'idle');

    for (const p of [teacher, ...learners]) await p.context.close();
  });

  test('a learner with the code but no key cannot push, nor forge a push with POST send', async ({
    browser,
  }) => {
    const teacher = await person(browser);
    const code = await startClass(teacher.page);
    const mallory = await person(browser);
    await joinClass(mallory.page, code, 'Mallory');

    const result = await mallory.page.evaluate(async (code) => {
      const session = sessionStorage.getItem('wl-session');
      const stored = JSON.parse(localStorage.getItem('wl-class') ?? '{}') as { token?: string; key?: string };
      // Listen to the class feed through the learner's own bound session.
      const heard: string[] = [];
      const es = new EventSource(`/lab/${session}/sse`);
      es.addEventListener('push', (e) => heard.push(`push ${e.data}`));
      es.addEventListener('chat', (e) => heard.push(`chat ${e.data}`));
      await new Promise((r) => es.addEventListener('open', r, { once: true }));

      const closeOf = (hello: object, then?: object) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/class/${code}/ws`);
          ws.onopen = () => ws.send(JSON.stringify(hello));
          ws.onmessage = (e) => {
            if (then && JSON.parse(e.data).type === 'welcome') ws.send(JSON.stringify(then));
          };
          ws.onclose = (e) => resolve(`${e.code} ${e.reason}`);
        });
      const asTeacher = await closeOf({ type: 'hello', role: 'teacher', key: 'AAAAAAAAAAAAAAAAAAAAAA' });
      const noKey = await closeOf({ type: 'hello', role: 'teacher' });
      const asLearner = await closeOf(
        { type: 'hello', role: 'learner', token: stored.token },
        { type: 'push', text: 'I am the teacher now' },
      );
      const forged = await fetch(`/lab/${session}/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'push', data: { from: 'teacher', text: 'forged' } }),
      });
      await new Promise((r) => setTimeout(r, 500));
      es.close();
      return { asTeacher, noKey, asLearner, forged: forged.status, heard, hasKey: 'key' in stored };
    }, code);

    expect(result.hasKey).toBe(false); // the teacher key never reached the learner's browser
    expect(result.asTeacher).toBe('1008 wrong teacher key');
    expect(result.noKey).toBe('1008 wrong teacher key');
    expect(result.asLearner).toBe('1008 only the teacher can push');
    expect(result.forged).toBe(200);
    expect(result.heard).toEqual([
      `chat ${JSON.stringify({ type: 'push', data: { from: 'teacher', text: 'forged' } })}`,
    ]);
    await expect(teacher.page.locator('.td-pushed li')).toHaveCount(0);

    for (const p of [teacher, mallory]) await p.context.close();
  });

  test('"bring everyone" takes learners to the lesson after a short notice', async ({ browser }) => {
    const teacher = await person(browser);
    const code = await startClass(teacher.page);
    const learner = await person(browser);
    await joinClass(learner.page, code, 'Ada');
    await expect(stat(teacher.page, 'online')).toHaveText('1');

    await teacher.page.getByLabel('Bring everyone to').selectOption('08-websocket-handshake');
    await teacher.page.getByRole('button', { name: 'Bring everyone' }).click();
    await expect(teacher.page.locator('.td-bring-status')).toContainText('Everyone was sent to');
    await expect(learner.page.locator('.class-bar .cb-message')).toContainText(
      'Your teacher brings everyone to',
    );
    await learner.page.waitForURL(/\/en\/lessons\/08-websocket-handshake\/$/, { timeout: 10_000 });
    await expect(teacher.page.locator('.td-learners tbody')).toContainText('The WebSocket handshake');
    await expect(teacher.page.locator('.td-projector')).toHaveAttribute(
      'href',
      '/en/lessons/08-websocket-handshake/?projector=1',
    );

    for (const p of [teacher, learner]) await p.context.close();
  });

  test('the teacher ends the class: learners are told, and their runs use their own feed again', async ({
    browser,
  }) => {
    const teacher = await person(browser);
    const code = await startClass(teacher.page);
    const learner = await person(browser);
    await joinClass(learner.page, code, 'Ada');
    teacher.page.once('dialog', (d) => void d.accept());
    await teacher.page.getByRole('button', { name: 'End the class' }).click();
    await expect(teacher.page.locator('.td-over-text')).toHaveText('The class has ended.');
    await expect(learner.page.locator('.class-bar .cb-message')).toHaveText(
      'The class has ended. Your runs use your own feed again.',
    );
    expect(await learner.page.evaluate(() => localStorage.getItem('wl-class'))).toBeNull();
    for (const p of [teacher, learner]) await p.context.close();
  });
});

test.describe('projector mode', () => {
  test('?projector=1 shows the playground full screen in large type; the button turns it off', async ({
    page,
  }) => {
    await page.goto(`/en/lessons/${LESSON}/?projector=1`);
    const html = page.locator('html');
    await expect(html).toHaveAttribute('data-projector', '');
    await expect(page.locator('.lesson-text')).toBeHidden();
    await expect(page.locator('.lesson-nav')).toBeHidden();
    const box = await page.locator('.lesson-playground').boundingBox();
    const viewport = page.viewportSize();
    expect(box?.width).toBeGreaterThan((viewport?.width ?? 0) * 0.95);
    // The page is exactly one screen tall: nothing to scroll past the playground.
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(
      viewport?.height ?? 0,
    );
    // It stays on for the tab, across pages.
    await page.goto('/en/lessons/07-sse-in-depth/');
    await expect(html).toHaveAttribute('data-projector', '');

    const toggle = page.getByRole('button', { name: 'Leave projector mode' });
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await toggle.click();
    await expect(html).not.toHaveAttribute('data-projector');
    await expect(page.locator('.lesson-text')).toBeVisible();
    await expect(page.locator('.lesson-nav')).toBeVisible();
    await page.reload();
    await expect(html).not.toHaveAttribute('data-projector');
    await expect(page.getByRole('button', { name: 'Projector', exact: true })).toHaveAttribute(
      'aria-pressed',
      'false',
    );
  });

  test('the normal layout is untouched: three columns, no class bar outside a class', async ({ page }) => {
    await page.goto(`/en/lessons/${LESSON}/`);
    await expect(page.locator('html')).not.toHaveAttribute('data-projector');
    await expect(page.locator('.lesson-text')).toBeVisible();
    await expect(page.locator('.class-bar')).toBeHidden();
    const header = await page.locator('.site-header').boundingBox();
    expect(header?.height).toBe(56);
  });
});
