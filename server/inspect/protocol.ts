/**
 * The inspector channel's messages, versions 1, 2 and 3 — see docs/inspector-protocol.md.
 *
 * Every message is one JSON text frame with a `type`, except the records of versions 2 and 3: one
 * binary frame, a JSON head naming the records and then their bytes as they are (no base64: a
 * third fewer bytes to send, nothing to encode here or decode in the browser). Version 3 writes a
 * data record in the head as an array of its six numbers rather than an object: most records are
 * data, and their names were half of what a busy class's panels received. Records are encoded by
 * hand: a stream can produce thousands per second, and building an object per record only to
 * stringify it would double the garbage.
 */
import type { CaptureRecord, CloseInfo, Forgotten, Missed, OpenInfo } from '../capture/index.ts';

/** The versions a reader may ask for with `v=` (1 when it does not). */
export const SUPPORTED_VERSIONS = [1, 2, 3] as const;
export type ProtocolVersion = (typeof SUPPORTED_VERSIONS)[number];

export interface HelloMessage {
  readonly type: 'hello';
  /** The version this channel speaks: the one the reader asked for. */
  readonly v: ProtocolVersion;
  readonly session: string;
  /** Read at the same moment: a record's wall time is `epochMs + (t - monoUs) / 1000`. */
  readonly serverTime: { readonly epochMs: number; readonly monoUs: number };
  readonly limits: {
    readonly captureBytesPerSession: number;
    readonly captureBytesTotal: number;
    readonly inspectorsPerSession: number;
    readonly batchMs: number;
    readonly sustainedBatchMs: number;
    readonly maxBufferedBytes: number;
    readonly stallMs: number;
  };
  /** Oldest and newest record the session keeps now (firstSeq > lastSeq: none). */
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** The `after` asked for (0: from the start), and whether the records follow on from it. */
  readonly resume: { readonly after: number; readonly continued: boolean };
  /**
   * Which capture of the session this is: a reconnect sends it back (`capture=`), so a session
   * begun again whose new records already reach past the reader's `after` is not taken for the
   * one it had.
   */
  readonly capture: string;
  /**
   * Present (and true) only when this process took the session over from another Wire Lab
   * process that held it (scaling out, docs/scale.md): what that process had captured and not
   * sent is lost. Absent everywhere else, so older readers see nothing new.
   */
  readonly moved?: true;
}

/** Returns the hello frame. */
export function helloFrame(hello: Omit<HelloMessage, 'type'>): string {
  return JSON.stringify({ type: 'hello', ...hello });
}

/** Returns the frame saying records before `next` that the reader did not get are gone. */
export function droppedFrame(missed: Missed, next: number): string {
  return `{"type":"dropped","records":${missed.records},"bytes":${missed.bytes},"exact":${missed.exact},"next":${next}}`;
}

/**
 * Returns the frame saying the server forgot the session's capture to stay within `maxSessions`
 * (every session it kept was watched, this one the longest idle): `records` and `bytes` it
 * still held are gone; the session's next record comes after a new hello (`continued: false`).
 */
export function forgottenFrame(f: Forgotten): string {
  return `{"type":"forgotten","bound":"${f.bound}","maxSessions":${f.maxSessions},"records":${f.records},"bytes":${f.bytes},"lastSeq":${f.lastSeq}}`;
}

/** Returns the frame that marks the end of the replay: from here on records arrive as they happen. */
export function liveFrame(lastSeq: number): string {
  return `{"type":"live","lastSeq":${lastSeq}}`;
}

/** Returns a batch frame (version 1) from records already encoded by `encodeRecord`. */
export function recordsFrame(encoded: readonly string[]): string {
  return `{"type":"records","records":[${encoded.join(',')}]}`;
}

/**
 * Returns a batch frame of version 2 or 3: a 4-byte big-endian length, that many bytes of UTF-8
 * JSON (`{"type":"records","records":[…]}`, records encoded by `encodeRecord(r, v)`), then the
 * bytes of its data records, back to back in the same order (each record's length says how many
 * are its).
 */
export function binaryRecordsFrame(encoded: readonly string[], payloads: readonly Buffer[]): Buffer {
  const head = `{"type":"records","records":[${encoded.join(',')}]}`;
  const headBytes = Buffer.byteLength(head);
  let size = 4 + headBytes;
  for (const p of payloads) size += p.length;
  const frame = Buffer.allocUnsafe(size);
  frame.writeUInt32BE(headBytes, 0);
  let at = 4 + frame.write(head, 4, 'utf8');
  for (const p of payloads) at += p.copy(frame, at);
  return frame;
}

/** Returns about how many bytes a record takes once encoded (to size batches without encoding twice). */
export function encodedSize(record: CaptureRecord, version: ProtocolVersion = 1): number {
  if (record.kind !== 'data') return 96;
  if (version === 3) return 40 + record.size;
  return 96 + (version === 1 ? Math.ceil(record.size / 3) * 4 : record.size);
}

/**
 * Returns one record as JSON text. Version 1 carries a data record's bytes in `b64`; version 2
 * says how many there are in `len`, and they follow the frame's JSON; version 3 writes a data
 * record as `[seq, conn, t, dir, off, len]`, `dir` 0 for in and 1 for out.
 */
export function encodeRecord(r: CaptureRecord, version: ProtocolVersion = 1): string {
  if (version === 3 && r.kind === 'data')
    return `[${r.seq},${r.conn},${r.t},${r.dir === 'in' ? 0 : 1},${r.off},${r.size}]`;
  const head = `{"seq":${r.seq},"kind":"${r.kind}","conn":${r.conn},"t":${r.t}`;
  switch (r.kind) {
    case 'data':
      return version === 1
        ? `${head},"dir":"${r.dir}","off":${r.off},"b64":"${r.bytes!.toString('base64')}"}`
        : `${head},"dir":"${r.dir}","off":${r.off},"len":${r.size}}`;
    case 'end':
    case 'rejoined':
      return `${head},"dir":"${r.dir}","at":${r.off}}`;
    case 'moved':
      return `${head},"dir":"${r.dir}"}`;
    case 'open': {
      const o = r.info as OpenInfo;
      return `${head},"client":{"address":${JSON.stringify(o.client.address)},"port":${o.client.port}},"server":{"port":${o.server.port}},"reused":${o.reused},"before":{"in":${o.before.in},"out":${o.before.out}}}`;
    }
    case 'close': {
      const c = r.info as CloseInfo;
      const error = c.error === null ? '' : `,"error":${JSON.stringify(c.error)}`;
      const unread = c.unread === undefined ? '' : `,"unread":${c.unread}`;
      return `${head},"how":"${c.how}","by":"${c.by}"${error},"cause":"${c.cause}","unseen":${c.unseen}${unread}}`;
    }
    case 'note':
      return `${head},"text":${JSON.stringify(r.info as string)}}`;
    default:
      return `${head}}`; // timeout
  }
}
