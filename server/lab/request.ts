/**
 * What an endpoint handler is given: the request, its session, the feed it reads, its options.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Config } from '../config.ts';
import type { Turns } from '../turns.ts';
import type { Faults } from './faults.ts';
import type { Feed } from './feed.ts';
import type { Session } from './sessions.ts';
import type { Tickets } from './tickets.ts';

/** The lab itself, as handlers see it. */
export interface LabRuntime {
  readonly cfg: Config;
  /** Tells the inspector what happened to `socket` (a bound hit, a fault applied). */
  note(socket: Socket, text: string): void;
  /** Registers what to do when the server shuts down; returns the function that unregisters it. */
  onShutdown(fn: () => void): () => void;
  /** One-time tickets for `ws` and `sse` (tickets.ts). */
  readonly tickets: Tickets;
  /** Spreads work that timers start in herds over turns of the event loop (server/turns.ts). */
  readonly turns: Turns;
}

/** One HTTP request to a lab endpoint. */
export interface LabRequest<Q = Record<string, never>> {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The TCP connection, for `note()` and for cutting it (`drop=`). */
  readonly socket: Socket;
  readonly session: Session;
  /** The session's feed, or the room's with `room=<code>`. */
  readonly feed: Feed;
  readonly query: Q;
  readonly faults: Faults;
  readonly lab: LabRuntime;
}

/** One WebSocket to a lab endpoint, after the handshake. */
export interface LabSocket<Q = Record<string, never>> {
  readonly ws: WebSocket;
  readonly req: IncomingMessage;
  readonly socket: Socket;
  readonly session: Session;
  readonly feed: Feed;
  readonly query: Q;
  readonly faults: Faults;
  readonly lab: LabRuntime;
}
