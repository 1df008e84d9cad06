/**
 * What the capture keeps: one record per read, write or socket event, in the
 * order they happened. `server/inspect/` turns these into the wire format of
 * docs/inspector-protocol.md.
 */

/** `in`: client → server. `out`: server → client. */
export type Direction = 'in' | 'out';

export type RecordKind = 'open' | 'data' | 'end' | 'close' | 'timeout' | 'note' | 'moved';

/** How a connection ended, as far as the server could tell. */
export type CloseHow = 'fin' | 'reset' | 'timeout' | 'destroyed';

export interface OpenInfo {
  readonly client: { readonly address: string; readonly port: number };
  readonly server: { readonly port: number };
  /** The connection carried bytes of another session or of the site before this session's. */
  readonly reused: boolean;
}

export interface CloseInfo {
  readonly how: CloseHow;
  /** Which side started the ending: the first FIN, the reset, the timeout. */
  readonly by: 'client' | 'server';
  /** The socket error's code or message, when there was one. */
  readonly error: string | null;
}

/**
 * One captured event. Every kind has every field (one shape keeps property
 * access fast on the hot path); fields a kind does not use are null or 0.
 */
export interface CaptureRecord {
  /** Position in the session's log: 1, 2, 3… with no holes. */
  readonly seq: number;
  readonly kind: RecordKind;
  /** The connection, numbered per session from 1 in the order the session first saw it. */
  readonly conn: number;
  /** Monotonic µs (see clock.ts) when it happened. */
  readonly t: number;
  /** data, end, moved: which direction. */
  readonly dir: Direction | null;
  /** data: offset of the first byte within this session's view of conn + dir. */
  readonly off: number;
  /** data: the bytes, exactly as read or written. */
  readonly bytes: Buffer | null;
  /** Data bytes the session has captured up to and including this record. */
  readonly cum: number;
  /** Bytes of memory this record is charged for in its session's budget. */
  readonly charge: number;
  /** open: OpenInfo; close: CloseInfo; note: the text. */
  readonly info: OpenInfo | CloseInfo | string | null;
}
