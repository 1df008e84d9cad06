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
import type { RawData, WebSocket } from 'ws';
import type { Config } from '../config.ts';
import { createSandboxPool, type SandboxPool } from '../sandbox/pool.ts';
import type { GuestRequest } from '../sandbox/protocol.ts';
import { answerText } from './answer.ts';
import { readBody } from './body.ts';
import { bound } from './bounds.ts';
import { allowAnyOrigin, CORS_HEADERS } from './cors.ts';
import type { Feed } from './feed.ts';
import { createConsoles } from './mine-console.ts';
import { responseSink } from './mine-response.ts';
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

/** A WebSocket handshake to `mine/…`: `accept` completes it (the lab's WebSocketServer). */
export interface MineUpgrade {
  readonly req: IncomingMessage;
  readonly socket: Socket;
  readonly session: string;
  readonly feed: Feed;
  readonly rest: string;
  readonly url: URL;
  accept(then: (ws: WebSocket) => void): void;
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
    log: (session: string, level: 'log' | 'info' | 'warn' | 'error', text: string) =>
      consoles.add(session, level, text),
    append(session: string, json: string) {
      const feed = feeds.get(session);
      if (!feed) return;
      if (Buffer.byteLength(json) > cfg.maxMessageBytes) {
        consoles.add(
          session,
          'error',
          `feed.append: ${bound(cfg, 'maxMessageBytes')} reached: the message was not appended.`,
        );
        return;
      }
      const data: unknown = JSON.parse(json);
      feed.append('chat', data);
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
          feed.subscribe((m) => pool?.deliver(session, JSON.stringify(m))),
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
    if (error) consoles.add(session, 'error', `Your code did not start: ${json.text}`);
    else consoles.add(session, 'info', 'Your handler is deployed.');
    answerJson(res, error ? 400 : 200, json);
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
    const rid = p.request(session, request, responseSink(res, socket, lab));
    res.once('close', () => {
      uncount();
      p.closed(session, rid);
    });
  }

  function handleUpgrade({ req, socket, session, feed, rest, url, accept }: MineUpgrade): void {
    const p = poolOf();
    // A browser cannot read a failed handshake's status, but it can read a close code and reason:
    // refusals accept, then close at once (1013 "try again later", as the lab's other WebSockets).
    const refuse = (code: number, text: string): void => {
      lab.note(socket, text);
      accept((ws) => {
        ws.on('error', () => {});
        ws.close(code, closeReason(text));
      });
    };
    if (!p.has(session)) {
      refuse(1008, `No handler is deployed in this session: PUT your code to /lab/${session}/mine first.`);
      return;
    }
    const refused = busy(session) ?? refusal(session)?.text ?? null;
    if (refused) {
      refuse(1013, refused);
      return;
    }
    feeds.set(session, feed);
    const uncount = countOpen(session);
    accept((ws) => {
      let rid = 0;
      const sink = {
        send(text: string) {
          if (ws.readyState !== ws.OPEN) return;
          ws.send(text);
          if (ws.bufferedAmount > cfg.maxBufferedBytes) {
            lab.note(
              socket,
              `${bound(cfg, 'maxBufferedBytes')} reached — the reader fell behind, connection cut`,
            );
            ws.terminate();
          }
        },
        close(code: number, reason: string) {
          ws.close(code, reason);
        },
        fail(text: string) {
          lab.note(socket, text);
          ws.close(1011, closeReason(text));
        },
      };
      const lifetime = setTimeout(() => {
        lab.note(socket, `${bound(cfg, 'maxStreamMs')} reached — WebSocket closed`);
        ws.close(1000, closeReason(`${bound(cfg, 'maxStreamMs')} reached`));
      }, cfg.maxStreamMs);
      ws.on('error', (err) => lab.note(socket, `WebSocket error: ${err.message}`));
      ws.on('message', (data: RawData, isBinary: boolean) => {
        // RFC 6455 §7.4.1: 1003, "a type of data it cannot accept". The handler API is text only.
        if (isBinary) ws.close(1003, 'your handler takes text messages only');
        else p.socketMessage(session, rid, (data as Buffer).toString('utf8'));
      });
      ws.once('close', (code, reason) => {
        clearTimeout(lifetime);
        uncount();
        p.socketClosed(session, rid, code, reason.toString('utf8'));
      });
      rid = p.socket(session, guestRequest(req, rest, url, ''), sink);
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
    handleUpgrade,
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

/** A close reason fits in 123 bytes (RFC 6455 §5.5): the first sentence of `text`, cut if need be. */
function closeReason(text: string): string {
  const first = text.split(': ')[0] ?? text;
  return Buffer.byteLength(first) <= 123 ? first : Buffer.from(first).subarray(0, 120).toString('utf8');
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
