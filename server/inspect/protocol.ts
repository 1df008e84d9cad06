/**
 * The inspector channel's messages, version 1 — see docs/inspector-protocol.md.
 *
 * Every message is one JSON text frame with a `type`. Records are encoded by
 * hand: a stream can produce thousands per second, and building an object per
 * record only to stringify it would double the garbage.
 */
import type { CaptureRecord, CloseInfo, Forgotten, Missed, OpenInfo } from '../capture/index.ts';

export const PROTOCOL_VERSION = 1;

export interface HelloMessage {
  readonly type: 'hello';
  readonly v: typeof PROTOCOL_VERSION;
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
export function helloFrame(hello: Omit<HelloMessage, 'type' | 'v'>): string {
  return JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, ...hello });
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

/** Returns a batch frame from records already encoded by `encodeRecord`. */
export function recordsFrame(encoded: readonly string[]): string {
  return `{"type":"records","records":[${encoded.join(',')}]}`;
}

/** Returns about how many bytes a record takes once encoded (to size batches without encoding twice). */
export function encodedSize(record: CaptureRecord): number {
  return 96 + (record.bytes === null ? 0 : Math.ceil(record.bytes.length / 3) * 4);
}

/** Returns one record as JSON text, in the wire format of version 1. */
export function encodeRecord(r: CaptureRecord): string {
  const head = `{"seq":${r.seq},"kind":"${r.kind}","conn":${r.conn},"t":${r.t}`;
  switch (r.kind) {
    case 'data':
      return `${head},"dir":"${r.dir}","off":${r.off},"b64":"${r.bytes!.toString('base64')}"}`;
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
