/**
 * The table of lab endpoints: for each, its methods, its shape, the options it reads and the
 * handler (one file each, read by learners beside their client code).
 */
import type { Config } from '../config.ts';
import type { DeflateAsk } from './deflate.ts';
import { complete, completeOptions } from './complete.ts';
import { echo } from './echo.ts';
import { faultOptions, type Faults } from './faults.ts';
import { news, newsOptions } from './news.ts';
import { poll, pollOptions } from './poll.ts';
import { matching, type QuerySpec, type QueryValues, readQuery } from './query.ts';
import type { LabRequest, LabSocket } from './request.ts';
import { ROOM_CODE_PATTERN } from './rooms.ts';
import { send } from './send.ts';
import { sse, sseOptions } from './sse.ts';
import { stream, streamOptions } from './stream.ts';
import { ticket } from './ticket.ts';
import { time, timeOptions } from './time.ts';
import { firstMessageAuth } from './ws-auth.ts';
import { wsFeed, wsFeedOptions } from './ws-feed.ts';

/** A request whose query is read: the options every endpoint shares, and a handler to run. */
export type Prepared<C> =
  | {
      ok: true;
      faults: Faults;
      room: string | undefined;
      /** A WebSocket asked for permessage-deflate (`ws?deflate=`: deflate.ts). */
      deflate?: DeflateAsk;
      run: (ctx: C) => void | Promise<void>;
    }
  | { ok: false; error: string };

export interface HttpEndpoint {
  readonly methods: readonly string[];
  /** `one-shot`: one answer with Content-Length. `stream`: many messages in one response. */
  readonly shape: 'one-shot' | 'stream';
  /** Reads or writes a feed, so `room=` means something (and may create the room). */
  readonly readsFeed: boolean;
  /** Reads the query; gives the handler, or what is wrong with the query. */
  prepare(params: URLSearchParams, cfg: Config): Prepared<Omit<LabRequest, 'query'>>;
}

export interface WsEndpoint {
  readonly readsFeed: boolean;
  prepare(params: URLSearchParams, cfg: Config): Prepared<Omit<LabSocket, 'query'>>;
}

const noOptions = () => ({});

/** Reads `own` options plus those every endpoint shares: the faults and `room`. */
function readOptions<S extends QuerySpec>(params: URLSearchParams, cfg: Config, own: (cfg: Config) => S) {
  const shared = {
    ...faultOptions(cfg),
    room: matching(ROOM_CODE_PATTERN, '3 to 32 letters and digits (A-Z, a-z, 0-9)'),
  };
  const read = readQuery(params, { ...shared, ...own(cfg) });
  if (!read.ok) return read;
  const { drop, delay, status, buffer, room } = read.values as QueryValues<typeof shared>;
  const faults: Faults = { drop, delay, status, buffer: buffer === 1 };
  return { ok: true as const, faults, room, query: read.values as QueryValues<S> };
}

/** An HTTP endpoint's `prepare`: reads the options, binds `handle` to them. */
function http<S extends QuerySpec>(
  own: (cfg: Config) => S,
  handle: (ctx: LabRequest<QueryValues<S>>) => void | Promise<void>,
): HttpEndpoint['prepare'] {
  return (params, cfg) => {
    const read = readOptions(params, cfg, own);
    if (!read.ok) return read;
    return {
      ok: true,
      faults: read.faults,
      room: read.room,
      run: (ctx) => handle({ ...ctx, query: read.query }),
    };
  };
}

/** A WebSocket endpoint's `prepare`: reads the options, binds `handle` to them. */
function ws<S extends QuerySpec>(
  own: (cfg: Config) => S,
  handle: (ctx: LabSocket<QueryValues<S>>) => void | Promise<void>,
): WsEndpoint['prepare'] {
  return (params, cfg) => {
    const read = readOptions(params, cfg, own);
    if (!read.ok) return read;
    const { deflate } = read.query as { deflate?: DeflateAsk };
    return {
      ok: true,
      faults: read.faults,
      room: read.room,
      ...(deflate === undefined ? {} : { deflate }),
      run: (ctx) => handle({ ...ctx, query: read.query }),
    };
  };
}

/** A `prepare` for an endpoint taking `split=`: it cuts the stream into many writes, `buffer=1` makes it one, so not both. */
function splitOrBuffer(prepare: HttpEndpoint['prepare']): HttpEndpoint['prepare'] {
  return (params, cfg) => {
    const prepared = prepare(params, cfg);
    if (prepared.ok && prepared.faults.buffer && params.has('split'))
      return {
        ok: false,
        error: `Query parameters split=${JSON.stringify(params.get('split'))} and buffer=1 do not go together: buffer=1 sends the stream in one write, split= cuts it into many. Give one of them.`,
      };
    return prepared;
  };
}

/** The HTTP endpoints, by the name after `/lab/<session>/`. */
export const HTTP_ENDPOINTS: Readonly<Record<string, HttpEndpoint>> = {
  time: { methods: ['GET'], shape: 'one-shot', readsFeed: false, prepare: http(timeOptions, time) },
  news: { methods: ['GET'], shape: 'one-shot', readsFeed: true, prepare: http(newsOptions, news) },
  poll: { methods: ['GET'], shape: 'one-shot', readsFeed: true, prepare: http(pollOptions, poll) },
  send: { methods: ['POST'], shape: 'one-shot', readsFeed: true, prepare: http(noOptions, send) },
  stream: {
    methods: ['GET'],
    shape: 'stream',
    readsFeed: true,
    prepare: splitOrBuffer(http(streamOptions, stream)),
  },
  sse: { methods: ['GET'], shape: 'stream', readsFeed: true, prepare: http(sseOptions, sse) },
  complete: {
    methods: ['POST'],
    shape: 'stream',
    readsFeed: false,
    prepare: splitOrBuffer(http(completeOptions, complete)),
  },
  ticket: { methods: ['POST'], shape: 'one-shot', readsFeed: false, prepare: http(noOptions, ticket) },
};

/** The WebSocket endpoints. */
export const WS_ENDPOINTS: Readonly<Record<string, WsEndpoint>> = {
  ws: { readsFeed: true, prepare: ws(wsFeedOptions, firstMessageAuth(wsFeed)) },
  echo: { readsFeed: false, prepare: ws(noOptions, echo) },
};

/** What a 404 lists: the table above, and the learner's own server (mine.ts, answered before this table). */
export const ENDPOINT_LIST =
  'HTTP: GET time, GET news, GET poll, POST send, GET stream, GET sse, POST complete, POST ticket, PUT mine (your own handler), any method mine/…; WebSocket: ws, echo, mine/… (see the lab API reference)';

/** What a WebSocket handshake to an unknown endpoint lists. */
export const WS_ENDPOINT_LIST = 'ws, echo, mine/… (your own handler)';
