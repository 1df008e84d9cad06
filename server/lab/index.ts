/**
 * The lab: the sandbox endpoints under `/lab/<session>/` that learners' code talks to.
 *
 * Every request passes the same gate, in this order: a valid path and session id (400), a known
 * endpoint (404) and method (405), a valid query (400), the admission bounds (503 sessions,
 * 429 rate, 429 connections; close 1013 on a WebSocket), then the faults asked for (`delay=`,
 * `drop=0`, `status=`), then the endpoint's handler. Everything is answered with CORS headers.
 * The admission bounds include each client address's fair share of the server-wide tables
 * (sessions.ts, rooms.ts, docs/lab-api.md "Fair shares").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { addressKey } from '../client-address.ts';
import type { Config } from '../config.ts';
import { type LabPath, parseLabPath, SESSION_ID_PATTERN } from '../session-path.ts';
import { admit } from './admission.ts';
import { answerText, refuseUpgrade } from './answer.ts';
import { bound } from './bounds.ts';
import { allowAnyOrigin, answerPreflight } from './cors.ts';
import { createDeflate } from './deflate.ts';
import { ENDPOINT_LIST, HTTP_ENDPOINTS, WS_ENDPOINT_LIST, WS_ENDPOINTS } from './endpoints.ts';
import { withFaults } from './faults.ts';
import type { Feed } from './feed.ts';
import { createRooms, type Rooms } from './rooms.ts';
import { createMine, isMine } from './mine.ts';
import type { LabRuntime } from './request.ts';
import { createSessions } from './sessions.ts';
import { checkGate } from './auth-gate.ts';
import { createTickets } from './tickets.ts';
import { createTurns, type Turns } from '../turns.ts';
import { partsOfTarget } from '../target-path.ts';

export type { Feed, FeedMessage } from './feed.ts';
export type { Rooms } from './rooms.ts';

/** What a session is doing right now, for a classroom's dashboard (counts only: never the bytes). */
export interface SessionActivity {
  /** Open connections by endpoint: `{ sse: 1, ws: 1, poll: 1 }`. */
  readonly open: Readonly<Record<string, number>>;
  /** Requests and WebSockets started so far, by endpoint (short polls are open only for a moment). */
  readonly started: Readonly<Record<string, number>>;
  /** Messages sent to the session's readers so far. */
  readonly delivered: number;
  /** The room its feed endpoints read when the query names none, or null. */
  readonly room: string | null;
  readonly lastUsed: number;
}

export interface LabHooks {
  /** Tells the inspector which bound or fault closed a connection, e.g. `bound maxStreamMessages (500) reached — stream ended`. */
  note(socket: Socket, text: string): void;
  /** The client address of a request (server/client-address.ts); by default the TCP peer's. */
  clientAddress?(req: IncomingMessage): string;
  /**
   * True while an inspector channel reads the session: a learner's page keeps one open, which
   * proves the session carries real work. The lab imports nothing of the capture: the server
   * passes this in (server/app.ts).
   */
  watched?(session: string): boolean;
  /** Set when processes share Redis (server/shared/): room feeds, bounds and sessions across them. */
  shared?: LabSharing;
  /** Where work that comes due in herds is spread over turns (server/turns.ts); by default the lab's own. */
  turns?: Turns;
}

/**
 * What a process counts against the bounds shared by every process: sessions (`maxSessions`) and
 * rooms (`maxRooms`) not held by a class, and per client address its sessions, rooms and open
 * connections (the fair shares), listed only for addresses that hold many, which are the ones a
 * share could stop.
 */
export interface Counted {
  readonly sessions: number;
  readonly rooms: number;
  /** `[sessions, rooms, connections]` by address. */
  readonly heavy: Readonly<Record<string, readonly [number, number, number]>>;
}

/** What the lab asks of the processes it shares Redis with (server/shared/lab-sharing.ts). */
export interface LabSharing {
  /** The feed of room `code`, kept in Redis. */
  roomFeed(code: string): Feed;
  /** What the other processes count against the server-wide bounds and the address shares. */
  elsewhere(): Counted;
  /**
   * A session this process does not hold: resolves once what Redis knows of it is applied (the
   * class room it is bound to), or after a short wait when Redis is slow to say.
   */
  arrive(session: string): Promise<void>;
}

export interface Lab {
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Ends every stream properly, closes WebSockets with 1001, answers held polls 204; ~1 s at most. */
  close(): Promise<void>;
  stats(): { sessions: number; connections: number; rooms: number };
  /** What this process counts against the shared bounds (`Counted`). */
  counted(): Counted;
  /** The shared room feeds, for server code that builds on them (classrooms). */
  readonly rooms: Rooms;
  /**
   * Makes the session's feed endpoints read room `code` when their query names no `room=`, or
   * their own feed again with null. The session is created if new, and it and the room are kept
   * until unbound. A bound session and its room are the class's reserved capacity: they count
   * against no share (`maxSessions`, `maxRooms`, the per-address ones), so binding always succeeds
   * (true; the boolean stays for callers written when it could fail). Throws on a bad session id
   * or room code.
   */
  bindRoom(sessionId: string, code: string | null): boolean;
  /** What the session is doing (open connections, messages delivered), or null if it does not exist. */
  sessionActivity(sessionId: string): SessionActivity | null;
  /**
   * Resolves once the bindings made so far reach every process (processes sharing Redis: the
   * session may live on another, which reads its binding from Redis when it first sees it).
   * Absent on a process alone, where `bindRoom` is done when it returns.
   */
  bindingsWritten?(): Promise<void>;
}

const SHUTTING_DOWN = 'The server is shutting down; try again in a moment.';

/** Creates the lab with the bounds of `cfg`; `hooks.note` reaches the inspector. */
export function createLab(cfg: Config, hooks: LabHooks): Lab {
  const shared = hooks.shared;
  const heavyOf = (address: string) => shared?.elsewhere().heavy[address] ?? [0, 0, 0];
  const sessions = createSessions(
    cfg,
    (id) => hooks.watched?.(id) ?? false,
    shared && {
      total: () => shared.elsewhere().sessions,
      from: (address) => ({ sessions: heavyOf(address)[0], connections: heavyOf(address)[2] }),
    },
  );
  const addressOf =
    hooks.clientAddress ?? ((req: IncomingMessage) => addressKey(req.socket.remoteAddress ?? ''));
  const rooms = createRooms(
    cfg,
    shared && {
      makeFeed: (code) => shared.roomFeed(code),
      elsewhere: () => shared.elsewhere().rooms,
      elsewhereFrom: (address) => heavyOf(address)[1],
    },
  );
  /** Runs `fn` once a shared room feed holds what Redis kept; at once for any other feed. */
  const whenReady = (feed: Feed, fn: () => void): void => {
    if (feed.ready) feed.ready.then(fn, fn);
    else fn();
  };
  /**
   * With processes sharing Redis, a session first seen here may have lived on another process
   * (which died) or be bound to a class served by another: what Redis knows of it is applied
   * before the request is. Returns false when the request goes on at once.
   */
  const arriving = (req: IncomingMessage, then: () => void): boolean => {
    if (!shared) return false;
    let id: string | null = null;
    try {
      const path = parseLabPath(partsOfTarget(req.url ?? '/').pathname);
      id = path.ok ? path.session : null;
    } catch {
      id = null;
    }
    if (id === null || sessions.get(id)) return false;
    shared.arrive(id).then(then, then);
    return true;
  };
  const shutdownHooks = new Set<() => void>();
  let closing = false;

  const lab: LabRuntime = {
    cfg,
    tickets: createTickets(cfg),
    turns: hooks.turns ?? createTurns(cfg.turnBudgetMs),
    note(socket, text) {
      try {
        hooks.note(socket, text);
      } catch {
        // The inspector's trouble must never break the learner's connection.
      }
    },
    onShutdown(fn) {
      if (closing) queueMicrotask(fn);
      shutdownHooks.add(fn);
      return () => shutdownHooks.delete(fn);
    },
  };

  const wsOptions = {
    noServer: true,
    maxPayload: cfg.maxMessageBytes, // ws's default is 100 MiB; with deflate, the inflated size
    maxFragments: cfg.maxMessageFragments, // a flood of tiny fragments: close 1008
    WebSocket: labWebSocketClass(cfg),
  };
  // zlib per socket fragments memory under load: compression only when asked (`ws?deflate=`).
  const wss = new WebSocketServer({ ...wsOptions, perMessageDeflate: false });
  const deflate = createDeflate(cfg, wsOptions, lab.note);

  // The learner's own server (mine.ts): its sandboxes start on the first deploy.
  const mine = createMine(cfg, lab, (id) => sessions.get(id) !== undefined);

  /**
   * `/lab/<session>/mine…`: the same path, shutdown and admission checks as every endpoint, then
   * mine.ts. Returns false for any other path. Its query is the learner's and no fault applies;
   * a preflight under `mine/` is the learner's handler's to answer. `path`: the request's, read once
   * by the caller.
   */
  function handleMine(req: IncomingMessage, res: ServerResponse, path: LabPath): boolean {
    if (!path.ok || !isMine(path.endpoint)) return false;
    if (req.method === 'OPTIONS' && path.endpoint === 'mine') return false;
    if (closing) {
      answerText(res, 503, SHUTTING_DOWN, { 'Retry-After': '5' });
      return true;
    }
    const address = addressOf(req);
    const admission = admit(cfg, sessions, rooms, path.session, address, {
      readsFeed: true,
      room: undefined,
    });
    if (!admission.ok) {
      lab.note(req.socket, admission.text);
      answerText(res, admission.status, admission.text, { 'Retry-After': String(admission.retryAfterS) });
      return true;
    }
    const { session, feed } = admission;
    res.once('close', sessions.countOpen(session, 'mine', address));
    sessions.prove(session); // code deployed or served is real work
    whenReady(feed, () =>
      mine.handle({
        req,
        res,
        socket: req.socket,
        session: session.id,
        feed,
        rest: path.endpoint.slice(4),
        url: new URL(req.url ?? '/', 'http://lab.invalid'),
      }),
    );
    return true;
  }

  /** A handler threw or its promise failed: a 500 if nothing was sent yet, else the connection is cut. */
  const failed = (res: ServerResponse, socket: Socket, err: unknown): void => {
    lab.note(socket, `lab error: ${(err as Error)?.message ?? err}`);
    if (res.headersSent) res.destroy();
    else answerText(res, 500, 'The lab failed on this request. This is a bug in Wire Lab: please report it.');
  };

  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    if (!arriving(req, () => handleRequestNow(req, res))) handleRequestNow(req, res);
  }

  function handleRequestNow(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    allowAnyOrigin(res);
    try {
      const url = partsOfTarget(req.url ?? '/');
      const path = parseLabPath(url.pathname);
      if (handleMine(req, res, path)) return;
      if (req.method === 'OPTIONS') {
        // even for a bad path: let the real request show the error
        answerPreflight(res);
        return;
      }
      if (!path.ok) {
        answerText(res, 400, path.reason);
        return;
      }
      if (closing) {
        answerText(res, 503, SHUTTING_DOWN, { 'Retry-After': '5' });
        return;
      }
      if (Object.hasOwn(WS_ENDPOINTS, path.endpoint)) {
        const text = `${path.endpoint} is a WebSocket endpoint: open it with new WebSocket('${path.endpoint}').`;
        answerText(res, 426, text, { Upgrade: 'websocket', Connection: 'Upgrade' });
        return;
      }
      const endpoint = Object.hasOwn(HTTP_ENDPOINTS, path.endpoint)
        ? HTTP_ENDPOINTS[path.endpoint]
        : undefined;
      if (!endpoint) {
        answerText(res, 404, `No endpoint "${path.endpoint}" here. Endpoints: ${ENDPOINT_LIST}.`);
        return;
      }
      const method = req.method ?? '';
      if (!endpoint.methods.includes(method)) {
        const allow = [...endpoint.methods, 'OPTIONS'].join(', ');
        const text = `${path.endpoint} takes ${endpoint.methods.join(' or ')}, not ${method}.`;
        answerText(res, 405, text, { Allow: allow });
        return;
      }
      const prepared = endpoint.prepare(url.searchParams, cfg);
      if (!prepared.ok) {
        answerText(res, 400, prepared.error);
        return;
      }

      const address = addressOf(req);
      const admission = admit(cfg, sessions, rooms, path.session, address, {
        readsFeed: endpoint.readsFeed,
        room: prepared.room,
      });
      if (!admission.ok) {
        lab.note(socket, admission.text);
        answerText(res, admission.status, admission.text, { 'Retry-After': String(admission.retryAfterS) });
        return;
      }
      const { session, feed } = admission;
      const gated = checkGate(path.endpoint, url.searchParams, req, session.id, lab.tickets, cfg);
      if (gated) {
        if (gated.status !== 400) lab.note(socket, gated.text);
        answerText(res, gated.status, gated.text, gated.headers);
        return;
      }
      res.once('close', sessions.countOpen(session, path.endpoint, address));
      // A stream or a held poll is real work: a made-up id asking once for news is not.
      if (endpoint.shape === 'stream' || path.endpoint === 'poll') sessions.prove(session);
      const target = { kind: 'http', res, socket, oneShot: endpoint.shape === 'one-shot' } as const;
      withFaults(target, prepared.faults, lab, () => {
        const ctx = { req, res, socket, session, feed, faults: prepared.faults, lab };
        Promise.resolve(feed.ready)
          .then(() => prepared.run(ctx))
          .catch((err: unknown) => failed(res, socket, err));
      });
    } catch (err) {
      failed(res, socket, err);
    }
  }

  function handleUpgrade(req: IncomingMessage, duplex: Duplex, head: Buffer): void {
    const socket = duplex as Socket;
    socket.on('error', () => socket.destroy()); // a reset mid-handshake must not crash the server
    if (!arriving(req, () => handleUpgradeNow(req, socket, head))) handleUpgradeNow(req, socket, head);
  }

  function handleUpgradeNow(req: IncomingMessage, socket: Socket, head: Buffer): void {
    try {
      const url = new URL(req.url ?? '/', 'http://lab.invalid');
      const path = parseLabPath(url.pathname);
      if (!path.ok) {
        refuseUpgrade(socket, 400, path.reason);
        return;
      }
      if (closing) {
        refuseUpgrade(socket, 503, SHUTTING_DOWN, { 'Retry-After': '5' });
        return;
      }
      if (isMine(path.endpoint)) {
        const address = addressOf(req);
        const admission = admit(cfg, sessions, rooms, path.session, address, {
          readsFeed: true,
          room: undefined,
        });
        if (!admission.ok) {
          lab.note(socket, admission.text);
          wss.handleUpgrade(req, socket, head, (ws) => {
            ws.on('error', () => {});
            ws.close(1013, shortReason(admission.text));
          });
          return;
        }
        socket.once('close', sessions.countOpen(admission.session, 'mine', address));
        sessions.prove(admission.session);
        mine.handleUpgrade({
          req,
          socket,
          session: admission.session.id,
          feed: admission.feed,
          rest: path.endpoint.slice(4),
          url,
          accept: (then) => whenReady(admission.feed, () => wss.handleUpgrade(req, socket, head, then)),
        });
        return;
      }
      const endpoint = Object.hasOwn(WS_ENDPOINTS, path.endpoint) ? WS_ENDPOINTS[path.endpoint] : undefined;
      if (!endpoint) {
        const text = Object.hasOwn(HTTP_ENDPOINTS, path.endpoint)
          ? `${path.endpoint} is not a WebSocket endpoint: use fetch, XHR or EventSource. WebSocket endpoints: ${WS_ENDPOINT_LIST}.`
          : `No WebSocket endpoint "${path.endpoint}" here. WebSocket endpoints: ${WS_ENDPOINT_LIST}.`;
        refuseUpgrade(socket, 404, text);
        return;
      }
      const prepared = endpoint.prepare(url.searchParams, cfg);
      if (!prepared.ok) {
        refuseUpgrade(socket, 400, prepared.error);
        return;
      }
      if (prepared.faults.buffer) {
        refuseUpgrade(
          socket,
          400,
          'buffer=1 applies to HTTP responses: a WebSocket sends each message as it goes.',
        );
        return;
      }

      const address = addressOf(req);
      const admission = admit(cfg, sessions, rooms, path.session, address, {
        readsFeed: endpoint.readsFeed,
        room: prepared.room,
      });
      if (!admission.ok) {
        // The browser cannot read an HTTP status from a failed handshake, but it can read a close
        // code and reason: accept, then close at once with 1013 "try again later".
        lab.note(socket, admission.text);
        wss.handleUpgrade(req, socket, head, (ws) => {
          ws.on('error', () => {});
          ws.close(1013, shortReason(admission.text));
        });
        return;
      }
      const { session, feed } = admission;
      // Lesson 18's ticket= / auth= / origin=: refused with a real HTTP status, before any 101.
      const gated = checkGate(path.endpoint, url.searchParams, req, session.id, lab.tickets, cfg);
      if (gated) {
        if (gated.status !== 400) lab.note(socket, gated.text);
        refuseUpgrade(socket, gated.status, gated.text, gated.headers);
        return;
      }
      socket.once('close', sessions.countOpen(session, path.endpoint, address));
      sessions.prove(session); // a WebSocket is real work
      withFaults({ kind: 'upgrade', socket }, prepared.faults, lab, () => {
        const server =
          prepared.deflate === undefined
            ? wss
            : (deflate.pick(prepared.deflate, session.id, req, socket) ?? wss);
        server.handleUpgrade(req, socket, head, (ws) => {
          ws.on('error', (err: NodeJS.ErrnoException) => lab.note(socket, webSocketErrorNote(cfg, err)));
          Promise.resolve(feed.ready)
            .then(() => prepared.run({ ws, req, socket, session, feed, faults: prepared.faults, lab }))
            .catch((err: unknown) => {
              lab.note(socket, `lab error: ${(err as Error)?.message ?? err}`);
              ws.close(1011, 'the lab failed on this connection');
            });
        });
      });
    } catch (err) {
      lab.note(socket, `lab error: ${(err as Error)?.message ?? err}`);
      refuseUpgrade(
        socket,
        500,
        'The lab failed on this request. This is a bug in Wire Lab: please report it.',
      );
    }
  }

  /** Releases the room each bound session holds. */
  const roomHolds = new Map<string, () => void>();

  function bindRoom(sessionId: string, code: string | null): boolean {
    if (!SESSION_ID_PATTERN.test(sessionId)) throw new Error(`Bad session id "${sessionId}".`);
    const current = sessions.get(sessionId);
    if (code === null) {
      roomHolds.get(sessionId)?.();
      roomHolds.delete(sessionId);
      if (current) sessions.setRoom(current, null);
      return true;
    }
    if (current?.defaultRoom === code) return true;
    // Reserved: a class's sessions and rooms are outside the shares a flood could fill.
    const opened = sessions.open(sessionId, '', { reserved: true });
    if (!opened.ok) return false;
    const release = rooms.hold(code);
    roomHolds.get(sessionId)?.();
    roomHolds.set(sessionId, release);
    sessions.setRoom(opened.session, code);
    return true;
  }

  /** Addresses are listed from a sixteenth of a share: below, no share is near. */
  function countedHere(): Counted {
    const heavy: Record<string, [number, number, number]> = {};
    const min = (share: number) => Math.max(1, Math.floor(share / 16));
    const bySessions = sessions.heavy(min(cfg.maxSessionsPerAddress), min(cfg.maxConnectionsPerAddress));
    for (const [address, [s, c]] of Object.entries(bySessions)) heavy[address] = [s, 0, c];
    for (const [address, r] of Object.entries(rooms.heavy(min(cfg.maxRoomsPerAddress)))) {
      const [s, , c] = heavy[address] ?? [0, 0, 0];
      heavy[address] = [s, r, c];
    }
    return { sessions: sessions.counted, rooms: rooms.counted, heavy };
  }

  function sessionActivity(sessionId: string): SessionActivity | null {
    const s = sessions.get(sessionId);
    if (!s) return null;
    return {
      open: { ...s.open },
      started: { ...s.started },
      delivered: s.delivered,
      room: s.defaultRoom,
      lastUsed: s.lastUsed,
    };
  }

  return {
    handleRequest,
    handleUpgrade,
    rooms,
    bindRoom,
    sessionActivity,
    stats: () => ({ sessions: sessions.size, connections: sessions.connections(), rooms: rooms.size }),
    counted: () => countedHere(),
    async close() {
      if (closing) return;
      closing = true;
      for (const fn of [...shutdownHooks]) fn();
      shutdownHooks.clear();
      const deadline = Date.now() + 1_000;
      while (sessions.connections() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const server of [wss, ...deflate.servers]) {
        for (const ws of server.clients) ws.terminate(); // whoever did not answer the close frame in time
        server.close();
      }
      await mine.close();
      sessions.close();
      rooms.close();
      roomHolds.clear();
    },
  };
}

/** A close reason fits in 123 bytes (RFC 6455 §5.5): the first sentence of `text`, cut if need be. */
function shortReason(text: string): string {
  const first = text.split(': ')[0] ?? text;
  return Buffer.byteLength(first) <= 123 ? first : Buffer.from(first).subarray(0, 120).toString('utf8');
}

/** What the inspector is told when ws reports an error on a socket. */
function webSocketErrorNote(cfg: Config, err: NodeJS.ErrnoException): string {
  if (err.code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH')
    return `WebSocket error: ${err.message} — closed as the Close frame says`;
  if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
    return `${bound(cfg, 'maxMessageBytes')} reached — message too big, closed 1009`;
  if (err.code === 'WS_ERR_TOO_MANY_BUFFERED_PARTS')
    return `${bound(cfg, 'maxMessageFragments')} reached — closed 1008`;
  return `WebSocket error: ${err.message}`;
}

/** The parts of ws's Receiver (ws 8, lib/receiver.js) read to tell which rule a frame broke. */
interface ReceiverInternals {
  _buffers: Buffer[];
  _bufferedBytes: number;
  _opcode: number;
  getPayloadLength64(cb: unknown): void;
  prependListener(event: 'error', fn: (err: NodeJS.ErrnoException) => void): void;
}

/**
 * ws closes with a bare code when a peer breaks a rule ws checks itself, and the code is not
 * always the one RFC 6455 assigns: a 64-bit length with its top bit set is a protocol error
 * (§5.2: "the most significant bit MUST be 0"), ws answers 1009 because the length is past
 * 2^53 − 1. This subclass watches the receiver's error and closes with the code and a reason
 * for the actual fault, so the browser's CloseEvent and the inspector's dissector agree.
 */
function labWebSocketClass(cfg: Config): typeof WebSocket {
  return class LabWebSocket extends WebSocket {
    private fault: { code: number; reason: string } | undefined;

    // ws's WebSocketServer calls setSocket (not in ws's typings) to attach the upgraded socket.
    setSocket(...args: unknown[]): void {
      (WebSocket.prototype as unknown as { setSocket: (...a: unknown[]) => void }).setSocket.apply(
        this,
        args,
      );
      const receiver = (this as unknown as { _receiver: ReceiverInternals })._receiver;
      let topBit = false;
      const length64 = receiver.getPayloadLength64;
      receiver.getPayloadLength64 = function (this: ReceiverInternals, cb: unknown) {
        // The next unread byte is the length's most significant one.
        if (this._bufferedBytes >= 8) topBit = (this._buffers[0]![0]! & 0x80) !== 0;
        return length64.call(this, cb);
      };
      // Before ws's own listener, which closes the socket with the error's code.
      receiver.prependListener('error', (err) => {
        this.fault = closeFor(cfg, err, { topBit, closeFrame: receiver._opcode === 0x8 });
      });
    }

    override close(code?: number, data?: string | Buffer): void {
      const fault = this.fault;
      if (fault !== undefined && data === undefined) {
        this.fault = undefined;
        super.close(fault.code, fault.reason);
        return;
      }
      super.close(code, data);
    }
  };
}

/** The close code (RFC 6455 §7.4.1) and reason for the rule a peer's frame broke, as ws reported it. */
function closeFor(
  cfg: Config,
  err: NodeJS.ErrnoException,
  frame: { topBit: boolean; closeFrame: boolean },
): { code: number; reason: string } {
  switch (err.code) {
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return frame.topBit
        ? { code: 1002, reason: 'the most significant bit of a 64-bit length must be 0 (RFC 6455 §5.2)' }
        : { code: 1009, reason: 'payload length above 2^53 − 1 bytes: too big to follow' };
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return { code: 1009, reason: `${bound(cfg, 'maxMessageBytes')} exceeded` };
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return { code: 1008, reason: `${bound(cfg, 'maxMessageFragments')} exceeded` };
    case 'WS_ERR_INVALID_UTF8':
      return frame.closeFrame
        ? { code: 1007, reason: 'the Close frame’s reason is not valid UTF-8 (RFC 6455 §5.5.1)' }
        : { code: 1007, reason: 'a text message is not valid UTF-8 (RFC 6455 §8.1)' };
    case 'WS_ERR_INVALID_CLOSE_CODE':
      return { code: 1002, reason: 'the Close frame carries a code no endpoint may send (RFC 6455 §7.4)' };
    default: {
      // ws's message names the rule ("Invalid WebSocket frame: RSV1 must be clear").
      const code = Object.getOwnPropertySymbols(err)
        .map((k) => (err as unknown as Record<symbol, unknown>)[k])
        .find((v): v is number => typeof v === 'number' && v >= 1000 && v < 5000);
      return {
        code: code ?? 1002,
        reason: shortReason(err.message.replace(/^Invalid WebSocket frame: /, '')),
      };
    }
  }
}
