/**
 * Headers every site page carries. The Content-Security-Policy allows what
 * the site needs (its own scripts, styles and workers, the inspector and lab
 * over ws:/wss: on the same host, and the inline scripts the page itself
 * carries, by hash) and nothing more: no third-party origin, no eval in the
 * lesson page, no plugin, no framing by other sites.
 */
import { createHash } from 'node:crypto';

/** The sha256 CSP sources of every inline `<script>` in a page. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    const body = m[1] ?? '';
    if (body.trim() === '') continue;
    hashes.push(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/** Security headers for a page whose inline scripts have these hashes. */
export function pageSecurityHeaders(scriptHashes: readonly string[] = []): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'self'",
      // 'wasm-unsafe-eval': the lesson search index is WebAssembly (no JavaScript eval).
      `script-src 'self' 'wasm-unsafe-eval' ${scriptHashes.join(' ')}`.trim(),
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self' data:",
      "connect-src 'self'",
      "worker-src 'self' blob:",
      "frame-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'self'",
    ].join('; '),
    'referrer-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
  };
}

/** The page learner code runs in (`/runner/`, built from src/pages/runner.astro). */
export const RUNNER_PAGE = 'runner/index.html';

/**
 * Security headers for the runner page. Learner code is inserted as inline `<script>`s and may
 * use eval, so this page alone allows both; it is only ever loaded into an iframe sandboxed
 * with `allow-scripts` (opaque origin: no cookies, no storage, no access to the lesson page),
 * and the CSP's own `sandbox` keeps it so even when opened directly. `connect-src 'self'`:
 * learner code may talk to this server only ('self' still means this host in an opaque-origin
 * frame, and covers ws: to it — checked in Chromium, see docs/playground.md).
 */
export function runnerSecurityHeaders(): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "media-src 'self' data: blob:",
      "font-src 'self' data:",
      "connect-src 'self'",
      "worker-src 'self' blob:",
      "frame-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'none'",
      "frame-ancestors 'self'",
      'sandbox allow-scripts',
    ].join('; '),
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  };
}
