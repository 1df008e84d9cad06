/**
 * What the capture keeps: one record per read, write or socket event, in the
 * order they happened. `server/inspect/` turns these into the wire format of
 * docs/inspector-protocol.md.
 */

/** `in`: client → server. `out`: server → client. */
export type Direction = 'in' | 'out';

export type RecordKind = 'open' | 'data' | 'end' | 'close' | 'timeout' | 'note' | 'moved' | 'rejoined';

/**
 * What TCP did at the end: `fin`, an orderly close (RFC 9293 §3.6), or `reset`, an RST.
 * A server's `socket.destroy()` and a keep-alive timeout close the socket, and the kernel
 * sends FIN for it, so they are `fin` too; what caused them is in `cause`. A socket ends with
 * RST in exactly three ways: `resetAndDestroy()` (SO_LINGER 0), the client's RST (ECONNRESET,
 * or EPIPE on a write), and a close with the client's bytes unread in the receive buffer, or
 * bytes arriving after it (RFC 2525 §2.17; Linux `tcp_close` and "TCPAbortOnData").
 */
export type CloseHow = 'fin' | 'reset';

/**
 * What the server's side did to end it, when it started the ending: `end` (a half-close:
 * `end()`, answered by the client's FIN), `destroy` (`socket.destroy()`: FIN, and the socket
 * is gone at once), `timeout` (the idle timeout destroyed it), `reset` (`resetAndDestroy()`),
 * `error` (destroyed after a socket or parser error), `unread` (closed with the client's bytes
 * unread, or they came after: the kernel's RST). `peer`: the client started it.
 */
export type CloseCause = 'end' | 'destroy' | 'timeout' | 'reset' | 'error' | 'peer' | 'unread';

export interface OpenInfo {
  readonly client: { readonly address: string; readonly port: number };
  readonly server: { readonly port: number };
  /** The connection carried bytes of another session or of the site before this session's. */
  readonly reused: boolean;
  /** Bytes on the connection, each way, before this session's first: where its stream offsets start. */
  readonly before: { readonly in: number; readonly out: number };
}

export interface CloseInfo {
  readonly how: CloseHow;
  /** Which side started the ending: the first FIN, the reset, the timeout. */
  readonly by: 'client' | 'server';
  /** The socket error's code or message, when there was one. */
  readonly error: string | null;
  readonly cause: CloseCause;
  /**
   * The server closed its socket before the client's FIN or RST arrived: whatever the client
   * sent after (usually its own FIN, answered by the kernel) never reached the capture.
   */
  readonly unseen: boolean;
  /** `unread`: how many of the client's bytes the server never read (they are in the capture). */
  readonly unread?: number;
}

/**
 * One captured event, as a reader gets it (the ring keeps them as columns: ring.ts). Every kind
 * has every field; fields a kind does not use are null or 0.
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
  /**
   * data: offset of the first byte within this session's view of conn + dir. end (a FIN) and
   * rejoined (this session's bytes continue after others'): the offset on the connection itself,
   * every byte each way counted, whoever it belonged to — where the FIN or the next byte sits in
   * the TCP stream.
   */
  readonly off: number;
  /** data: the bytes, exactly as read or written (a view made when asked for). */
  readonly bytes: Buffer | null;
  /** data: how many bytes (0 for other kinds). */
  readonly size: number;
  /** Data bytes the session has captured up to and including this record. */
  readonly cum: number;
  /** Bytes of memory this record is charged for in its session's budget. */
  readonly charge: number;
  /** open: OpenInfo; close: CloseInfo; note: the text. */
  readonly info: OpenInfo | CloseInfo | string | null;
}

/** A record read out of a ring: its data bytes stay where the ring keeps them until asked for. */
export class KeptRecord implements CaptureRecord {
  readonly seq: number;
  readonly kind: RecordKind;
  readonly conn: number;
  readonly t: number;
  readonly dir: Direction | null;
  readonly off: number;
  readonly size: number;
  readonly cum: number;
  readonly charge: number;
  readonly info: OpenInfo | CloseInfo | string | null;
  /** The buffer holding the bytes, `store[start, start + size)`; null unless data. */
  private readonly store: Buffer | null;
  private readonly start: number;

  constructor(
    seq: number,
    kind: RecordKind,
    conn: number,
    t: number,
    dir: Direction | null,
    off: number,
    store: Buffer | null,
    start: number,
    size: number,
    cum: number,
    charge: number,
    info: OpenInfo | CloseInfo | string | null,
  ) {
    this.seq = seq;
    this.kind = kind;
    this.conn = conn;
    this.t = t;
    this.dir = dir;
    this.off = off;
    this.store = store;
    this.start = start;
    this.size = size;
    this.cum = cum;
    this.charge = charge;
    this.info = info;
  }

  get bytes(): Buffer | null {
    const store = this.store;
    if (store === null) return null;
    const start = this.start;
    return start === 0 && this.size === store.length ? store : store.subarray(start, start + this.size);
  }
}
