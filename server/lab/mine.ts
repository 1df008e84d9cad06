/**
 * `/lab/<session>/mine` — the learner's own server: code they write, run in a QuickJS sandbox
 * (server/sandbox/), answering real requests on real sockets under their session's path. The
 * capture taps these sockets like any other lab endpoint's, so the inspector shows the bytes the
 * learner's code wrote.
 *
 *   PUT    /lab/<session>/mine         the handler's source: 200 {"ok":true}, or 400 with the
 *                                      learner's error, line and column (413 past sandboxSourceBytes)
 *   GET    /lab/<session>/mine         {"deployed": …, "console": [...]} (lines after ?after=<seq>)
 *   DELETE /lab/<session>/mine         forgets the code and its sandbox (204)
 *   *      /lab/<session>/mine/<path>  answered by the learner's `onRequest((req, res) => …)`
 *
 * Requests under `mine/` carry no lab CORS header and get no preflight answer from the lab: the
 * learner's handler decides both (a lesson teaches them). The server's own refusals (429, 503,
 * 500) do carry `Access-Control-Allow-Origin: *`, so the learner's page can read why.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config.ts';
import { type SaidRef, say } from '../sandbox/console-texts.ts';
import { createSandboxPool, type SandboxPool } from '../sandbox/pool.ts';
import type { GuestRequest } from '../sandbox/protocol.ts';
import { answerText } from './answer.ts';
import { readBody } from './body.ts';
import { bound } from './bounds.ts';
import { allowAnyOrigin, CORS_HEADERS } from './cors.ts';
import { appendQuietly, type Feed } from './feed.ts';
import { messageJson } from './message-text.ts';
import { createConsoles } from './mine-console.ts';
import { responseSink } from './mine-response.ts';
import { type MineUpgrade, serveSocket } from './mine-socket.ts';
import type { LabRuntime } from './request.ts';

/** Is this endpoint (the path after `/lab/<session>/`) the learner's own? */
export function isMine(endpoint: string): boolean {
  return endpoint === 'mine' || endpoint.startsWith('mine/');
}

export interface MineRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly socket: Socket;
  readonly session: string;
  /** The session's feed (or its class room's): what `feed.*` in the sandbox reads and appends to. */
  readonly feed: Feed;
  /** The path after `mine` (`''` for the control endpoint, `/…` for the handler). */
  readonly rest: string;
  readonly url: URL;
}

export interface Mine {
  handle(ctx: MineRequest): void;
  /** Gives a WebSocket to the learner's `onWebSocket` handlers. */
  handleUpgrade(ctx: MineUpgrade): void;
  close(): Promise<void>;
}

/** `exists(session)`: the lab still knows the session; the code, sandbox and console of one it forgot go too. */
export function createMine(cfg: Config, lab: LabRuntime, exists: (session: string) => boolean): Mine {
  const consoles = createConsoles(cfg.sandboxConsoleLines);
  const feeds = new Map<string, Feed>();
  const subscriptions = new Map<string, () => void>();
  const open = new Map<string, number>();
  let pool: SandboxPool | undefined; // started on the first deploy: a server nobody codes on runs no workers

  const hooks = {
    log: (session: string, level: 'log' | 'info' | 'warn' | 'error', text: string, said?: SaidRef) =>
      consoles.add(session, level, text, said),
    append(session: string, json: string) {
      const feed = feeds.get(session);
      if (!feed) return;
      if (Buffer.byteLength(json) > cfg.maxMessageBytes) {
        const said = say('appendTooLarge', { bound: 'maxMessageBytes', limit: cfg.maxMessageBytes });
        consoles.add(session, 'error', said.text, said);
        return;
      }
      // The guest made this JSON with its own JSON.stringify, which its code may have replaced.
      let data: unknown;
      try {
        data = JSON.parse(json);
      } catch {
        const said = say('appendNotJson');
        consoles.add(session, 'error', said.text, said);
        return;
      }
      appendQuietly(feed, data);
    },
    read(session: string, since: number) {
      const feed = feeds.get(session);
      return JSON.stringify(feed ? feed.after(since) : { messages: [], missed: 0 });
    },
    subscribe(session: string, on: boolean) {
      subscriptions.get(session)?.();
      subscriptions.delete(session);
      const feed = feeds.get(session);
      if (on && feed) {
        subscriptions.set(
          session,
          feed.subscribe((m) => pool?.deliver(session, messageJson(m))),
        );
      }
    },
  };
  const poolOf = (): SandboxPool => {
    pool ??= createSandboxPool(cfg, hooks);
    return pool;
  };

  /**
   * `sandboxQuarantineMs` after the session's handler stalled a worker, then `maxSandboxes`: a
   * session whose runtime is not alive needs a free place to start one. Null: it may run.
   */
  const refusal = (session: string): { text: string; retryAfterS: number } | null => {
    const p = poolOf();
    const held = p.quarantined(session);
    if (held > 0) {
      const wait = Math.ceil(held / 1000);
      const text = `${bound(cfg, 'sandboxQuarantineMs')}: your handler stalled a sandbox worker, so your code may not run for a while. Fix it, then try again in ${wait} s.`;
      return { text, retryAfterS: wait };
    }
    if (p.live(session) || p.liveCount < cfg.maxSandboxes) return null;
    const wait = Math.ceil(cfg.sandboxIdleMs / 1000);
    const text = `${bound(cfg, 'maxSandboxes')} reached: the server runs ${p.liveCount} sandboxes, all in use. Try again in ${wait} s, when idle ones are disposed.`;
    return { text, retryAfterS: wait };
  };
  const roomFor = (session: string, res: ServerResponse): boolean => {
    const refused = refusal(session);
    if (refused) answerText(res, 503, refused.text, { 'Retry-After': String(refused.retryAfterS) });
    return refused === null;
  };

  /** The request as the guest reads it. */
  const guestRequest = (req: IncomingMessage, rest: string, url: URL, body: string): GuestRequest => ({
    method: req.method ?? 'GET',
    path: rest === '' ? '/' : rest,
    query: Object.fromEntries(url.searchParams),
    headers: Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
    ),
    body,
    lastEventId: (req.headers['last-event-id'] as string | undefined) ?? null,
  });

  /** `sandboxMaxConnections`: the refusal, or null when the handler may take one more. */
  const busy = (session: string): string | null => {
    const count = open.get(session) ?? 0;
    if (count < cfg.sandboxMaxConnections) return null;
    return `${bound(cfg, 'sandboxMaxConnections')} reached: your handler is answering ${count} requests already. End some responses (res.end()) or close them on the client first.`;
  };
  const countOpen = (session: string): (() => void) => {
    open.set(session, (open.get(session) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      open.set(session, (open.get(session) ?? 1) - 1);
    };
  };

  async function deploy({ req, res, session, feed }: MineRequest): Promise<void> {
    const body = await readBody(req, cfg.sandboxSourceBytes);
    if (body === null) {
      const text = `${bound(cfg, 'sandboxSourceBytes')} reached: your handler's source is larger than ${cfg.sandboxSourceBytes} bytes.`;
      answerText(res, 413, text);
      return;
    }
    if (!roomFor(session, res)) return;
    feeds.set(session, feed);
    const error = await poolOf().deploy(session, body.toString('utf8'));
    const json = error
      ? {
          ok: false,
          error,
          text: `${error.name}: ${error.message}${error.line ? ` (line ${error.line}${error.column ? `, column ${error.column}` : ''})` : ''}`,
        }
      : { ok: true };
    const said = error ? say('notStarted', { what: json.text }) : say('deployed');
    const seq = consoles.add(session, error ? 'error' : 'info', said.text, said);
    // `seq` of that console line: the playground reads `?after=<seq>`, what this deploy's code says.
    answerJson(res, error ? 400 : 200, { ...json, seq });
  }

  async function serve({ req, res, socket, session, feed, rest, url }: MineRequest): Promise<void> {
    const p = poolOf();
    if (!p.has(session)) {
      answerText(
        res,
        404,
        `No handler is deployed in this session: PUT your code to /lab/${session}/mine first (the playground's Run does).`,
      );
      return;
    }
    const tooMany = busy(session);
    if (tooMany) {
      answerText(res, 429, tooMany, { 'Retry-After': '1' });
      return;
    }
    if (!roomFor(session, res)) return;
    const body = await readBody(req, cfg.maxMessageBytes);
    if (body === null) {
      answerText(
        res,
        413,
        `${bound(cfg, 'maxMessageBytes')} reached: the request body is too large for your handler.`,
      );
      return;
    }
    if (res.destroyed) return;
    feeds.set(session, feed);
    const uncount = countOpen(session);
    // From here on, the head is the learner's: no lab CORS header unless their code sets one.
    for (const name of Object.keys(CORS_HEADERS)) res.removeHeader(name);
    const request = guestRequest(req, rest, url, body.toString('utf8'));
    // The exact bytes too (req.bodyBytes), copied so no pooled buffer of Node's crosses to the worker.
    const bytes = body.length > 0 ? Uint8Array.from(body) : undefined;
    const rid = p.request(session, request, responseSink(res, socket, lab), bytes);
    // At shutdown a stream under way ends properly (the last chunk), one not started is a 503.
    const unregister = lab.onShutdown(() => {
      if (res.headersSent) res.end();
      else {
        allowAnyOrigin(res);
        answerText(res, 503, 'The server is shutting down; try again in a moment.', { 'Retry-After': '5' });
      }
    });
    res.once('close', () => {
      unregister();
      uncount();
      p.closed(session, rid);
    });
  }

  function control(ctx: MineRequest): void {
    const { req, res, session, url } = ctx;
    switch (req.method) {
      case 'PUT':
        deploy(ctx).catch(() => res.destroy());
        return;
      case 'GET': {
        const after = Number(url.searchParams.get('after') ?? 0);
        answerJson(res, 200, {
          deployed: pool?.has(session) ?? false,
          console: consoles.after(session, Number.isFinite(after) ? after : 0),
        });
        return;
      }
      case 'DELETE':
        forget(session);
        res.writeHead(204).end();
        return;
      default:
        answerText(
          res,
          405,
          `mine takes PUT (your code), GET (its console) or DELETE, not ${req.method}. Your handler answers under mine/…`,
          {
            Allow: 'PUT, GET, DELETE, OPTIONS',
          },
        );
    }
  }

  function forget(session: string): void {
    pool?.drop(session);
    subscriptions.get(session)?.();
    subscriptions.delete(session);
    feeds.delete(session);
    consoles.drop(session);
  }

  const sweeper = setInterval(() => {
    for (const session of new Set([...feeds.keys(), ...consoles.sessions()]))
      if (!exists(session)) forget(session);
  }, 60_000);
  sweeper.unref();

  return {
    handleUpgrade(ctx) {
      const p = poolOf();
      serveSocket(ctx, {
        cfg,
        lab,
        pool: p,
        refusal: (session) => busy(session) ?? refusal(session)?.text ?? null,
        countOpen,
        guestRequest,
        remember: (session, feed) => feeds.set(session, feed),
        onShutdown: lab.onShutdown,
      });
    },
    handle(ctx) {
      if (ctx.rest === '') {
        control(ctx);
        return;
      }
      serve(ctx).catch((err: unknown) => {
        lab.note(ctx.socket, `lab error: ${(err as Error)?.message ?? err}`);
        if (!ctx.res.headersSent) {
          allowAnyOrigin(ctx.res);
          answerText(
            ctx.res,
            500,
            'The lab failed on this request. This is a bug in Wire Lab: please report it.',
          );
        } else ctx.res.destroy();
      });
    },
    async close() {
      clearInterval(sweeper);
      for (const unsubscribe of subscriptions.values()) unsubscribe();
      subscriptions.clear();
      await pool?.close();
    },
  };
}

function answerJson(res: ServerResponse, status: number, value: unknown): void {
  const body = `${JSON.stringify(value)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}
