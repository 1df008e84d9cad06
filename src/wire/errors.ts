/**
 * Protocol errors: the close codes RFC 6455 assigns, and the one place error items are made.
 */
import type { Direction, Field } from './bytes.ts';
import { field } from './bytes.ts';

/** RFC 6455 §7.4.1: the endpoint received a frame that breaks the protocol. */
export const PROTOCOL_ERROR = 1002;
/** RFC 6455 §7.4.1: data inconsistent with the message type (e.g. text that is not UTF-8). */
export const INVALID_PAYLOAD = 1007;
/** RFC 6455 §7.4.1: a message too big to process. */
export const MESSAGE_TOO_BIG = 1009;

/** A protocol error at [start, end) of one direction's stream. */
export interface WireError {
  message: string;
  start: number;
  end: number;
  /** The WebSocket close code the spec assigns; absent for HTTP. */
  code?: number;
}

/** Returns a WireError (the one constructor, so every error has the same shape). */
export function wireError(message: string, start: number, end: number, code?: number): WireError {
  return code === undefined ? { message, start, end } : { message, start, end, code };
}

/** Marks `f` as the field at fault and returns it. */
export function markError(f: Field, err: WireError): Field {
  f.error = err.code === undefined ? { message: err.message } : { message: err.message, code: err.code };
  return f;
}

/**
 * Returns the top-level 'error' item for `err`. `partial` is the item the error cut short (a head
 * with the headers read so far, a frame header), kept as its child so nothing decoded is lost.
 */
export function errorItem(dir: Direction, err: WireError, partial?: Field, t?: number): Field {
  const label = err.code === undefined ? 'protocol error' : `protocol error → close ${err.code}`;
  const item = field('error', label, dir, err.start, err.end, {
    note: err.message,
    t,
    exchange: partial?.exchange,
    children: partial ? [partial] : undefined,
  });
  return markError(item, err);
}
