/**
 * The inspector when the records it had are gone: its channel reconnects and the server's hello
 * says the session began again (`resume.continued: false`), so the panel drops what it had — and
 * says so, and why, in a notice that stays (not a flash) until the learner clears or runs again.
 *
 * A server restart is real: the test starts a server of its own, kills it (SIGKILL) mid-session
 * and starts it again on the same port. A takeover by another process (the hello's `moved`, with
 * many processes behind a proxy) is played with page.routeWebSocket.
 */
import { expect, type Page, test } from '@playwright/test';
import { openLesson, run, setCode } from './helpers.ts';
import { freePort, killServer, type ServerProcess, startServer } from './server-process.ts';

// Two lesson pages, a server started three times, on a busy two-core machine.
test.setTimeout(180_000);

const SNIPPET = "const res = await fetch('time');\nconsole.log('fetched', res.status);";

const WORDS = {
  en: {
    url: '/en/lessons/01-reading-the-wire/',
    title: 'The records from before this point are lost.',
    body: 'The server no longer had this session’s capture: it restarted, or the session sat idle long enough to be forgotten.',
    reconnected: 'Live',
  },
  zh: {
    url: '/zh/lessons/01-reading-the-wire/',
    title: '此前的记录已经丢失。',
    body: '服务器已经没有这个会话的抓包了：它重启过，或者这个会话闲置太久，已被清理。',
    reconnected: '实时',
  },
} as const;

const notice = (page: Page) => page.locator('.insp-lost');
const b64 = (text: string) => Buffer.from(text).toString('base64');
const timeRows = (page: Page) =>
  page.locator('.cl-row', { has: page.locator('.cl-req', { hasText: 'time' }) });

test('a server restarted mid-session: the panel reconnects and keeps saying the records before it are lost, in English and Chinese, until the next Run', async ({
  context,
  request,
}, testInfo) => {
  const port = await freePort();
  const env = { WIRELAB_DATA_DIR: ':memory:', WIRELAB_REQUESTS_PER_SECOND: '200' };
  let server: ServerProcess | null = await startServer(port, request, env);
  try {
    for (const lang of ['en', 'zh'] as const) {
      const words = WORDS[lang];
      // A tab of its own: the session id is kept per tab, and this one must start empty.
      const page = await context.newPage();
      await openLesson(page, `http://127.0.0.1:${port}${words.url}`, 60_000);
      await setCode(page, SNIPPET);
      await run(page);
      await expect(page.locator('.insp')).toBeVisible();
      await expect(timeRows(page)).toHaveCount(1, { timeout: 20_000 });
      await expect(page.locator('.insp-state')).toHaveAttribute('data-state', 'live');
      await expect(notice(page)).toBeHidden();

      // The crash: no close frame, no last word to anyone.
      await killServer(server);
      server = null;
      await expect(page.locator('.insp-state')).toHaveAttribute('data-state', 'reconnecting', {
        timeout: 15_000,
      });
      server = await startServer(port, request, env);

      // Nobody does anything: the panel comes back, without the records the old process had.
      await expect(page.locator('.insp-state')).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
      await expect(page.locator('.insp-state-text')).toHaveText(words.reconnected);
      await expect(notice(page)).toBeVisible();
      await expect(notice(page)).toHaveAttribute('data-reason', 'forgotten');
      await expect(notice(page)).toContainText(words.title);
      await expect(notice(page)).toContainText(words.body);
      await expect(timeRows(page)).toHaveCount(0);
      // It stays: the "Reconnected" flash goes after 2.5 s, the notice does not.
      await expect(page.locator('.insp-flash')).toBeHidden({ timeout: 10_000 });
      await expect(notice(page)).toBeVisible();
      await page.locator('.insp').screenshot({ path: testInfo.outputPath(`records-lost-${lang}.png`) });

      // The next Run: what the notice spoke of is history, and the new capture shows.
      await run(page);
      await expect(timeRows(page)).toHaveCount(1, { timeout: 20_000 });
      await expect(notice(page)).toBeHidden();
      await page.close();
    }
  } catch (err) {
    console.error(`server stderr:\n${server?.stderr() ?? '(no server)'}`);
    throw err;
  } finally {
    await killServer(server);
  }
});

/** What the panel gets from the process that held the session, then from the one that took it over. */
function channelRecords(resumed: boolean): object[] {
  const open = (seq: number, t: number) => ({
    seq,
    kind: 'open',
    conn: 1,
    t,
    client: { address: '127.0.0.1', port: 50000 + seq },
    server: { port: 4321 },
  });
  const request = (seq: number, t: number, path: string) => ({
    seq,
    kind: 'data',
    conn: 1,
    t,
    dir: 'in',
    off: 0,
    b64: b64(`GET /lab/mock-session/${path} HTTP/1.1\r\nHost: wirelab.school\r\n\r\n`),
  });
  const response = (seq: number, t: number, body: string) => ({
    seq,
    kind: 'data',
    conn: 1,
    t,
    dir: 'out',
    off: 0,
    b64: b64(
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    ),
  });
  return resumed
    ? [open(1, 900_000), request(2, 900_200, 'time'), response(3, 901_000, '{"time":"after the move"}')]
    : [open(1, 4_000_000), request(2, 4_000_100, 'poll'), response(3, 4_001_000, '{"messages":[]}')];
}

test('a session another process took over: the notice says the old process stopped and its unsent capture is lost, in English and Chinese, until Clear', async ({
  page,
}, testInfo) => {
  const firsts: Array<{ close(o: { code: number; reason: string }): Promise<void> }> = [];
  await page.routeWebSocket(/\/inspect\//, (ws) => {
    const resumed = /[?&]after=3$/.test(ws.url());
    ws.send(
      JSON.stringify({
        type: 'hello',
        v: 1,
        session: 'mock-session',
        serverTime: { epochMs: Date.now(), monoUs: resumed ? 1_000_000 : 5_000_000 },
        firstSeq: 1,
        lastSeq: 3,
        // The process that took the session over has its own records, numbered from 1.
        resume: { after: resumed ? 3 : 0, continued: !resumed },
        ...(resumed ? { moved: true } : {}),
      }),
    );
    ws.send(JSON.stringify({ type: 'records', records: channelRecords(resumed) }));
    ws.send(JSON.stringify({ type: 'live', lastSeq: 3 }));
    if (!resumed) firsts.push(ws);
  });
  const cases = [
    {
      url: '/en/lessons/01-reading-the-wire/',
      words: [
        'The records from before this point are lost.',
        'The Wire Lab process that held this session stopped, and another one took it over: the capture it had not sent yet is lost. What follows is from the new process.',
      ],
    },
    {
      url: '/zh/lessons/01-reading-the-wire/',
      words: [
        '此前的记录已经丢失。',
        '原来负责这个会话的 Wire Lab 进程停止了，另一个进程接管了它：旧进程还没来得及发出的抓包已经丢失。下面的内容来自新的进程。',
      ],
    },
  ];
  for (const { url, words } of cases) {
    await openLesson(page, url);
    await setCode(page, "console.log('hi')");
    await run(page);
    await expect(page.locator('.cl-req', { hasText: 'poll' })).toHaveCount(1);
    await expect(notice(page)).toBeHidden();
    // The process that held the session stops: its channel drops, and the proxy sends the
    // reconnect to another process, which took the session over.
    for (const ws of firsts.splice(0)) await ws.close({ code: 1001, reason: 'going away' });
    await expect(page.locator('.cl-req', { hasText: 'time' })).toHaveCount(1, { timeout: 15_000 });
    await expect(page.locator('.cl-req', { hasText: 'poll' })).toHaveCount(0);
    await expect(notice(page)).toHaveAttribute('data-reason', 'moved');
    for (const text of words) await expect(notice(page)).toContainText(text);
    if (url.startsWith('/en/')) {
      // As a class sees it on the projector.
      await page.locator('.insp-expand').click();
      await expect(page.locator('.insp-flash')).toBeHidden({ timeout: 10_000 });
      await page.screenshot({ path: testInfo.outputPath('records-lost-moved-expanded-en.png') });
      await page.keyboard.press('Escape');
    }
    // Clear: the notice goes with the connections it spoke of.
    await page.locator('.insp-clear').click();
    await expect(notice(page)).toBeHidden();
  }
});
