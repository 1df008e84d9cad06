/**
 * Absolute URLs in prerendered pages (`hreflang` alternates, the language switch).
 *
 * Search engines and the HTML spec want `<link rel="alternate" hreflang>` to carry an absolute
 * URL, but a page is built once and then served under whatever name reaches the server: a
 * school's LAN address (`http://192.168.1.20:4321`), a made-up name, `localhost`, a public host.
 * No origin known at build time is right for all of them, so the build writes a placeholder
 * origin and the server (server/static.ts) puts the request's own origin in its place when it
 * serves the page: every learner gets links that work from where they are. A configured origin
 * (`WIRELAB_PUBLIC_ORIGIN`, server/config.ts) wins when one is set, e.g. behind a TLS proxy.
 */

/** What the build writes for "this page's origin"; `.invalid` can never resolve (RFC 6761 §6.4). */
export const PAGE_ORIGIN_PLACEHOLDER = 'http://wire-lab-origin.invalid';

/**
 * The absolute URL of a site path. Built, with the placeholder the server replaces; rendered per
 * request by the dev server (`built` false), with the request's own origin.
 */
export function absoluteUrl(path: string, requestUrl: URL, built: boolean): string {
  return new URL(path, built ? PAGE_ORIGIN_PLACEHOLDER : requestUrl.origin).href;
}
