/**
 * Test support: conversations as lists of socket reads/writes, fed to a ConnectionDissector whole
 * or cut into pieces, and ways to look at the resulting items.
 */
import * as wsModule from 'ws';
import type { Direction, Field, WireLimits } from '../../../src/wire/index.ts';
import {
  ByteQueue,
  ConnectionDissector,
  DEFAULT_LIMITS,
  FrameDecoder,
  MessageAssembler,
} from '../../../src/wire/index.ts';

/** One read ('in') or write ('out') as the capture would record it. */
export interface Chunk {
  dir: Direction;
  bytes: Uint8Array;
  t?: number;
}

/** Returns the bytes of text, one byte per code unit (for HTTP heads and framing). */
export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Returns the UTF-8 bytes of text. */
export function utf8Bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Returns the arrays joined. */
export function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Returns one read or write; text is UTF-8 encoded. */
export function chunk(dir: Direction, data: string | Uint8Array, t?: number): Chunk {
  const bytes = typeof data === 'string' ? utf8Bytes(data) : data;
  return t === undefined ? { dir, bytes } : { dir, bytes, t };
}

/** Returns the dissector after feeding every chunk in order, then FIN on both directions. */
export function dissect(
  chunks: readonly Chunk[],
  opts: ConstructorParameters<typeof ConnectionDissector>[0] = {},
  end = true,
): ConnectionDissector {
  const d = new ConnectionDissector(opts);
  for (const c of chunks) d.push(c.dir, c.bytes, c.t);
  if (end) {
    d.end('in');
    d.end('out');
  }
  return d;
}

/** Returns the chunks with the one holding conversation offset `globalOffset` cut there into two reads (same time). */
export function cutAt(chunks: readonly Chunk[], globalOffset: number): Chunk[] {
  const out: Chunk[] = [];
  let pos = 0;
  for (const c of chunks) {
    const k = globalOffset - pos;
    if (k > 0 && k < c.bytes.length) {
      out.push({ ...c, bytes: c.bytes.subarray(0, k) }, { ...c, bytes: c.bytes.subarray(k) });
    } else out.push(c);
    pos += c.bytes.length;
  }
  return out;
}

/** Returns a seeded PRNG (mulberry32) giving floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns the chunks with each cut into random pieces of 1 to `max` bytes. */
export function shred(chunks: readonly Chunk[], random: () => number, max: number): Chunk[] {
  const out: Chunk[] = [];
  for (const c of chunks) {
    let at = 0;
    while (at < c.bytes.length) {
      const n = 1 + Math.floor(random() * max);
      out.push({ ...c, bytes: c.bytes.subarray(at, at + n) });
      at += n;
    }
  }
  return out;
}

/** Returns the bytes each direction carried, concatenated. */
export function streams(chunks: readonly Chunk[]): Record<Direction, Uint8Array> {
  return {
    in: join(...chunks.filter((c) => c.dir === 'in').map((c) => c.bytes)),
    out: join(...chunks.filter((c) => c.dir === 'out').map((c) => c.bytes)),
  };
}

/** Returns the raw text a field covers (its ranges, or [start, end)), from the direction's stream. */
export function rawText(stream: Record<Direction, Uint8Array>, f: Field): string {
  const ranges = f.ranges ?? [[f.start, f.end]];
  return ranges.map(([s, e]) => String.fromCharCode(...stream[f.dir].subarray(s, e))).join('');
}

/** Returns the items of a kind. */
export function ofKind<T extends Field = Field>(items: readonly Field[], kind: string): T[] {
  return items.filter((i) => i.kind === kind) as T[];
}

/** Returns the first descendant (depth-first) of a kind, failing the test when there is none. */
export function find(f: Field, kind: string): Field {
  const found = findAll(f, kind)[0];
  if (!found) throw new Error(`no ${kind} under ${f.kind} "${f.label}"`);
  return found;
}

/** Returns every descendant (depth-first) of a kind. */
export function findAll(f: Field, kind: string): Field[] {
  const out: Field[] = [];
  for (const c of f.children ?? []) {
    if (c.kind === kind) out.push(c);
    out.push(...findAll(c, kind));
  }
  return out;
}

/** Returns the item kinds, for order assertions. */
export function kinds(items: readonly Field[]): string[] {
  return items.map((i) => i.kind);
}

/** Returns the items one direction's frames give, read by read (stopping at an error as the connection does). */
export function decodeFrames(
  dir: Direction,
  reads: readonly Uint8Array[],
  deflate?: { fresh: boolean },
  limits: WireLimits = DEFAULT_LIMITS,
): Field[] {
  const items: Field[] = [];
  const q = new ByteQueue();
  const decoder = new FrameDecoder(
    dir,
    (item) => items.push(item),
    new MessageAssembler(dir, limits, deflate),
  );
  for (const r of reads) {
    q.push(r);
    if (decoder.run(q) === 'stop') break;
  }
  return items;
}

interface SenderOptions {
  fin?: boolean;
  opcode: number;
  mask?: boolean;
  rsv1?: boolean;
  readOnly?: boolean;
  maskBuffer?: Buffer;
  generateMask?: (mask: Buffer) => void;
}

// ws exports Sender at runtime; @types/ws does not declare it.
const { Sender } = wsModule as unknown as {
  Sender: { frame(data: Buffer, options: SenderOptions): Buffer[] };
};

/** Returns the bytes ws's own Sender writes for one frame; masked frames use `mask` as the key. */
export function wsFrame(
  data: string | Uint8Array,
  options: { opcode: number; fin?: boolean; rsv1?: boolean; mask?: Uint8Array },
): Uint8Array {
  const { mask, ...rest } = options;
  const payload = Buffer.from(typeof data === 'string' ? utf8Bytes(data) : data);
  const masking = mask ? { mask: true, maskBuffer: Buffer.from(mask), generateMask: () => {} } : {};
  return join(...Sender.frame(payload, { fin: true, readOnly: false, ...rest, ...masking }));
}
