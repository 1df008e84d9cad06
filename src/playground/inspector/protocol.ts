/**
 * The messages of the inspector channel `/inspect/<session>`, versions 1, 2 and 3, as the panel
 * reads them (docs/inspector-protocol.md; the server's side is server/inspect/protocol.ts).
 *
 * Every message is one JSON text frame with a `type`: `hello` first, then `records` batches
 * (each record with a per-session `seq` and a `kind`), `dropped` when the server's ring let
 * records go before we read them, and `live` once the replay is over. Reading is tolerant:
 * an unknown message type or record kind is skipped, so a newer server does not break an
 * older page.
 */

export type Dir = 'in' | 'out';
/** What TCP did at the end. Servers before `cause` existed also sent `timeout` and `destroyed`, both FIN. */
export type CloseHow = 'fin' | 'reset' | 'timeout' | 'destroyed';
/**
 * What the server's side did when it started the ending; `peer`: the client started it;
 * `unread`: the server closed with the client's bytes unread (or they came after), so TCP reset.
 */
export type CloseCause = 'end' | 'destroy' | 'timeout' | 'reset' | 'error' | 'peer' | 'unread';

export interface HelloMessage {
  type: 'hello';
  /** Protocol version. */
  v: number;
  session: string;
  /** Read at the same moment: a record's wall time is `epochMs + (t − monoUs) / 1000`. */
  serverTime: { epochMs: number; monoUs: number };
  limits?: { captureBytesPerSession?: number; [k: string]: number | undefined };
  firstSeq?: number;
  lastSeq?: number;
  /** The `after` asked for, and whether the records follow on from it (false: the session began again). */
  resume?: { after: number; continued: boolean };
  /**
   * True when the server took the session over from another Wire Lab process that held it (many
   * processes behind one proxy): what that one had not sent is lost. Absent otherwise.
   */
  moved?: boolean;
  /** Which capture of the session this is; a reconnect sends it back as `capture=`. */
  capture?: string;
}

/** Records before `next` that the reader did not get are gone from the server's ring. */
export interface DroppedMessage {
  type: 'dropped';
  records: number;
  bytes: number;
  exact?: boolean;
  next: number;
}

/**
 * The server forgot this session's capture to stay within `maxSessions` (every session it kept
 * was watched, this one the longest idle). What the page shows stays; the session's next record
 * comes after a new hello that does not continue.
 */
export interface ForgottenMessage {
  type: 'forgotten';
  bound: string;
  maxSessions: number;
  records: number;
  bytes: number;
  lastSeq: number;
}

/** The replay is over: from here on, records arrive as they happen. */
export interface LiveMessage {
  type: 'live';
  lastSeq: number;
}

interface RecordBase {
  /** Position in the session's log: 1, 2, 3… with no holes. */
  seq: number;
  /** The connection, numbered per session from 1. */
  conn: number;
  /** Capture clock: monotonic µs. */
  t: number;
}

export interface OpenRecord extends RecordBase {
  kind: 'open';
  client: { address: string; port: number };
  server: { port: number };
  /** The connection carried bytes of another session or of the site before. */
  reused?: boolean;
  /** Bytes on the connection each way before this session's first (its offsets start there on the wire). */
  before?: { in: number; out: number };
}

export interface DataRecord extends RecordBase {
  kind: 'data';
  dir: Dir;
  /** Offset of the first byte within this session's view of the connection and direction. */
  off: number;
  /** Version 1: the bytes, base64. */
  b64?: string;
  /** Versions 2 and 3: how many bytes (they follow the frame's JSON), and once read, the bytes. */
  len?: number;
  bytes?: Uint8Array;
}

/** A FIN in direction `dir`. */
export interface EndRecord extends RecordBase {
  kind: 'end';
  dir: Dir;
  /** Where the FIN sits in the TCP stream: bytes that crossed the connection that way before it, anyone's. */
  at?: number;
}

/** This session's bytes in `dir` continue after others' (a reused connection), at connection offset `at`. */
export interface RejoinedRecord extends RecordBase {
  kind: 'rejoined';
  dir: Dir;
  at: number;
}

/** The connection's next bytes in `dir` belong to another session (it was reused). */
export interface MovedRecord extends RecordBase {
  kind: 'moved';
  dir: Dir;
}

export interface CloseRecord extends RecordBase {
  kind: 'close';
  how: CloseHow;
  /** Which side started the ending. */
  by?: 'client' | 'server';
  error?: string;
  cause?: CloseCause;
  /** The server closed its socket before the client's FIN or RST: what the client sent after was not seen. */
  unseen?: boolean;
  /** `unread`: the client's bytes the server never read. */
  unread?: number;
}

/** The socket's idle timeout fired. */
export interface TimeoutRecord extends RecordBase {
  kind: 'timeout';
}

/** A note from the lab, e.g. which bound closed the connection. */
export interface NoteRecord extends RecordBase {
  kind: 'note';
  text: string;
}

export type CaptureRecord =
  | OpenRecord
  | DataRecord
  | EndRecord
  | MovedRecord
  | RejoinedRecord
  | CloseRecord
  | TimeoutRecord
  | NoteRecord;

export type ChannelMessage =
  | HelloMessage
  | DroppedMessage
  | ForgottenMessage
  | LiveMessage
  | { type: 'records'; records: CaptureRecord[] };

const KINDS = new Set(['open', 'data', 'end', 'moved', 'rejoined', 'close', 'timeout', 'note']);

/** Returns the message of one text frame, or null for one this page does not know. */
export function parseMessage(text: string): ChannelMessage | null {
  return parseJson(text, false);
}

/**
 * Returns the message in `text`; in a binary frame's head (`binary`), a data record may also be
 * version 3's array, `[seq, conn, t, dir, off, len]`, which becomes the record it stands for.
 * Null for a message this page does not know, and for a head with an array it cannot read: its
 * bytes could not be told apart from the next record's.
 */
function parseJson(text: string, binary: boolean): ChannelMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const m = value as { type?: unknown; records?: unknown };
  switch (m.type) {
    case 'hello':
    case 'dropped':
    case 'forgotten':
    case 'live':
      return m as ChannelMessage;
    case 'records': {
      if (!Array.isArray(m.records)) return null;
      const records: CaptureRecord[] = [];
      for (const r of m.records as unknown[]) {
        if (Array.isArray(r)) {
          if (!binary) continue;
          const data = compactData(r);
          if (data === null) return null;
          records.push(data);
        } else if (r && typeof r === 'object' && KINDS.has((r as { kind?: unknown }).kind as string)) {
          records.push(r as CaptureRecord);
        }
      }
      return { type: 'records', records };
    }
    default:
      return null;
  }
}

const whole = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** A data record written as version 3's array, or null when it is not one. Later versions may append elements. */
function compactData(a: readonly unknown[]): DataRecord | null {
  const [seq, conn, t, dir, off, len] = a;
  if (!whole(seq) || !whole(conn) || !whole(t) || (dir !== 0 && dir !== 1) || !whole(off) || !whole(len))
    return null;
  return { seq, kind: 'data', conn, t, dir: dir === 0 ? 'in' : 'out', off, len };
}

/**
 * Returns the records of one binary frame (versions 2 and 3): a 4-byte big-endian length, that
 * many bytes of JSON as in a text frame, then the data records' bytes in order, `len` each. Null
 * for a frame that does not add up (cut short, lengths that overrun it, bytes left over): nothing
 * of it is taken.
 */
export function parseBinaryMessage(frame: ArrayBuffer): ChannelMessage | null {
  if (frame.byteLength < 4) return null;
  const headLength = new DataView(frame).getUint32(0);
  if (4 + headLength > frame.byteLength) return null;
  const m = parseJson(utf8.decode(new Uint8Array(frame, 4, headLength)), true);
  if (m === null || m.type !== 'records') return m;
  let at = 4 + headLength;
  for (const r of m.records) {
    if (r.kind !== 'data') continue;
    const len = r.len;
    if (typeof len !== 'number' || !Number.isInteger(len) || len < 0 || at + len > frame.byteLength)
      return null;
    // A copy of its own: a view would keep the whole frame, head and all, for as long as the
    // panel keeps these bytes.
    r.bytes = new Uint8Array(frame.slice(at, at + len));
    at += len;
  }
  return at === frame.byteLength ? m : null;
}

const utf8 = new TextDecoder();

/** Returns a data record's bytes, from either version. */
export function recordBytes(r: DataRecord): Uint8Array {
  return r.bytes ?? fromBase64(r.b64 ?? '');
}

const nativeFromBase64 = (Uint8Array as { fromBase64?: (b64: string) => Uint8Array }).fromBase64?.bind(
  Uint8Array,
);

/** Returns the bytes of a base64 string (atob works in browsers and in Node ≥ 16). */
export function fromBase64(b64: string): Uint8Array {
  // Chromium 140+, Firefox 133+, Safari 18.2+: decoded natively, without the binary string.
  if (nativeFromBase64 !== undefined) return nativeFromBase64(b64);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
