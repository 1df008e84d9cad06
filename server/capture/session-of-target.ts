/**
 * Which session a request target names. The capture decides from the raw
 * request line, before Node's parser and before routing, so it must read the
 * path the way the router will: WHATWG URL rules (dot segments resolved,
 * `%2e` is a dot, `\` is a slash), then `/lab/<session>/…`.
 */
import { parseLabPath } from '../session-path.ts';
import { pathOfTarget } from '../target-path.ts';

/** Returns the session of a `/lab/<session>/…` request target, or null for anything else. */
export function sessionOfTarget(target: string): string | null {
  // The lab and the router read the path this way too (target-path.ts): the same bytes, the same session.
  const path = pathOfTarget(target);
  if (path === null) return null; // Node answers 400; nobody's bytes
  if (!path.startsWith('/lab/')) return null;
  const lab = parseLabPath(path);
  if (!lab.ok) return null;
  // `mine` itself (PUT the handler, GET its console) is the playground's own housekeeping, asked
  // by the lesson page each Run and each second while it runs: not the learner's traffic. What
  // the handler answers, `mine/<path>`, is.
  if (lab.endpoint === 'mine') return null;
  return lab.session;
}
