/**
 * A class survives a crash of its server. The test starts its own server (on a free port, with a
 * data directory of its own), a teacher starts a class, three learners join, each in a browser
 * context of their own, and run an EventSource and a self-reconnecting WebSocket snippet. Then
 * the server is killed (SIGKILL) mid-class and started again on the same port and directory:
 * with no learner action, the dashboard, the class bars and the snippets come back, and the
 * teacher's next push reaches every one of them.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, expect, type Page, test } from '@playwright/test';
import { run, setCode, showConsole, waitForEditor } from './helpers.ts';
import { freePort, killServer, type ServerProcess, startServer } from './server-process.ts';

// Four Chromium contexts loading the editor, and a server started twice.
test.setTimeout(240_000);
test.use({ trace: 'off' });

const LESSON = '06-server-sent-events';

/**
 * What every learner runs: an EventSource (the browser reconnects it, sending Last-Event-ID), and
 * a WebSocket that reconnects itself on close, resuming after the last id it saw with `since`, as
 * the WebSocket lesson teaches.
 */
const SNIPPET = [
  "const es = new EventSource('sse');",
  "es.addEventListener('push', (e) => console.log('sse got', JSON.parse(e.data).text));",
  'let last = 0;',
  'function connect() {',
  "  const ws = new WebSocket(last ? 'ws?since=' + last : 'ws');",
  '  ws.onmessage = (e) => {',
  '    const m = JSON.parse(e.data);',
  '    last = m.id;',
  "    if (m.type === 'push') console.log('ws got', m.data.text);",
  '  };',
  '  ws.onclose = () => setTimeout(connect, 500);',
  '}',
  'connect();',
].join('\n');

interface Person {
  context: BrowserContext;
  page: Page;
}

async function person(browser: Browser, baseURL: string): Promise<Person> {
  const context = await browser.newContext({ baseURL });
  return { context, page: await context.newPage() };
}

const stat = (page: Page, name: string) => page.locator(`.td-stats [data-stat="${name}"]`);

async function push(teacher: Page, text: string): Promise<void> {
  await teacher.getByLabel('Push to the class').fill(text);
  await teacher.getByRole('button', { name: 'Push', exact: true }).click();
  await expect(teacher.locator('.td-pushed li').first()).toContainText(text);
}

/** Every learner's snippets and class bar show `text`. */
async function heardByAll(learners: Person[], text: string): Promise<void> {
  for (const l of learners) {
    const logs = l.page.locator('.pg-console-list');
    await expect(logs).toContainText(`sse got ${text}`, { timeout: 30_000 });
    await expect(logs).toContainText(`ws got ${text}`, { timeout: 30_000 });
    await expect(l.page.locator('.class-bar .cb-message')).toHaveText(`Teacher: ${text}`, {
      timeout: 30_000,
    });
  }
}

test('a class killed mid-lesson resumes by itself: after the restart a push reaches every learner’s SSE, WebSocket and class bar', async ({
  browser,
  request,
}) => {
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wirelab-e2e-'));
  const env = {
    WIRELAB_DATA_DIR: dataDir,
    WIRELAB_REQUESTS_PER_SECOND: '200',
    WIRELAB_CLASS_REQUESTS_PER_SECOND: '200',
  };
  let server: ServerProcess | null = await startServer(port, request, env);
  const people: Person[] = [];
  try {
    const teacher = await person(browser, baseURL);
    people.push(teacher);
    await teacher.page.goto('/en/class/teacher/');
    await teacher.page.getByRole('button', { name: 'Start a class' }).click();
    await expect(teacher.page.locator('.td-code')).toHaveText(/^[A-HJKMNP-Z2-9]{6}$/);
    const code = (await teacher.page.locator('.td-code').textContent()) ?? '';
    await expect(teacher.page.locator('.td-state-text')).toHaveText('Live');
    await expect(teacher.page.locator('.td-store-problem')).toBeHidden();

    const names = ['Ada', 'Grace', '李雷'];
    const learners = await Promise.all(names.map(() => person(browser, baseURL)));
    people.push(...learners);
    await Promise.all(
      learners.map(async (l, i) => {
        await l.page.goto(`/en/class/join/#${code}`);
        const form = l.page.locator('.join-page .join-form');
        await form.getByLabel('Your name').fill(names[i] ?? '');
        await form.getByRole('button', { name: 'Join' }).click();
        await l.page.waitForURL(/\/en\/lessons\//);
        await l.page.goto(`/en/lessons/${LESSON}/`);
        await waitForEditor(l.page, 60_000);
        await setCode(l.page, SNIPPET);
        await run(l.page);
        await showConsole(l.page);
      }),
    );
    await expect(stat(teacher.page, 'online')).toHaveText('3', { timeout: 15_000 });
    await expect(stat(teacher.page, 'sse')).toHaveText('3', { timeout: 15_000 });
    await expect(stat(teacher.page, 'websocket')).toHaveText('3', { timeout: 15_000 });
    await push(teacher.page, 'before the crash');
    await heardByAll(learners, 'before the crash');

    // The crash: no close frame, no last word to anyone.
    await killServer(server);
    server = null;
    await expect(teacher.page.locator('.td-state-text')).toHaveText('Reconnecting…', { timeout: 15_000 });
    server = await startServer(port, request, env);

    // Nobody does anything: the dashboard and every class bar reconnect on their own.
    await expect(teacher.page.locator('.td-state-text')).toHaveText('Live', { timeout: 30_000 });
    await expect(teacher.page.locator('.td-code')).toHaveText(code);
    await expect(teacher.page.locator('.td-learners tbody tr')).toHaveCount(3);
    await expect(stat(teacher.page, 'online')).toHaveText('3', { timeout: 30_000 });
    for (const l of learners) {
      await expect(l.page.locator('.class-bar')).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
    }

    await push(teacher.page, 'after the restart');
    await heardByAll(learners, 'after the restart');
    // Nothing the learners had seen came twice: each snippet heard the first push once.
    for (const l of learners) {
      await expect(
        l.page.locator('.pg-console-list .entry', { hasText: 'sse got before the crash' }),
      ).toHaveCount(1);
      await expect(
        l.page.locator('.pg-console-list .entry', { hasText: 'ws got before the crash' }),
      ).toHaveCount(1);
    }
  } catch (err) {
    console.error(`server stderr:\n${server?.stderr() ?? '(no server)'}`);
    throw err;
  } finally {
    for (const p of people) await p.context.close();
    await killServer(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a data file that is not a database: the server still runs the class, and the dashboard says it will not survive a restart', async ({
  browser,
  request,
}) => {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wirelab-e2e-'));
  fs.writeFileSync(path.join(dataDir, 'classes.sqlite'), randomBytes(32 * 1024));
  let server: ServerProcess | null = null;
  const teacher = await person(browser, `http://127.0.0.1:${port}`);
  try {
    server = await startServer(port, request, { WIRELAB_DATA_DIR: dataDir });
    await teacher.page.goto('/en/class/teacher/');
    await teacher.page.getByRole('button', { name: 'Start a class' }).click();
    await expect(teacher.page.locator('.td-state-text')).toHaveText('Live');
    const notice = teacher.page.locator('.td-store-problem');
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('This class is not saved on disk');
    await expect(notice).toContainText('classes.sqlite: file is not a database');
    expect(server.stderr().trim().split('\n')).toEqual([
      expect.stringMatching(/^Class store: cannot use .*classes\.sqlite: file is not a database\. /),
    ]);
  } finally {
    await teacher.context.close();
    await killServer(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
