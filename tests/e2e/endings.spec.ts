/**
 * How connections end, seen in a real browser: Stop in the playground closes what the Run
 * opened, and the pcap the panel exports must tell the same story as a real capture of loopback
 * (`tshark`): the same SYN / FIN / RST flags in the same order, the same bytes. Plus the panel
 * after a cut (`sse?drop=1`, `echo?drop=2`), in English and Chinese: FIN first by the server,
 * never "cut without a FIN", and the decoded tree shows the end.
 */
import fs from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import {
  cannotCapture,
  controlFlags,
  followRaw,
  LoopbackCapture,
  packets,
} from '../helpers/loopback-capture.ts';
import { openLesson, run as runCode, setCode, stop } from './helpers.ts';

const port = Number(process.env.E2E_PORT);

async function run(page: Page): Promise<void> {
  await runCode(page);
  await expect(page.locator('.insp')).toBeVisible();
}

/** The connection rows whose request cell shows `path`. */
const row = (page: Page, path: string) =>
  page.locator('.cl-row').filter({ has: page.locator('.cl-req', { hasText: path }) });

/** Exports the capture as pcap from the panel's menu; returns the file's path. */
async function exportPcap(page: Page): Promise<string> {
  await page.locator('.insp-menu > summary').click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /^pcap/ }).click(),
  ]);
  return download.path();
}

/** Client ports of the TCP flows in a pcap written by the panel (the server's port is `port`). */
function clientPorts(file: string): number[] {
  const ports = new Set<number>();
  for (const p of packets(file)) ports.add(p.src === port ? p.dst : p.src);
  return [...ports];
}

test.describe('how connections end', () => {
  // Off until a flake is understood: in one CI run out of three, the SSE row still said "open" 15 s
  // after Stop (twice in a row), while the WebSocket beside it showed its close and FINs.
  test.fixme('Stop in the playground: the exported pcap has the wire’s flags in order, and its bytes', async ({
    page,
  }, info) => {
    test.slow(); // tshark takes seconds to start
    const why = cannotCapture();
    test.skip(why !== undefined, why);
    const cap = await LoopbackCapture.start(port);
    test.skip(typeof cap === 'string', typeof cap === 'string' ? cap : '');
    if (typeof cap === 'string') return;

    await openLesson(page);
    await setCode(
      page,
      [
        "const es = new EventSource('sse');",
        "es.addEventListener('tick', (e) => console.log('tick', e.lastEventId));",
        "const ws = new WebSocket('echo');",
        "ws.onopen = () => ws.send('hello');",
        "ws.onmessage = (e) => console.log('echo', e.data);",
      ].join('\n'),
    );
    await run(page);
    await expect(row(page, 'sse').locator('.cl-state')).toHaveText(/open|已打开/, { timeout: 15_000 });
    await expect(row(page, 'echo').locator('.cl-state')).toHaveText(/open|已打开/, { timeout: 15_000 });
    // A tick has crossed the wire, so the stream is under way when Stop comes.
    await expect(page.locator('.pg-console-list')).toContainText('tick', { timeout: 15_000 });
    await stop(page);
    for (const path of ['sse', 'echo'])
      await expect(row(page, path).locator('.cl-state')).not.toHaveText(/^(open|已打开)$/, {
        timeout: 15_000,
      });

    const exported = await exportPcap(page);
    await cap.settle(port);
    const real = info.outputPath('real.pcap');
    await cap.stop(real);
    fs.copyFileSync(exported, info.outputPath('export.pcap'));

    const realPackets = packets(real);
    const exportPackets = packets(exported);
    const ports = clientPorts(exported);
    expect(ports.length).toBeGreaterThanOrEqual(2);
    const realBytes = followRaw(real, realPackets, ports, port);
    const exportBytes = followRaw(exported, exportPackets, ports, port);
    for (const client of ports) {
      const wire = controlFlags(realPackets, client, port);
      const ours = controlFlags(exportPackets, client, port);
      // No SYN in the export: the connection was reused (the site's bytes came first).
      const expected = ours.includes('in:SYN')
        ? wire
        : wire.filter((f) => f !== 'in:SYN' && f !== 'out:SYN-ACK');
      expect(ours, `port ${client}: the export follows the wire`).toEqual(expected.slice(0, ours.length));
      const rest = expected.slice(ours.length);
      // Only the client's answer to a server that had already closed its socket may be missing.
      if (ours.at(-1) === 'out:FIN' && !ours.includes('in:FIN'))
        expect(rest.every((f) => f === 'in:FIN' || f === 'in:RST') && rest.length <= 1, `${rest}`).toBe(true);
      else expect(rest, `port ${client}: nothing of the wire is missing`).toEqual([]);
      expect(
        ours.some((f) => /:(FIN|RST)$/.test(f)),
        `port ${client}: shows how it ended`,
      ).toBe(true);
      for (const d of ['in', 'out'] as const)
        expect(
          realBytes.get(client)?.[d],
          `port ${client} ${d}: the wire carries the exported bytes`,
        ).toContain(exportBytes.get(client)?.[d] ?? '∅');
    }
  });

  for (const [lang, url] of [
    ['en', '/en/lessons/01-reading-the-wire/'],
    ['zh', '/zh/lessons/01-reading-the-wire/'],
  ] as const) {
    test(`after sse?drop=1 and echo?drop=2 the panel says FIN first by the server, and the tree shows the end (${lang})`, async ({
      page,
    }, info) => {
      test.slow();
      await openLesson(page, url);
      await setCode(
        page,
        [
          "const es = new EventSource('sse?drop=1');",
          'es.onerror = () => {',
          '  es.close();',
          "  const ws = new WebSocket('echo?drop=2');",
          "  ws.onopen = () => { ws.send('one'); ws.send('two'); };",
          "  ws.onclose = (e) => console.log('close', e.code);",
          '};',
        ].join('\n'),
      );
      await run(page);
      await expect(page.locator('.pg-console-list')).toContainText('close 1006', { timeout: 20_000 });
      for (const path of ['sse?drop=1', 'echo?drop=2']) {
        const r = row(page, path).first();
        await expect(r.locator('.cl-state')).toHaveText(/^FIN/, { timeout: 15_000 });
        await r.click();
        const head = page.locator('.insp-dtitle .dh-dur');
        await expect(head).toHaveAttribute('title', lang === 'en' ? /first by the server/ : /服务器先发/);
        await expect(head).not.toHaveAttribute('title', /without a FIN|没有发送 FIN/);
        // The end item of the server's direction, selected: its note says what the end cut short.
        // The dissectors' words, in the page's language (the inspector draws them translated).
        const words =
          lang === 'en'
            ? {
                incomplete: 'incomplete message',
                noClose: 'no Close frame before FIN: close code 1006',
                lastChunk: 'before the last chunk',
              }
            : {
                incomplete: '不完整的消息',
                noClose: 'FIN 之前没有 Close 帧：关闭码 1006',
                lastChunk: '最后一块还没到',
              };
        const tree = page.locator('.ft');
        await expect(tree).toContainText(path.startsWith('sse') ? words.incomplete : 'FIN', {
          timeout: 10_000,
        });
        await page
          .locator('.ft-row', { hasText: /^FIN\+/ })
          .first()
          .click();
        await expect(page.locator('.insp-info')).toContainText(
          path.startsWith('sse') ? 'FIN' : words.noClose,
        );
        if (path.startsWith('sse')) {
          await page.locator('.ft-row', { hasText: words.incomplete }).first().click();
          await expect(page.locator('.insp-info')).toContainText(words.lastChunk);
        }
        // Full window, so the panel's sentences are not cut short in the picture.
        await page.locator('.insp-expand').click();
        const shot = info.outputPath(`ending-${path.split('?')[0]}-${lang}.png`);
        await page.screenshot({ path: shot });
        await info.attach(`ending-${path.split('?')[0]}-${lang}`, { path: shot, contentType: 'image/png' });
        await page.locator('.insp-expand').click();
      }
    });
  }
});
