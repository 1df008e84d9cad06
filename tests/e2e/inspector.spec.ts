/**
 * The inspector panel, end to end: learner code typed into the playground runs against the
 * real lab, and the panel shows the bytes of its connections decoded. Where a test needs a
 * capture the lab would not produce on demand (a dropped channel, a flood of records), the
 * inspector channel is replaced with page.routeWebSocket.
 */
import fs from 'node:fs';
import { expect, type Page, test, type WebSocket } from '@playwright/test';
import { openLesson, run as runCode, setCode } from './helpers.ts';

/** Runs the code and waits for the inspector panel it opens. */
async function run(page: Page): Promise<void> {
  await runCode(page);
  await expect(page.locator('.insp')).toBeVisible();
}

const rows = (page: Page) => page.locator('.cl-row');
const treeRow = (page: Page, text: string | RegExp) => page.locator('.ft-row', { hasText: text }).first();

/**
 * The text of every row of the decoded tree. The tree only renders the rows in view, so this
 * scrolls through it, collecting rows as they appear.
 */
async function treeText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const ft = document.querySelector<HTMLElement>('.ft');
    if (!ft) return '';
    const seen = new Map<number, string>();
    for (let top = 0; ; top += Math.max(24, ft.clientHeight - 24)) {
      ft.scrollTop = top;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      for (const row of ft.querySelectorAll<HTMLElement>('.ft-row'))
        seen.set(Number(row.dataset.i), row.textContent ?? '');
      if (top + ft.clientHeight >= ft.scrollHeight) break;
    }
    return [...seen]
      .sort((a, b) => a[0] - b[0])
      .map(([, text]) => text)
      .join('\n');
  });
}

/** Selects the connection whose request cell shows `path`. */
async function selectConnection(page: Page, path: string): Promise<void> {
  await rows(page)
    .filter({ has: page.locator('.cl-req', { hasText: path }) })
    .first()
    .click();
  await expect(page.locator('.insp-dtitle .dh-req')).toContainText(path);
}

const SNIPPET = [
  "const res = await fetch('time');",
  "console.log('fetch', await res.text());",
  "const es = new EventSource('sse?count=2');",
  "es.addEventListener('tick', (e) => console.log('tick', e.data));",
  "const ws = new WebSocket('echo');",
  "ws.onopen = () => ws.send('ping 你好');",
  "ws.onmessage = (e) => { console.log('echo', e.data); ws.close(1000, 'bye'); };",
].join('\n');

test.describe('the inspector', () => {
  test('before any Run it explains itself, in both languages', async ({ page }) => {
    await openLesson(page);
    await page.getByRole('tab', { name: /^Console/ }).click();
    await page.getByRole('tab', { name: 'Inspector' }).click();
    await expect(page.locator('.insp-empty-title')).toHaveText(
      'Press Run: every byte your code sends and receives appears here',
    );
    await openLesson(page, '/zh/lessons/01-reading-the-wire/');
    await page.getByRole('tab', { name: /^控制台/ }).click();
    await page.getByRole('tab', { name: '检查器' }).click();
    await expect(page.locator('.insp-empty-title')).toHaveText(
      '点击“运行”：代码收发的每一个字节都会显示在这里',
    );
  });

  test('shows a request’s status line, an SSE event and a WebSocket frame, decoded', async ({ page }) => {
    test.slow(); // several live connections on a busy two-core machine
    await openLesson(page);
    await setCode(page, SNIPPET);
    await run(page);
    // The code ran to its end first (on failure, this shows what the console said instead).
    const consoleList = page.locator('.pg-console-list');
    await expect(consoleList).toContainText('tick', { timeout: 30_000 });
    await expect(consoleList).toContainText('echo ping 你好', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Expand to the full window' }).click();
    // The browser may carry the fetch and the EventSource on one keep-alive connection.
    await expect(page.locator('.cl-row .insp-badge', { hasText: 'SSE' })).toHaveCount(1, { timeout: 15_000 });
    await expect(page.locator('.cl-row .insp-badge', { hasText: 'WebSocket' })).toHaveCount(1);

    await selectConnection(page, 'time');
    await expect.poll(() => treeText(page), { timeout: 20_000 }).toContain('HTTP/1.1 200 OK');
    expect(await treeText(page)).toContain('"time"');

    await rows(page)
      .filter({ has: page.locator('.insp-badge', { hasText: 'SSE' }) })
      .click();
    await expect.poll(() => treeText(page), { timeout: 20_000 }).toMatch(/event: tick[\s\S]*id: 2/);
    expect(await treeText(page)).toContain('text/event-stream');

    await selectConnection(page, 'echo');
    await expect(page.locator('.cl-row.sel .insp-badge')).toContainText('WebSocket');
    await expect(page.locator('.cl-row.sel .cl-status')).toHaveText('101');
    await expect.poll(() => treeText(page), { timeout: 20_000 }).toContain('ping 你好');
    const ws = await treeText(page);
    expect(ws).toContain('text frame');
    expect(ws).toContain('masking key');
    // The close handshake, and how the connection ended.
    await expect(page.locator('.cl-row.sel .cl-state')).toHaveText('1000', { timeout: 10_000 });
  });

  test('a compressed WebSocket message shows the agreement, RSV1, the compressed bytes and the inflated text, in both languages', async ({
    page,
  }) => {
    test.slow(); // a build of two lessons' pages and two runs on a busy machine
    const code = [
      "const ws = new WebSocket('ws?deflate=1');",
      "ws.onopen = () => ws.send('tick tock '.repeat(100));",
      "ws.onmessage = (e) => { if (JSON.parse(e.data).type === 'chat') { console.log('chat back'); ws.close(1000); } };",
    ].join('\n');
    for (const [url, words] of [
      [
        undefined,
        [
          'Sec-WebSocket-Extensions',
          'permessage-deflate, context takeover',
          'RSV1 1 on the first frame',
          'compressed payload,',
          'inflated text, 1000 bytes',
        ],
      ],
      [
        '/zh/lessons/01-reading-the-wire/',
        ['permessage-deflate，沿用上下文', '第一帧的 RSV1 为 1', '压缩后的载荷，', '解压后的文本，1000 字节'],
      ],
    ] as const) {
      await openLesson(page, url);
      await setCode(page, code);
      await run(page);
      await expect(page.locator('.pg-console-list')).toContainText('chat back', { timeout: 30_000 });
      await selectConnection(page, 'ws?deflate=1');
      await expect.poll(() => treeText(page), { timeout: 20_000 }).toContain(words[words.length - 1]!);
      const tree = await treeText(page);
      for (const w of words) expect(tree, w).toContain(w);
      // The inflated text sits beside the compressed bytes, which are far fewer.
      expect(tree).toContain('tick tock tick tock');
      const sizes = /(?:compressed payload, |压缩后的载荷，)(\d+)/.exec(tree);
      expect(Number(sizes?.[1])).toBeLessThan(100);
    }
  });

  test('hovering a field lights its bytes, and hovering a byte lights its field', async ({ page }) => {
    test.slow(); // several live connections on a busy two-core machine
    await openLesson(page);
    await setCode(page, "const r = await fetch('time'); console.log(await r.text());");
    await run(page);
    await expect(rows(page)).toHaveCount(1, { timeout: 15_000 });
    await expect(page.locator('.cl-row .cl-status')).toHaveText('200');
    await page.getByRole('button', { name: 'Expand to the full window' }).click();
    const status = treeRow(page, 'HTTP/1.1 200 OK');
    const lit = page.locator('.bv-hex .b.hl');
    // Rows can move under the pointer while the connection's state changes (an idle timeout
    // adds a notice): hover again until the status line is what is lit.
    await expect(async () => {
      await status.hover();
      // "HTTP/1.1 200 OK" + CR LF, on the server→client side.
      expect(await lit.count()).toBeGreaterThanOrEqual(15);
    }).toPass({ timeout: 15_000 });
    expect(await lit.first().textContent()).toBe('48');
    await expect(page.locator('.bv-data.dir-out .b.hl').first()).toBeVisible();

    // The reverse: the first byte of the request ('G' of GET) belongs to the request line.
    await page.mouse.move(0, 0);
    await page.locator('.bv-scroll').evaluate((el) => {
      el.scrollTop = 0;
    });
    const g = page.locator('.bv-data.dir-in[data-off="0"] .bv-hex .b').first();
    await expect(g).toHaveText('47');
    await g.hover();
    // The method's own row is folded inside the request line: the nearest shown row lights.
    await expect(page.locator('.ft-row.hv')).toHaveCount(1);
    await expect(page.locator('.ft-row.hv')).toContainText('GET /lab/');
    await expect(page.locator('.insp-info')).toContainText("= 47 'G'");
    await expect(page.locator('.insp-info')).toContainText('GET');
  });

  test('the tree is keyboard navigable, and a selection can be copied as hex', async ({ page, context }) => {
    test.slow(); // several live connections on a busy two-core machine
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await openLesson(page);
    await setCode(page, "await fetch('time');");
    await run(page);
    await expect(rows(page)).toHaveCount(1, { timeout: 15_000 });
    const first = page.locator('.ft-row[tabindex="0"]');
    await expect(first).toHaveCount(1);
    await first.focus();
    await page.keyboard.press('Home');
    await expect(page.locator('.ft-row:focus')).toHaveAttribute('aria-level', '1');
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('.ft-row:focus')).toHaveAttribute('aria-level', '2');
    await page.keyboard.press('ArrowLeft'); // to the parent
    await expect(page.locator('.ft-row:focus')).toHaveAttribute('aria-level', '1');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect(page.locator('.ft-row[aria-selected="true"]')).toHaveCount(1);
    await expect(page.locator('.bv-hex .b.sel').first()).toBeVisible();
    await page.getByRole('button', { name: 'Copy hex' }).click();
    await expect(page.locator('.insp-toast')).toContainText('as hex');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/^47 45 54 20/); // "GET " — the request line
  });

  test('exports the capture as HAR with WebSocket messages, and as pcap', async ({ page }) => {
    test.slow(); // several live connections on a busy two-core machine
    await openLesson(page);
    await setCode(page, SNIPPET);
    await run(page);
    await expect(page.locator('.cl-row', { hasText: 'echo' }).locator('.cl-state')).toHaveText('1000', {
      timeout: 10_000,
    });

    await page.locator('.insp-menu > summary').click();
    const [har] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /^HAR/ }).click(),
    ]);
    expect(har.suggestedFilename()).toMatch(/^wire-lab-.*\.har$/);
    const doc = JSON.parse(fs.readFileSync(await har.path(), 'utf8'));
    expect(doc.log.version).toBe('1.2');
    const urls = doc.log.entries.map((e: { request: { url: string } }) => e.request.url);
    expect(urls.some((u: string) => u.endsWith('/time'))).toBe(true);
    const ws = doc.log.entries.find((e: { _resourceType?: string }) => e._resourceType === 'websocket');
    expect(ws._webSocketMessages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'send', opcode: 1, data: 'ping 你好' }),
        expect.objectContaining({ type: 'receive', opcode: 1, data: 'ping 你好' }),
      ]),
    );

    await page.locator('.insp-menu > summary').click();
    const [pcap] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /^pcap/ }).click(),
    ]);
    const bytes = fs.readFileSync(await pcap.path());
    expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(bytes.readUInt32LE(20)).toBe(1); // LINKTYPE_ETHERNET
    expect(bytes.includes(Buffer.from('GET /lab/'))).toBe(true);
  });

  test('expands to the full window and back with Escape', async ({ page }) => {
    test.slow(); // Monaco and the panel load first, on a busy two-core machine
    await openLesson(page);
    await setCode(page, "await fetch('time');");
    await run(page);
    await page.getByRole('button', { name: 'Expand to the full window' }).click();
    const box = await page.locator('.insp').boundingBox();
    expect(box?.width).toBe(1280);
    expect(box?.height).toBe(800);
    await page.keyboard.press('Escape');
    const small = await page.locator('.insp').boundingBox();
    expect(small!.width).toBeLessThan(700);
  });

  test('says "reconnecting…" when the channel drops, then resumes after the last record', async ({
    page,
  }) => {
    // Other parts of the page may read the channel too (the lesson's check): every reader gets
    // the same capture, and every first-time reader is dropped once.
    const urls: string[] = [];
    const firsts: Array<{ close(o: { code: number; reason: string }): Promise<void> }> = [];
    await page.routeWebSocket(/\/inspect\//, (ws) => {
      urls.push(ws.url());
      const resumed = /[?&]after=3$/.test(ws.url());
      ws.send(
        JSON.stringify({
          type: 'hello',
          v: 1,
          session: 'mock',
          serverTime: { epochMs: Date.now(), monoUs: 5_000_000 },
          resume: { after: resumed ? 3 : 0, continued: true },
        }),
      );
      const head = 'GET /lab/mock/sse HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n';
      const records = resumed
        ? [{ seq: 4, kind: 'close', conn: 1, t: 4_500_000, how: 'reset', by: 'client' }]
        : [
            {
              seq: 1,
              kind: 'open',
              conn: 1,
              t: 4_000_000,
              client: { address: '127.0.0.1', port: 50000 },
              server: { port: 4321 },
            },
            {
              seq: 2,
              kind: 'data',
              conn: 1,
              t: 4_000_100,
              dir: 'in',
              off: 0,
              b64: Buffer.from(head).toString('base64'),
            },
            { seq: 3, kind: 'note', conn: 1, t: 4_000_200, text: 'first part' },
          ];
      ws.send(JSON.stringify({ type: 'records', records }));
      ws.send(JSON.stringify({ type: 'live', lastSeq: resumed ? 4 : 3 }));
      if (!resumed) firsts.push(ws);
    });
    await openLesson(page);
    await setCode(page, "console.log('hi')");
    await run(page);
    await expect(rows(page)).toHaveCount(1);
    await expect(page.locator('.cl-row .cl-req')).toContainText('GET');
    await expect(page.locator('.insp-state')).toHaveAttribute('data-state', 'live');
    for (const ws of firsts.splice(0)) await ws.close({ code: 1001, reason: 'server restarting' });
    await expect(page.locator('.insp-flash')).toHaveText('Reconnecting…');
    await expect(page.locator('.insp-flash')).toHaveText('Reconnected', { timeout: 10_000 });
    expect(urls.some((u) => /[?&]after=3$/.test(u))).toBe(true);
    await expect(page.locator('.cl-row .cl-state')).toHaveText('RST');
    await expect(rows(page)).toHaveCount(1);
    await expect(page.locator('.cl-row .cl-up')).toHaveText(
      `${'GET /lab/mock/sse HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n'.length} B`,
    );
  });

  test('stays responsive while ten thousand records stream in', async ({ page }, info) => {
    test.slow(); // on a busy two-core machine, decoding them all can take a while
    const N = 10_000;
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const records: object[] = [
      {
        seq: 1,
        kind: 'open',
        conn: 1,
        t: 1_000_000,
        client: { address: '127.0.0.1', port: 50000 },
        server: { port: 4321 },
      },
      {
        seq: 2,
        kind: 'data',
        conn: 1,
        t: 1_000_100,
        dir: 'in',
        off: 0,
        b64: b64('GET /lab/mock/sse HTTP/1.1\r\n\r\n'),
      },
      { seq: 3, kind: 'data', conn: 1, t: 1_000_200, dir: 'out', off: 0, b64: b64(head) },
    ];
    let off = head.length;
    for (let i = 0; i < N; i++) {
      const body = `id: ${i}\nevent: tick\ndata: {"price":${100 + (i % 7)}}\n\n`;
      const chunk = `${body.length.toString(16)}\r\n${body}\r\n`;
      records.push({
        seq: 4 + i,
        kind: 'data',
        conn: 1,
        t: 1_001_000 + i * 500,
        dir: 'out',
        off,
        b64: b64(chunk),
      });
      off += chunk.length;
    }
    let flood: (() => Promise<void>) | undefined;
    await page.routeWebSocket(/\/inspect\//, (ws) => {
      ws.send(
        JSON.stringify({
          type: 'hello',
          v: 1,
          session: 'mock',
          serverTime: { epochMs: Date.now(), monoUs: 1_000_000 },
        }),
      );
      ws.send(JSON.stringify({ type: 'live', lastSeq: 0 }));
      flood = async () => {
        for (let i = 0; i < records.length; i += 1000) {
          ws.send(JSON.stringify({ type: 'records', records: records.slice(i, i + 1000) }));
          await new Promise((r) => setTimeout(r, 20));
        }
      };
    });
    await openLesson(page);
    await setCode(page, '// typing while the flood arrives: ');
    await run(page);
    await page.locator('.monaco-host').click({ position: { x: 80, y: 12 } }); // the first line, whatever the editor's height
    await page.keyboard.press('ControlOrMeta+End');
    const started = Date.now();
    const sending = flood!();
    await page.keyboard.type('still typing', { delay: 20 });
    await sending;
    await expect(page.locator('.monaco-host .view-lines')).toContainText('still typing');
    await expect(page.locator('.insp-backlog')).toBeHidden({ timeout: 80_000 });
    await expect(page.locator('.cl-row .cl-down')).toHaveText(/KB|MB/);
    const ms = Date.now() - started;
    info.annotations.push({ type: 'performance', description: `${N} records applied in ${ms} ms` });
    console.log(`inspector: ${N} records applied in ${ms} ms (${Math.round((N / ms) * 1000)} records/s)`);
    // Only the rows in view exist, however long the stream.
    expect(await page.locator('.bv-row').count()).toBeLessThan(80);
    expect(await page.locator('.ft-row').count()).toBeLessThan(80);
  });

  for (const scheme of ['light', 'dark'] as const) {
    for (const [name, code, ready] of [
      [
        'sse',
        "const es = new EventSource('sse?count=100');\nes.addEventListener('tick', (e) => console.log(e.data));",
        'sse',
      ],
      [
        'websocket',
        "const ws = new WebSocket('echo');\nws.onopen = () => { ws.send('hello 你好'); setInterval(() => ws.send(JSON.stringify({ t: Date.now() })), 700); };",
        'websocket',
      ],
    ] as const) {
      test(`screenshot: a live ${name} connection, ${scheme}`, async ({ page }, info) => {
        test.slow();
        await page.emulateMedia({ colorScheme: scheme });
        await openLesson(page);
        await setCode(page, code);
        await run(page);
        await expect(page.locator('.cl-row .insp-badge').first()).toHaveAttribute('data-kind', ready, {
          timeout: 20_000,
        });
        await page.waitForTimeout(2_500);
        const inPlace = info.outputPath(`inspector-${name}-${scheme}.png`);
        await page.screenshot({ path: inPlace });
        await info.attach(`inspector-${name}-${scheme}`, { path: inPlace, contentType: 'image/png' });
        await page.getByRole('button', { name: 'Expand to the full window' }).click();
        await page.waitForTimeout(300);
        const full = info.outputPath(`inspector-${name}-${scheme}-expanded.png`);
        await page.screenshot({ path: full });
        await info.attach(`inspector-${name}-${scheme}-expanded`, { path: full, contentType: 'image/png' });
      });
    }
  }
});

test("a lesson page reads its capture through one inspector channel: the panel's and the checks' are the same socket", async ({
  page,
}) => {
  const channels: WebSocket[] = [];
  page.on('websocket', (ws) => {
    if (new URL(ws.url()).pathname.startsWith('/inspect/')) channels.push(ws);
  });
  await openLesson(page);
  const config = JSON.parse((await page.locator('.playground').getAttribute('data-config')) ?? '{}') as {
    steps: { id: string }[];
  };
  const step = config.steps[0]?.id ?? '';
  await setCode(page, "const res = await fetch('time'); console.log(await res.text());");
  await run(page);
  // The panel drew the exchange and the checks judged it: both read the capture.
  await expect(rows(page)).toHaveCount(1, { timeout: 15_000 });
  await expect(page.locator('.exercise-card')).toHaveAttribute(`data-traffic-${step}`, 'pass', {
    timeout: 30_000,
  });
  // One socket open for both. A reader that joins after records went by (the checks' module loads
  // on its own time) reconnects the shared channel to get its replay (shared-channel.ts), so the
  // page may have opened a second one after closing the first: count those still open.
  await expect
    .poll(() => channels.filter((ws) => !ws.isClosed()).length, { message: 'inspector channels open' })
    .toBe(1);
  expect(channels.length, 'one at a time: at most one reconnect').toBeLessThanOrEqual(2);
});
