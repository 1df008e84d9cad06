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
  holes,
  LoopbackCapture,
  packets,
} from '../helpers/loopback-capture.ts';
import { CaptureModel, type Connection } from '../../src/playground/inspector/model.ts';
import type { ChannelMessage } from '../../src/playground/inspector/protocol.ts';
import { ConnectionDissector } from '../../src/wire/index.ts';
import { InspectorClient } from '../server/capture-harness.ts';
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
  // The SSE row once stayed "open" after Stop although its close record had arrived: the list
  // re-rendered only the rows inside the height it last measured, and while the box grew by a
  // row that could leave the first one out (connection-list.ts, virtual-list.ts).
  test('Stop in the playground: the exported pcap has the wire’s flags in order, and its bytes', async ({
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
    const stats = await cap.stop(real);
    fs.copyFileSync(exported, info.outputPath('export.pcap'));

    const realPackets = packets(real);
    const exportPackets = packets(exported);
    const ports = clientPorts(exported);
    expect(ports.length).toBeGreaterThanOrEqual(2);
    const realBytes = followRaw(real, realPackets, ports, port);
    const exportBytes = followRaw(exported, exportPackets, ports, port);
    // A packet lost at a flow's very end (its last FIN or ACK) leaves no hole behind it: every
    // comparison says how many tshark dropped, so such a failure is not taken for the export's.
    const drops = `tshark dropped ${stats.dropped} of ${stats.received} packets`;
    for (const client of ports) {
      // A packet tshark dropped is a hole in the wire's side, not in the export: say so, not "differs".
      expect(holes(realPackets, client, port), `port ${client}: the real capture is whole (${drops})`).toBe(
        0,
      );
      const wire = controlFlags(realPackets, client, port);
      const ours = controlFlags(exportPackets, client, port);
      // No SYN in the export: the connection was reused (the site's bytes came first).
      const expected = ours.includes('in:SYN')
        ? wire
        : wire.filter((f) => f !== 'in:SYN' && f !== 'out:SYN-ACK');
      // Every flag, the client's answer to a server that closed first included.
      expect(ours, `port ${client}: the export has the wire's flags in order (${drops})`).toEqual(expected);
      expect(
        ours.some((f) => /:(FIN|RST)$/.test(f)),
        `port ${client}: shows how it ended`,
      ).toBe(true);
      for (const d of ['in', 'out'] as const)
        expect(
          realBytes.get(client)?.[d],
          `port ${client} ${d}: the wire carries the exported bytes (${drops})`,
        ).toContain(exportBytes.get(client)?.[d] ?? '∅');
    }
  });

  for (const [lang, url] of [
    ['en', '/en/lessons/07-sse-in-depth/'],
    ['zh', '/zh/lessons/07-sse-in-depth/'],
  ] as const) {
    test(`Last-Event-ID after sse?drop=3 is the last event Chromium dispatched, and the panel names the events it discarded (${lang})`, async ({
      page,
    }, info) => {
      test.slow();
      await openLesson(page, url);
      const session = await page.evaluate(() => sessionStorage.getItem('wl-session'));
      expect(session).toBeTruthy();
      // Five kept messages: each stream starts with a burst (lastEventId=0 in the URL), and drop=3
      // cuts it right after the third, so the cut often comes in the same read as the burst.
      for (let i = 1; i <= 5; i++) {
        const res = await page.request.post(`/lab/${session}/send`, {
          data: `m${i}`,
          headers: { 'Content-Type': 'text/plain' },
        });
        expect(res.ok()).toBe(true);
      }
      const inspector = await InspectorClient.open(port, session!);
      await setCode(
        page,
        [
          'let conn = 0;',
          "const es = new EventSource('sse?lastEventId=0&drop=3&retry=300');",
          "es.onopen = () => { conn += 1; console.log('open', conn); };",
          "const got = (e) => console.log('got', conn, e.lastEventId);",
          "es.addEventListener('chat', got);",
          "es.addEventListener('tick', got);",
          "es.onerror = () => { if (conn >= 2) { es.close(); console.log('closed'); } };",
        ].join('\n'),
      );
      await run(page);
      await expect(page.locator('.pg-console-list')).toContainText('closed', { timeout: 20_000 });

      // What crossed the wire, folded by the panel's own model in this process.
      const model = new CaptureModel({ createDissector: () => new ConnectionDissector() });
      const streams = (): Connection[] =>
        model.connections.filter((c) => c.summary().technique === 'sse' && c.items.length > 0);
      await expect
        .poll(
          () => {
            for (const m of inspector.messages.splice(0)) model.apply(m as unknown as ChannelMessage);
            return streams().length >= 2 && streams()[0]!.closed !== undefined;
          },
          { timeout: 15_000 },
        )
        .toBe(true);
      inspector.ws.close();
      const [first, second] = streams() as [Connection, Connection];
      const onWire = first.items
        .filter((f) => f.kind === 'sse-event' && (f as { dispatched?: boolean }).dispatched)
        .map((f) => (f as { lastEventId?: string }).lastEventId ?? '');
      const header = (
        second.items.find((f) => f.kind === 'http-response') as { requestLastEventId?: string } | undefined
      )?.requestLastEventId;
      // What the page dispatched on the first connection, from its console.
      const lines = (await page.locator('.pg-console-list > *').allTextContents()).join('\n');
      const dispatched = [...lines.matchAll(/got 1 (\d+)/g)].map((m) => m[1]!);
      info.annotations.push({
        type: 'chromium',
        description: `on the wire ${onWire.join(',')}; dispatched ${dispatched.join(',') || 'none'}; Last-Event-ID ${header ?? 'none'}`,
      });
      expect(onWire, 'the cut came after three events').toHaveLength(3);
      // Events are lost only at the end (the read that carried the cut), never in the middle.
      expect(onWire.slice(0, dispatched.length)).toEqual(dispatched);
      // The header is the last event the browser dispatched, whatever crossed the wire after it.
      expect(header ?? '').toBe(dispatched.at(-1) ?? '');

      const discarded = onWire.slice(dispatched.length);
      await row(page, 'sse').nth(1).click();
      const notes = page.locator('.insp-notes');
      if (header === undefined) {
        await expect(notes).toContainText(lang === 'en' ? 'No Last-Event-ID' : '没有 Last-Event-ID');
        await expect(notes).toContainText(discarded.join(', '));
      } else {
        await expect(notes).toContainText(`Last-Event-ID: ${header}`);
        await expect(notes).toContainText(`#${first.index}`);
        if (discarded.length > 0)
          await expect(notes).toContainText(new RegExp(`[:：] ?${discarded.join(', ')}`));
        else await expect(notes).not.toContainText(lang === 'en' ? 'never dispatched' : '没有派发');
      }
      const shot = info.outputPath(`last-event-id-${lang}.png`);
      await page.screenshot({ path: shot });
      await info.attach(`last-event-id-${lang}`, { path: shot, contentType: 'image/png' });
    });
  }

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
