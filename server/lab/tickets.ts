/**
 * One-time tickets: how a page proves who it is when the connection it opens cannot carry a
 * header. `new WebSocket(url)` and `new EventSource(url)` let a script set no `Authorization`
 * header, so the page first asks `POST ticket` over an ordinary request (where a real site would
 * check its cookie or token) and puts the answer in the URL it opens. A ticket in a URL ends up in
 * logs, so it is worth as little as possible there: random, bound to one session, good for one
 * connection and for `ticketTtlMs` only.
 *
 * Memory is bounded twice: a session holds at most `maxTicketsPerSession` unused tickets (and
 * sessions are bounded by admission), and the spent tickets remembered to explain a refusal
 * ("already used", "expired") are at most `maxSessions × maxTicketsPerSession`, oldest forgotten
 * first. A forgotten one is refused all the same, only with a vaguer reason.
 */
import { randomBytes } from 'node:crypto';
import { bound } from './bounds.ts';
import type { Config } from '../config.ts';

export type Issued =
  | { ok: true; ticket: string; expiresInS: number }
  | { ok: false; text: string; retryAfterS: number };

/** 401: no valid credential (RFC 9110 §15.5.2); 403: a valid one, not for this (§15.5.4). */
export type Redeemed = { ok: true } | { ok: false; status: 401 | 403; text: string; short: string }; // short: fits a close reason

export interface Tickets {
  issue(session: string, now?: number): Issued;
  /** Uses `ticket` for `session`: it is good once. Any other outcome says why. */
  redeem(session: string, ticket: string, now?: number): Redeemed;
  /** Tickets remembered, unused and spent (for tests and stats). */
  readonly size: number;
}

interface Live {
  readonly session: string;
  readonly expires: number;
}

interface Spent {
  readonly session: string;
  readonly why: 'used' | 'expired' | 'refused';
  readonly at: number;
}

const AGAIN = 'fetch a new one (POST ticket) and open the connection with it';

export function createTickets(cfg: Config): Tickets {
  /** Unused tickets, in the order issued: with one TTL for all, also the order they expire. */
  const live = new Map<string, Live>();
  /** Each session's unused tickets, to count them. */
  const bySession = new Map<string, Set<string>>();
  /** Spent tickets, oldest first, kept only to say why one is refused. */
  const spent = new Map<string, Spent>();
  const spentCap = cfg.maxSessions * cfg.maxTicketsPerSession;

  const spend = (ticket: string, entry: Live, why: Spent['why'], at: number): void => {
    live.delete(ticket);
    const mine = bySession.get(entry.session);
    mine?.delete(ticket);
    if (mine?.size === 0) bySession.delete(entry.session);
    spent.set(ticket, { session: entry.session, why, at });
    while (spent.size > spentCap) spent.delete(spent.keys().next().value as string);
  };

  /** Moves expired tickets out of `live` (they are at its front). */
  const sweep = (now: number): void => {
    for (const [ticket, entry] of live) {
      if (entry.expires > now) break;
      spend(ticket, entry, 'expired', entry.expires);
    }
  };

  return {
    issue(session, now = Date.now()) {
      sweep(now);
      const mine = bySession.get(session);
      if (mine && mine.size >= cfg.maxTicketsPerSession) {
        const oldest = live.get(mine.values().next().value as string);
        const retryAfterS = Math.max(1, Math.ceil(((oldest?.expires ?? now) - now) / 1000));
        return {
          ok: false,
          text: `${bound(cfg, 'maxTicketsPerSession')} reached: this session holds ${mine.size} unused tickets. Use one, or retry in ${retryAfterS} s when the oldest expires.`,
          retryAfterS,
        };
      }
      const ticket = randomBytes(18).toString('base64url'); // 144 random bits: not guessable
      live.set(ticket, { session, expires: now + cfg.ticketTtlMs });
      if (mine) mine.add(ticket);
      else bySession.set(session, new Set([ticket]));
      return { ok: true, ticket, expiresInS: Math.round(cfg.ticketTtlMs / 1000) };
    },

    redeem(session, ticket, now = Date.now()) {
      sweep(now);
      const entry = live.get(ticket);
      if (entry) {
        if (entry.session !== session) {
          // A ticket shown by the wrong page has leaked: it is spent, so its owner cannot be impersonated later.
          spend(ticket, entry, 'refused', now);
          return {
            ok: false,
            status: 403,
            text: 'This ticket was issued to another session: a ticket opens a connection only for the session that asked for it. It is now spent.',
            short: 'ticket issued to another session',
          };
        }
        spend(ticket, entry, 'used', now);
        return { ok: true };
      }
      const old = spent.get(ticket);
      if (old && old.session !== session)
        return {
          ok: false,
          status: 403,
          text: `This ticket was issued to another session, and it is spent anyway: ${AGAIN}.`,
          short: 'ticket issued to another session',
        };
      if (old?.why === 'used')
        return {
          ok: false,
          status: 401,
          text: `This ticket was already used ${Math.round((now - old.at) / 1000)} s ago: a ticket opens one connection only (a reconnect needs a new one); ${AGAIN}.`,
          short: 'ticket already used: one ticket, one connection',
        };
      if (old?.why === 'expired')
        return {
          ok: false,
          status: 401,
          text: `This ticket expired ${Math.round((now - old.at) / 1000)} s ago (${bound(cfg, 'ticketTtlMs')}): ${AGAIN}.`,
          short: `ticket expired (${bound(cfg, 'ticketTtlMs')})`,
        };
      if (old)
        return {
          ok: false,
          status: 401,
          text: `This ticket was spent when another session showed it: ${AGAIN}.`,
          short: 'ticket spent',
        };
      return {
        ok: false,
        status: 401,
        text: `No such ticket: this server never issued it (forged or mistyped), or it is too old to remember; ${AGAIN}.`,
        short: 'no such ticket',
      };
    },

    get size() {
      return live.size + spent.size;
    },
  };
}
