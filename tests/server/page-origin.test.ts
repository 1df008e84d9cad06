/**
 * Absolute links in prerendered pages (src/page-origin.ts): the server writes the origin each
 * request came in on (a LAN address, a made-up name), or the configured public origin, where the
 * build left its placeholder; a Host header that is not a host gets root-relative links instead.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import zlib from 'node:zlib';
import { createWireLabServer } from '../../server/app.ts';
import { PAGE_ORIGIN_PLACEHOLDER } from '../../src/page-origin.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wl-origin-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.mkdirSync(path.join(dir, 'en'));
// Long enough to be compressed (static.ts compresses text over 512 bytes).
const page = `<!doctype html><html><head><link rel="alternate" hreflang="zh-Hans" href="${PAGE_ORIGIN_PLACEHOLDER}/zh/"></head><body><a hreflang="zh-Hans" href="${PAGE_ORIGIN_PLACEHOLDER}/zh/">中文</a>${'<p>text</p>'.repeat(100)}</body></html>`;
fs.writeFileSync(path.join(dir, 'en', 'index.html'), page);

async function start(publicOrigin: string) {
  const s = await createWireLabServer({
    host: '127.0.0.1',
    port: 0,
    clientDir: dir,
    config: { dataDir: ':memory:', publicOrigin },
  });
  after(() => s.close());
  return s;
}

/** GETs /en/ with the given Host header (and gzip when asked); the body, decompressed. */
function getPage(port: number, host: string, gzip = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        port,
        host: '127.0.0.1',
        path: '/en/',
        headers: { host, ...(gzip ? { 'accept-encoding': 'gzip' } : {}) },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => {
          const body = Buffer.concat(parts);
          assert.equal(res.statusCode, 200);
          resolve(
            (res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(body) : body).toString('utf8'),
          );
        });
      },
    );
    req.on('error', reject);
  });
}

const links = (html: string) => [...html.matchAll(/hreflang="zh-Hans" href="([^"]*)"/g)].map((m) => m[1]);

test('a page names the alternate language with the origin the request came in on: LAN address, made-up name, localhost', async () => {
  const s = await start('');
  for (const host of [
    '192.168.1.20:4321',
    'lan.test:8080',
    'localhost:4321',
    '[fe80::1]:4321',
    'Classroom-7',
  ]) {
    const origin = `http://${host.toLowerCase()}`;
    for (const gzip of [false, true]) {
      const html = await getPage(s.port, host, gzip);
      assert.deepEqual(links(html), [`${origin}/zh/`, `${origin}/zh/`], `${host}${gzip ? ' (gzip)' : ''}`);
      assert.ok(!html.includes(PAGE_ORIGIN_PLACEHOLDER));
    }
  }
});

test('a Host header that is not a host gets root-relative links, never its text in the page', async () => {
  const s = await start('');
  for (const host of ['evil.example/"><script>alert(1)</script>', 'a b', 'x.test:99999999']) {
    const html = await getPage(s.port, host);
    assert.deepEqual(links(html), ['/zh/', '/zh/'], host);
    assert.ok(!html.includes('<script>alert'));
  }
});

test('WIRELAB_PUBLIC_ORIGIN, when set, is written whatever the Host', async () => {
  const s = await start('https://wirelab.example.org');
  const html = await getPage(s.port, '10.0.0.5:4321', true);
  assert.deepEqual(links(html), ['https://wirelab.example.org/zh/', 'https://wirelab.example.org/zh/']);
});
