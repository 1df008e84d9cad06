/**
 * The messages between the server's thread and a sandbox worker (worker.ts). Plain data only:
 * they cross `postMessage`, so the guest never holds anything of the host, and nothing of HTTP
 * is in here — the worker knows requests as plain records and answers with bytes.
 */
import type { SaidRef } from './console-texts.ts';

/** What a sandboxed bound is, as the worker needs it (a slice of server/config.ts). */
export interface SandboxLimits {
  readonly sandboxMemoryBytes: number;
  readonly sandboxStackBytes: number;
  readonly sandboxCpuMsPerCallback: number;
  readonly sandboxCpuMsPerSecond: number;
  readonly sandboxMaxTimers: number;
  readonly sandboxMinTimerMs: number;
  readonly sandboxBytesPerSecond: number;
  readonly sandboxResponseBytes: number;
  readonly sandboxIdleMs: number;
  readonly sandboxConsoleLines: number;
}

/** One request as the guest sees it. */
export interface GuestRequest {
  readonly method: string;
  /** The path after `/lab/<session>/mine`, starting with `/` (`/` when nothing follows). */
  readonly path: string;
  /** The query's names and values (the last value of a repeated name). */
  readonly query: Record<string, string>;
  /** Header names in lower case; repeated headers joined with ", " (as Node reads them). */
  readonly headers: Record<string, string>;
  /** The body as UTF-8 text ('' when none); its exact bytes travel beside it (ToWorker 'request'). */
  readonly body: string;
  /** The `Last-Event-ID` header, or null. */
  readonly lastEventId: string | null;
}

/** Where the learner's code went wrong: the message and, when known, the learner's line. */
export interface GuestError {
  readonly name: string;
  readonly message: string;
  readonly line: number | null;
  readonly column: number | null;
}

/** The server's thread to a worker. */
export type ToWorker =
  | { type: 'deploy'; session: string; source: string; call: number }
  /** `body`: the request body's exact bytes (a copy of its own; absent when empty), the guest's `req.bodyBytes`. */
  | { type: 'request'; session: string; rid: number; request: GuestRequest; body?: Uint8Array }
  | { type: 'closed'; session: string; rid: number }
  /** A WebSocket to the handler is open (`rid` names it from now on). */
  | { type: 'ws-open'; session: string; rid: number; request: GuestRequest }
  /** A text message, or a binary one as bytes of its own. */
  | { type: 'ws-message'; session: string; rid: number; data: string | Uint8Array }
  /** The client closed it (or it broke: 1006). */
  | { type: 'ws-closed'; session: string; rid: number; code: number; reason: string }
  | { type: 'feed'; session: string; message: string }
  | { type: 'read'; session: string; call: number; result: string }
  | { type: 'drop'; session: string };

/** A worker to the server's thread. */
export type FromWorker =
  | { type: 'ready' }
  /** The worker's event loop is turning (the pool's watchdog, pool.ts). */
  | { type: 'beat' }
  | { type: 'deployed'; call: number; error: GuestError | null }
  /** Buffered output goes out now (chunked); `status`/`headers` matter only for the first. */
  | { type: 'flush'; rid: number; status: number; headers: Array<[string, string]>; chunk: Uint8Array }
  /** The response is complete; `chunk` is what was still buffered. */
  | { type: 'end'; rid: number; status: number; headers: Array<[string, string]>; chunk: Uint8Array }
  /** The response failed: a 500 if nothing was sent, else the connection is cut (a WebSocket: close 1011). `text` says why. */
  | { type: 'fail'; rid: number; text: string }
  /** A text frame, or a binary frame for bytes. */
  | { type: 'ws-send'; rid: number; data: string | Uint8Array }
  | { type: 'ws-close'; rid: number; code: number; reason: string }
  /** A console line; `said`: a sentence of the server's own (console-texts.ts), which `text` spells out. */
  | {
      type: 'log';
      session: string;
      level: 'log' | 'info' | 'warn' | 'error';
      text: string;
      said?: SaidRef;
    }
  | { type: 'append'; session: string; data: string }
  | { type: 'read'; session: string; call: number; since: number }
  | { type: 'subscribe'; session: string; on: boolean }
  /** The session's runtime is gone (idle, a limit, a fault); the source stays in the worker. */
  | { type: 'disposed'; session: string };
