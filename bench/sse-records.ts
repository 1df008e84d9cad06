/**
 * Scenario 7: what one SSE event costs the capture, end to end, in this process (`--only records`).
 *
 * N events (default 10,000) of a class push's size go through each stage the inspector's bytes
 * take, every stage timed over the same events:
 *
 * - **tap**: the server writes each event as a chunk of a chunked response (size line, event,
 *   CRLF in one writev, as Node's `res.write` does); the socket tap attributes it and the store
 *   appends a record (server/capture/tap.ts, store.ts);
 * - **encode**: the inspector channel turns the records into JSON frames of the protocol
 *   (server/inspect/protocol.ts);
 * - **parse (baseline)**: `JSON.parse` of those frames — the least a browser must do with them;
 * - **model**: the panel's model applies the records: base64, byte store, timeline marks, and the
 *   dissector (src/playground/inspector/model.ts with src/wire's ConnectionDissector).
 *
 * Each is reported in µs per event and events a second, and the model as a ratio to the parse
 * baseline measured in the same process moments before: the machine is shared, so absolute
 * figures move between runs; the ratio moves less. The median of `rounds` rounds is kept.
 */
import { Socket } from 'node:net';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { CaptureStore } from '../server/capture/store.ts';
import { SocketTap } from '../server/capture/tap.ts';
import { encodeRecord, recordsFrame } from '../server/inspect/protocol.ts';
import { CaptureModel } from '../src/playground/inspector/model.ts';
import type { ChannelMessage } from '../src/playground/inspector/protocol.ts';
import { ConnectionDissector } from '../src/wire/connection.ts';
import { median } from './stats.ts';

export interface StageResult {
  /** Median µs per event. */
  usPerRecord: number;
  /** Events a second one core would do at that cost. */
  recordsPerSecond: number;
  /** Every round's µs per event. */
  rounds: number[];
}

export interface SseRecordsResult {
  events: number;
  eventBytes: number;
  tap: StageResult;
  encode: StageResult;
  parse: StageResult;
  model: StageResult;
  /** model ÷ parse, from the medians. */
  modelOverParse: number;
  /** The model, one more round: heap bytes allocated per event, µs collecting garbage per event. */
  modelHeap: { allocated: number; gcUs: number };
}

const SESSION = 'benchSSErecords0';

/** The tap's internals the bench drives directly: a read, a write (as `_writeGeneric` gets them). */
interface TapDriver {
  read(chunk: Buffer): void;
  wrote(writev: boolean, data: unknown, encoding: string): void;
}

/** Returns the store's records for N events written as chunks of one SSE response. */
function tapRound(n: number): { us: number; frames: string[] } {
  const store = new CaptureStore({
    bytesPerSession: 64 * 1024 * 1024,
    bytesTotal: 256 * 1024 * 1024,
    maxSessions: 10,
    idleMs: 60_000,
  });
  const socket = new Socket();
  const tap = new SocketTap(socket, store) as unknown as TapDriver;
  tap.read(Buffer.from(`GET /lab/${SESSION}/sse HTTP/1.1\r\nHost: lab\r\nAccept: text/event-stream\r\n\r\n`));
  tap.wrote(
    false,
    Buffer.from(
      'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nTransfer-Encoding: chunked\r\n\r\n',
    ),
    'buffer',
  );
  const events: string[] = [];
  for (let i = 1; i <= n; i++) events.push(eventText(i));
  const t0 = process.hrtime.bigint();
  for (const text of events) {
    const size = `${Buffer.byteLength(text).toString(16)}\r\n`;
    tap.wrote(
      true,
      [
        { chunk: size, encoding: 'latin1' },
        { chunk: text, encoding: 'utf8' },
        { chunk: '\r\n', encoding: 'latin1' },
      ],
      'buffer',
    );
  }
  const us = Number(process.hrtime.bigint() - t0) / 1000;
  const log = store.find(SESSION)!;
  const encoded: string[] = [];
  for (let seq = log.ring.firstSeq; seq < log.ring.nextSeq; seq++)
    encoded.push(encodeRecord(log.ring.at(seq)!));
  socket.destroy();
  return { us, frames: framesOf(encoded) };
}

/** One event as lab/sse.ts writes a class push. */
function eventText(i: number): string {
  return `id: ${i}\nevent: message\ndata: {"id":${i},"text":"bench ${i} ${1_700_000_000_000 + i}","from":"teacher"}\n\n`;
}

/** Groups encoded records into frames of about 256 KB, as the channel does. */
function framesOf(encoded: string[]): string[] {
  const frames: string[] = [];
  let batch: string[] = [];
  let size = 0;
  for (const e of encoded) {
    batch.push(e);
    size += e.length;
    if (size >= 256 * 1024) {
      frames.push(recordsFrame(batch));
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) frames.push(recordsFrame(batch));
  return frames;
}

function encodeRound(n: number): number {
  const store = new CaptureStore({
    bytesPerSession: 64 * 1024 * 1024,
    bytesTotal: 256 * 1024 * 1024,
    maxSessions: 10,
    idleMs: 60_000,
  });
  const log = store.log(SESSION);
  for (let i = 1; i <= n; i++) {
    const text = eventText(i);
    const bytes = Buffer.from(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`);
    store.appendData(log, 1, i, 'out', i * 100, bytes, 0, bytes.length);
  }
  const t0 = process.hrtime.bigint();
  const encoded: string[] = [];
  for (let seq = log.ring.firstSeq; seq < log.ring.nextSeq; seq++)
    encoded.push(encodeRecord(log.ring.at(seq)!));
  framesOf(encoded);
  return Number(process.hrtime.bigint() - t0) / 1000;
}

function parseRound(frames: string[]): { us: number; messages: ChannelMessage[] } {
  const t0 = process.hrtime.bigint();
  const messages = frames.map((f) => JSON.parse(f) as ChannelMessage);
  return { us: Number(process.hrtime.bigint() - t0) / 1000, messages };
}

function modelRound(messages: ChannelMessage[]): number {
  const model = new CaptureModel({ createDissector: () => new ConnectionDissector() });
  const t0 = process.hrtime.bigint();
  for (const m of messages) model.apply(m);
  const us = Number(process.hrtime.bigint() - t0) / 1000;
  const c = model.connections[0];
  if (c === undefined || c.items.length < 2) throw new Error('the model decoded nothing');
  return us;
}

function stage(usPerRound: number[], n: number): StageResult {
  const rounds = usPerRound.map((us) => us / n);
  const us = median(rounds);
  return { usPerRecord: round3(us), recordsPerSecond: Math.round(1e6 / us), rounds: rounds.map(round3) };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Returns what one model round allocates and collects per event: heap bytes allocated (used heap
 * before each collection minus after the one before it, plus the growth after the last) and time
 * spent collecting, from V8's GC profiler (no flag needed).
 */
function allocation(messages: ChannelMessage[], n: number): { allocated: number; gcUs: number } {
  const profiler = new GCProfiler();
  const usedAtStart = getHeapStatistics().used_heap_size;
  profiler.start();
  const model = new CaptureModel({ createDissector: () => new ConnectionDissector() });
  for (const m of messages) model.apply(m);
  const usedAtEnd = getHeapStatistics().used_heap_size;
  const stats = profiler.stop()?.statistics ?? [];
  void model.connections.length; // held until the heap was read
  let allocated = 0;
  let after = usedAtStart;
  let gcUs = 0;
  for (const gc of stats) {
    allocated += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - after);
    after = gc.afterGC.heapStatistics.usedHeapSize;
    gcUs += gc.cost;
  }
  allocated += Math.max(0, usedAtEnd - after);
  return {
    allocated: Math.round(allocated / n),
    gcUs: round3(gcUs / n),
  };
}

export function runSseRecords(events = 10_000, rounds = 5): SseRecordsResult {
  const tap: number[] = [];
  const encode: number[] = [];
  const parse: number[] = [];
  const model: number[] = [];
  let messages: ChannelMessage[] = [];
  // One round first to warm the JIT, not counted.
  for (let r = 0; r <= rounds; r++) {
    const t = tapRound(events);
    const p = parseRound(t.frames);
    const e = encodeRound(events);
    const m = modelRound(p.messages);
    messages = p.messages;
    if (r === 0) continue;
    tap.push(t.us);
    encode.push(e);
    parse.push(p.us);
    model.push(m);
  }
  const parseStage = stage(parse, events);
  const modelStage = stage(model, events);
  return {
    events,
    eventBytes: Buffer.byteLength(eventText(events)),
    tap: stage(tap, events),
    encode: stage(encode, events),
    parse: parseStage,
    model: modelStage,
    modelOverParse: Math.round((modelStage.usPerRecord / parseStage.usPerRecord) * 100) / 100,
    modelHeap: allocation(messages, events),
  };
}

// `npm exec -- node bench/sse-records.ts [events]`: this scenario alone.
if (import.meta.main) {
  const n = Number(process.argv[2] ?? 10_000);
  console.log(JSON.stringify(runSseRecords(n), null, 2));
}
