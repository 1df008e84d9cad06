/**
 * Records as the inspector channel sends them (docs/inspector-protocol.md, versions 1 to 3),
 * read into the shape the checks use: bytes decoded from base64 once, on arrival (version 1), or
 * as the binary frame carried them (versions 2 and 3).
 */
import { fromBase64 } from '../playground/inspector/protocol.ts';
import type { CaptureRecord } from './facts.ts';

/** One record on the channel. */
export interface ChannelRecord {
  seq: number;
  kind: string;
  conn: number;
  t: number;
  dir?: 'in' | 'out';
  b64?: string;
  bytes?: Uint8Array;
  how?: string;
  text?: string;
}

/** Returns the record with its bytes decoded, and only the fields the checks read. */
export function fromChannel(r: ChannelRecord): CaptureRecord {
  const rec: CaptureRecord = { seq: r.seq, kind: r.kind, conn: r.conn, t: r.t };
  if (r.dir) rec.dir = r.dir;
  if (r.bytes !== undefined) rec.bytes = r.bytes;
  else if (r.b64 !== undefined) rec.bytes = fromBase64(r.b64);
  if (r.how !== undefined) rec.how = r.how;
  if (r.text !== undefined) rec.text = r.text;
  return rec;
}
