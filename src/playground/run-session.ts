/**
 * The lab session this page runs code in: the tab's own (session.ts), except on a page opened from
 * a hand-in link (share.ts, `…&from=hand-in`, made by the teacher's dashboard).
 *
 * Such a page runs a learner's code in a session of its own, made when the page loads, never
 * stored and never bound to the class. Code can read its session from `document.baseURI`
 * (`/lab/<session>/`) and send it anywhere; in the teacher's session it would hand the learner the
 * teacher's captured bytes (`/inspect/<session>`) and a place in the class room under the
 * teacher's name. In a session of its own it learns only a session nobody else uses.
 */
import { newSessionId, sessionId } from './session.ts';
import { isHandInLink } from './share.ts';

/** The hand-in's session; null on a page of the tab's own; undefined until first asked. */
let own: string | null | undefined;

/** True when this page was opened from a hand-in link (decided at the first call, for the page's life). */
export function showsHandIn(): boolean {
  own ??= isHandInLink(location.hash) ? newSessionId() : null;
  return own !== null;
}

/** The session this page's runs, inspector and checks use. */
export function runSessionId(): string {
  return showsHandIn() && own ? own : sessionId();
}
