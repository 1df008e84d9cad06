/**
 * CORS for the lab: every answer allows any origin.
 *
 * Learner code runs in an iframe sandboxed without `allow-same-origin`, so its origin is opaque
 * and its requests carry `Origin: null`: to the browser, every lab request is cross-origin. The
 * lab sends no cookies and reads none, so `*` is safe here (and it is why `credentials: 'include'`
 * fails: the Fetch standard forbids `*` with credentials).
 */
import type { ServerResponse } from 'node:http';

/** Headers on every lab response, errors included (a 429 the script cannot read teaches nothing). */
export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  // Response headers a script may read beyond the CORS-safelisted ones.
  'Access-Control-Expose-Headers': 'Retry-After, Allow',
} as const;

/** Methods and request headers a preflight allows. */
export const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  // Content-Type: application/json is not a "simple" type, so POSTing JSON needs a preflight.
  // Last-Event-ID: an SSE client written with fetch() resends it by hand.
  'Access-Control-Allow-Headers': 'Content-Type, Last-Event-ID',
  // Browsers may skip the preflight for this many seconds; short, so lessons show it again.
  'Access-Control-Max-Age': '60',
} as const;

/** The same, as pairs: listed once, not for every response (a class makes a thousand a second). */
const CORS_ENTRIES = Object.entries(CORS_HEADERS);

/** Puts the CORS headers on `res`, before anything else is written. */
export function allowAnyOrigin(res: ServerResponse): void {
  for (const [name, value] of CORS_ENTRIES) res.setHeader(name, value);
}

/** Answers a preflight (`OPTIONS` with `Access-Control-Request-Method`): 204 and what is allowed. */
export function answerPreflight(res: ServerResponse): void {
  res.writeHead(204, PREFLIGHT_HEADERS);
  res.end();
}
