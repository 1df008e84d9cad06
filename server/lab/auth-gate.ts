/**
 * Who may open `ws` and `sse`: the options of lesson 18, checked before the handshake is answered
 * (so a refusal is a real HTTP status: 400, 401 or 403, with a body saying why).
 *
 * - `ticket=T` (ws, sse): T must be a ticket from `POST ticket` for this session, unused and
 *   unexpired (tickets.ts). It is spent by this request, refused or not by what follows.
 * - `auth=first` (ws): no ticket in the URL; the first message must carry it (ws-auth.ts). Here
 *   only the value is checked.
 * - `origin=check` (ws): the handshake's `Origin` must be this site's own. Browsers send `Origin`
 *   on every WebSocket handshake and apply no CORS to it (RFC 6455 §10.2, §4.2.1 item 8): a page
 *   on any site may open a WebSocket to this one, and the browser attaches this site's cookies.
 *   A server that trusts those cookies must check `Origin` itself, or any site the user visits
 *   can speak for the user (cross-site WebSocket hijacking). The check protects browser users
 *   only: a program that is not a browser can send any `Origin` it likes.
 */
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.ts';
import type { Tickets } from './tickets.ts';

export interface GateRefusal {
  readonly status: 400 | 401 | 403;
  readonly text: string;
  readonly headers: Record<string, string>;
}

/** RFC 9110 §15.5.2: a 401 names how to authenticate; "Ticket" is the lab's own scheme (no browser dialog). */
const CHALLENGE = { 'WWW-Authenticate': 'Ticket realm="lab", ticket_endpoint="ticket"' };

const refuse = (status: GateRefusal['status'], text: string): GateRefusal => ({
  status,
  text,
  headers: status === 401 ? CHALLENGE : {},
});

/** This site's origin as the request reached it: `publicOrigin` when set, else its Host. */
function sameSite(origin: string, req: IncomingMessage, cfg: Config): boolean {
  if (cfg.publicOrigin !== '') return origin === cfg.publicOrigin;
  // Without publicOrigin the scheme is unknown (a TLS proxy may sit in front): compare host:port.
  try {
    return new URL(origin).host === (req.headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}

function checkOrigin(req: IncomingMessage, cfg: Config): GateRefusal | null {
  const origin = req.headers.origin;
  if (origin === undefined)
    return refuse(
      403,
      'origin=check: this handshake has no Origin header. Browsers always send one; the lab refuses a handshake that does not name this site.',
    );
  if (origin === 'null')
    return refuse(
      403,
      'origin=check: Origin: null is an opaque origin (a sandboxed frame such as the playground runner, a file: page, a redirect). It names no site, so it is not this site.',
    );
  if (!sameSite(origin, req, cfg))
    return refuse(
      403,
      `origin=check: Origin ${origin.slice(0, 100)} is not this site (${cfg.publicOrigin || (req.headers.host ?? '?')}). A page of another site may not open this WebSocket.`,
    );
  return null;
}

/** What to refuse before `endpoint` runs, or null to let it run. `params` is the request's query. */
export function checkGate(
  endpoint: string,
  params: URLSearchParams,
  req: IncomingMessage,
  session: string,
  tickets: Tickets,
  cfg: Config,
): GateRefusal | null {
  if (endpoint !== 'ws' && endpoint !== 'sse') return null;
  for (const name of ['ticket', 'auth', 'origin'])
    if (params.getAll(name).length > 1)
      return refuse(400, `Query parameter ${name} is given twice: give it once.`);
  const auth = params.get('auth');
  const origin = params.get('origin');
  const ticket = params.get('ticket');
  if (endpoint === 'sse' && auth !== null)
    return refuse(
      400,
      'auth=first is for ws: an EventSource cannot send a first message. Put a ticket in the URL (sse?ticket=…).',
    );
  if (endpoint === 'sse' && origin !== null)
    return refuse(
      400,
      'origin=check is for ws: for fetch and EventSource, CORS already keeps other sites from reading the answer.',
    );
  if (auth !== null && auth !== 'first')
    return refuse(400, `Bad query parameter auth=${JSON.stringify(auth.slice(0, 40))}: expected "first".`);
  if (origin !== null && origin !== 'check')
    return refuse(
      400,
      `Bad query parameter origin=${JSON.stringify(origin.slice(0, 40))}: expected "check".`,
    );
  if (auth === 'first' && ticket !== null)
    return refuse(
      400,
      'ticket= and auth=first do not go together: send the ticket in the URL or in the first message.',
    );
  if (origin === 'check') {
    const refused = checkOrigin(req, cfg);
    if (refused) return refused;
  }
  if (ticket === null) return null;
  const redeemed = tickets.redeem(session, ticket);
  return redeemed.ok ? null : refuse(redeemed.status, redeemed.text);
}
