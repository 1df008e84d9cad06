/**
 * What a lesson's checks see: the facts of a Run, read from the session's capture
 * (the bytes the server saw, decoded by `src/wire/`) and from the runner's console.
 *
 * A lesson folder may hold `checks.ts` exporting `defineChecks({...})`:
 * - `traffic[stepId]`: what any run of that step must put on the wire. The lesson test
 *   runs every step's starter and solution in Chromium and asserts it.
 * - `exercise`: the step that is the lesson's exercise, and the check that passes for
 *   its solution and fails for its starter. The playground runs it after each Run and
 *   shows the verdict; the lesson test asserts both.
 */

/** One HTTP request and (when it came) its response, on a lab endpoint. */
export interface HttpExchange {
  /** Connection number in the capture (several exchanges may share one: keep-alive). */
  conn: number;
  method: string;
  /** The request target's path, e.g. `/lab/<session>/poll`. */
  path: string;
  /** The endpoint: the path after `/lab/<session>/`, e.g. `poll`. */
  endpoint: string;
  /** Query parameters (the last value wins when one repeats). */
  query: Record<string, string>;
  /** Request headers, names in lower case; repeated ones joined with ", ". */
  requestHeaders: Record<string, string>;
  /** The request body as text (empty when none). */
  requestBody: string;
  /** The response status; undefined while no response head has arrived. */
  status?: number;
  /** Response headers, names in lower case. */
  responseHeaders: Record<string, string>;
  /** How the response body is delimited. */
  framing?: 'length' | 'chunked' | 'close' | 'none';
  /** Data chunks received so far (chunked bodies). */
  chunks: number;
  /**
   * The response's data chunks one by one (chunked bodies): when each one's first byte was sent
   * (server µs) and its data as text (each decoded alone). The last, zero-size chunk is not one.
   */
  chunkData?: { t: number; text: string }[];
  /** The body as text, de-chunked and decoded as UTF-8 (may be cut short for very long bodies). */
  responseBody: string;
  /** How many bytes of body the response carried so far (de-chunked: chunk data only). */
  responseBodyBytes: number;
  /** True once the whole response has arrived. */
  complete: boolean;
  /** When the request's first byte arrived (server µs): exchanges are listed in this order. */
  t: number;
}

/** One dispatched Server-Sent Event, as the browser's EventSource would see it. */
export interface SseEvent {
  conn: number;
  /** When its first byte was sent (server µs). */
  t: number;
  type: string;
  data: string;
  lastEventId: string;
  retry?: number;
}

/** One WebSocket frame. */
export interface WsFrame {
  conn: number;
  /** When its first byte crossed (server µs). */
  t: number;
  /** `in`: browser → server; `out`: server → browser. */
  dir: 'in' | 'out';
  opcode: number;
  fin: boolean;
  masked: boolean;
  /** Payload length in bytes. */
  length: number;
  /** Payload as text, for text frames and close reasons (a compressed message's: inflated, on its last frame). */
  text?: string;
  closeCode?: number;
  /** RSV1 is set: the first frame of a compressed message (permessage-deflate, RFC 7692 §6). */
  rsv1?: boolean;
  /** On the last frame of a compressed message: the message's size once inflated (`length` is what crossed). */
  inflatedLength?: number;
}

/** One TCP connection of the Run. */
export interface ConnectionFacts {
  conn: number;
  technique: string;
  bytesIn: number;
  bytesOut: number;
  closed: boolean;
  /** How it closed, when it did: 'fin', 'reset', … */
  how?: string;
  /** What the server said about it (a bound reached, a fault asked for). */
  notes: string[];
}

/** One line of the runner's console. */
export interface ConsoleEntry {
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
  text: string;
}

export interface WireFacts {
  exchanges: HttpExchange[];
  sseEvents: SseEvent[];
  wsFrames: WsFrame[];
  connections: ConnectionFacts[];
  console: ConsoleEntry[];
}

/** `true` when the check passes; otherwise what is missing, in both languages. */
export type Verdict = true | { en: string; zh: string };

export interface LessonChecks {
  traffic?: Record<string, (wire: WireFacts) => Verdict>;
  exercise?: { step: string; check: (wire: WireFacts) => Verdict };
}

/** Declares a lesson's checks (identity, for type inference). */
export function defineChecks(checks: LessonChecks): LessonChecks {
  return checks;
}

/** A failing verdict with its message in both languages. */
export function fail(en: string, zh: string): Verdict {
  return { en, zh };
}
