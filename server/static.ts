/**
 * Serves the built client folder (`dist/client`): hashed assets, prerendered
 * pages, the Monaco workers. Astro's middleware mode leaves this to the host.
 *
 * - `/_astro/…` names carry a content hash: cached for a year, immutable.
 * - Everything else (pages, favicon) is revalidated with an ETag.
 * - Pages get the site's CSP; the runner page (`/runner/`) gets its own (security-headers.ts).
 * - Text is compressed (brotli, else gzip) once, on first request, and kept.
 * - Pages carry a placeholder origin in their absolute links (src/page-origin.ts): it becomes the
 *   configured public origin, else the origin the request came in on.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  inlineScriptHashes,
  pageSecurityHeaders,
  RUNNER_PAGE,
  runnerSecurityHeaders,
} from './security-headers.ts';
import { PAGE_ORIGIN_PLACEHOLDER } from '../src/page-origin.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.pf_meta': 'application/octet-stream',
  '.pf_fragment': 'application/octet-stream',
  '.pf_index': 'application/octet-stream',
};

const COMPRESSIBLE = /^(text\/|application\/(json|xml|manifest)|image\/svg)/;

interface FileEntry {
  body: Buffer;
  type: string;
  etag: string;
  encoded: Map<string, Buffer>;
  /** For pages: hashes of their inline scripts, for the CSP. */
  scriptHashes: string[];
  /** Whether the body holds the placeholder origin, to be replaced per request. */
  hasOrigin: boolean;
}

/**
 * Different origins a page's compressed copies are kept for: the Host header is the client's to
 * choose, so the cache of per-origin copies must not grow with it. Past this, copies are made
 * per request (a few ms each). A classroom reaches the server under one or two names.
 */
const ORIGINS_KEPT = 8;

/**
 * A Host header as browsers send it: a DNS name or IPv4 address, or a bracketed IPv6 address,
 * with an optional port (RFC 9110 §7.2, RFC 3986 §3.2.2). Anything else gets no absolute URL.
 */
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The origin a page's absolute links get: the configured one, else the request's own. This
 * server speaks plain http itself (TLS, if any, ends in a proxy, which should set
 * WIRELAB_PUBLIC_ORIGIN). With no usable Host, the links become root-relative, still working.
 */
export function pageOrigin(req: IncomingMessage, publicOrigin: string): string {
  if (publicOrigin) return publicOrigin;
  const host = String(req.headers.host ?? '');
  return HOST.test(host) ? `http://${host.toLowerCase()}` : '';
}

export interface StaticFiles {
  /** Answers a GET/HEAD for a file under the folder; returns false when there is none. */
  serve(req: IncomingMessage, res: ServerResponse): boolean;
  /** Answers 404 with the site's own not-found page (plain text if it has none). */
  notFound(req: IncomingMessage, res: ServerResponse): void;
}

export function createStaticFiles(root: string, publicOrigin = ''): StaticFiles {
  const base = path.resolve(root);
  const cache = new Map<string, FileEntry>();

  function load(rel: string): FileEntry | null {
    const hit = cache.get(rel);
    if (hit !== undefined) return hit;
    const file = path.join(base, rel);
    let entry: FileEntry | null = null;
    try {
      if (fs.statSync(file).isFile()) {
        const body = fs.readFileSync(file);
        const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
        const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`;
        const html = type.startsWith('text/html');
        const scriptHashes = html ? inlineScriptHashes(body.toString('utf8')) : [];
        const hasOrigin = html && body.includes(PAGE_ORIGIN_PLACEHOLDER);
        entry = { body, type, etag, encoded: new Map(), scriptHashes, hasOrigin };
      }
    } catch {
      entry = null;
    }
    // Only files are kept: a miss is not, so requests for made-up paths cannot grow the cache.
    if (entry) cache.set(rel, entry);
    return entry;
  }

  /** The file a URL path names: `/a/` → `a/index.html`, `/a` → `a`, `a.html` or `a/index.html`. */
  function resolve(urlPath: string): { rel: string; entry: FileEntry } | null {
    const candidates = urlPath.endsWith('/')
      ? [`${urlPath}index.html`]
      : [urlPath, `${urlPath}.html`, `${urlPath}/index.html`];
    for (const c of candidates) {
      const rel = path.posix.normalize(c).replace(/^\/+/, '');
      if (rel.startsWith('..') || rel.includes('\0')) return null;
      const entry = load(rel);
      if (entry) return { rel, entry };
    }
    return null;
  }

  return {
    notFound(req, res) {
      const page = load('404.html');
      const wantsHtml = /text\/html/.test(String(req.headers.accept ?? ''));
      if (page && wantsHtml) {
        const body = page.hasOrigin
          ? Buffer.from(
              page.body.toString('utf8').replaceAll(PAGE_ORIGIN_PLACEHOLDER, pageOrigin(req, publicOrigin)),
            )
          : page.body;
        res.writeHead(404, {
          'content-type': page.type,
          'content-length': String(body.length),
          'cache-control': 'no-cache',
          ...pageSecurityHeaders(page.scriptHashes),
        });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found.\n');
    },
    serve(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const raw = (req.url ?? '/').split('?')[0] ?? '/';
      let urlPath: string;
      try {
        urlPath = decodeURIComponent(raw);
      } catch {
        return false;
      }
      if (urlPath.includes('\\')) return false;
      const found = resolve(urlPath);
      if (!found) return false;
      const { rel, entry } = found;
      const headers: Record<string, string> = {
        'content-type': entry.type,
        etag: entry.etag,
        vary: 'Accept-Encoding',
        'x-content-type-options': 'nosniff',
        'cache-control': rel.startsWith('_astro/')
          ? 'public, max-age=31536000, immutable'
          : 'public, max-age=0, must-revalidate',
      };
      if (rel === RUNNER_PAGE) Object.assign(headers, runnerSecurityHeaders());
      else if (entry.type.startsWith('text/html'))
        Object.assign(headers, pageSecurityHeaders(entry.scriptHashes));
      // The runner frame's origin is opaque, so the module scripts it loads (its own, jQuery)
      // are cross-origin requests to it and need CORS. Built assets are public anyway.
      if (rel.startsWith('_astro/')) headers['access-control-allow-origin'] = '*';
      if (req.headers['if-none-match'] === entry.etag) {
        res.writeHead(304, headers);
        res.end();
        return true;
      }
      // The same URL under another host is another cache entry in every browser and proxy, so
      // one ETag for the page under every origin is right.
      const origin = entry.hasOrigin ? pageOrigin(req, publicOrigin) : '';
      let body = entry.hasOrigin
        ? Buffer.from(entry.body.toString('utf8').replaceAll(PAGE_ORIGIN_PLACEHOLDER, origin))
        : entry.body;
      const encoding = COMPRESSIBLE.test(entry.type) && body.length > 512 ? pickEncoding(req) : undefined;
      if (encoding) {
        const key = entry.hasOrigin ? `${encoding} ${origin}` : encoding;
        let packed = entry.encoded.get(key);
        if (!packed) {
          packed =
            encoding === 'br'
              ? zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } })
              : zlib.gzipSync(body, { level: 6 });
          if (entry.encoded.size < ORIGINS_KEPT * 2) entry.encoded.set(key, packed);
        }
        body = packed;
        headers['content-encoding'] = encoding;
      }
      headers['content-length'] = String(body.length);
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}

function pickEncoding(req: IncomingMessage): 'br' | 'gzip' | undefined {
  const accept = String(req.headers['accept-encoding'] ?? '');
  if (/\bbr\b/.test(accept)) return 'br';
  if (/\bgzip\b/.test(accept)) return 'gzip';
  return undefined;
}
