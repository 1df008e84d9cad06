/**
 * The tap on one accepted socket: every read and every write, before any
 * parser sees them, handed to the sessions they belong to.
 *
 * Reads: a `'data'` listener *prepended* in the server's `'connection'` event,
 * so a request is recorded before the handler it triggers writes a byte.
 * Writes: Node 24's `net.Socket` sends every byte — `write`, `end(data)`,
 * corked batches — through `_writeGeneric(writev, data, encoding, cb)` when the
 * stream flushes (lib/net.js: `_write` and `_writev` both call it), so one
 * wrapper on this socket sees all of them, in flush order. Checked byte-exact
 * against a raw TCP client (tests/server/capture-bytes.test.ts).
 */
import { readSync } from 'node:fs';
import type { Socket } from 'node:net';
import { ARENA_MAX_COPY } from './arena.ts';
import { monoUs } from './clock.ts';
import type { FinWaits } from './fin-wait.ts';
import {
  type Exchange,
  type Owner,
  type RangeSink,
  RequestBoundaries,
  ResponseBoundaries,
} from './http-boundaries.ts';
import type { CloseCause, CloseInfo, Direction, OpenInfo, RecordKind } from './records.ts';
import { sessionOfTarget } from './session-of-target.ts';
import { type CaptureStore, keptWithoutCopy, type SessionLog } from './store.ts';

/** A written Buffer this big that can be kept without a copy gets a record of its own rather than joining others. */
const OWN_RECORD = 1024;

/** Longest note kept, in characters: notes name a bound, they are not logs. */
const MAX_NOTE = 1_000;

const kTap = Symbol('wirelab.capture.tap');
const EMPTY = Buffer.alloc(0);

/** The socket internals the tap hooks (Node 24 lib/net.js). */
interface SocketInternals {
  _handle: { fd?: number } | null;
  connecting: boolean;
  /** Set by `resetAndDestroy()`: the handle is closed with RST (SO_LINGER 0) rather than FIN. */
  resetAndClosing?: boolean;
  _readableState?: { buffer?: unknown; bufferIndex?: number };
  _writeGeneric?: (writev: boolean, data: unknown, encoding: string, cb: unknown) => unknown;
  destroy: (err?: Error) => unknown;
  [kTap]?: SocketTap;
}

interface WritevEntry {
  chunk: Buffer | string;
  encoding: BufferEncoding | 'buffer';
}

/** One session's view of this connection. */
interface View {
  readonly log: SessionLog;
  readonly conn: number;
  inOff: number;
  outOff: number;
  /** Connection offsets where this session's next byte each way is expected. */
  inAt: number;
  outAt: number;
}

/** Socket errors that mean the peer reset the connection (RST arrived, or a write met one). */
const PEER_RESET = new Set(['ECONNRESET', 'EPIPE']);

let warnedNoWriteHook = false;

/**
 * Ranges given to one session during the current read or write call, recorded
 * as one record when the call ends: a corked HTTP response arrives as one
 * writev of many small pieces (status line, chunk sizes, CRLFs, data), which
 * went out in one syscall and become one record, not dozens. Shared by every
 * tap: a call fills and flushes it synchronously.
 */
const stage = {
  view: null as View | null,
  chunks: [] as Buffer[],
  starts: [] as number[],
  ends: [] as number[],
  count: 0,
  bytes: 0,
};

/** Returns the tap of a socket the capture accepted, if any. */
export function tapOf(socket: object): SocketTap | undefined {
  return (socket as SocketInternals)[kTap];
}

export class SocketTap implements RangeSink {
  private readonly store: CaptureStore;
  private readonly opened = monoUs();
  private readonly open: Omit<OpenInfo, 'reused' | 'before'>;
  private readonly pending: Exchange[] = [];
  private readonly requests: RequestBoundaries;
  private readonly responses: ResponseBoundaries;
  private views: Map<string, View> | null = null;
  private lastIn: Owner = null;
  private lastOut: Owner = null;
  /** Some bytes went by before (to anyone): a session joining now joins a reused connection. */
  private carried = false;
  private held: Buffer[] | null = null;
  private heldT: number[] | null = null;
  private heldOff: number[] | null = null;
  /** Bytes that crossed the connection each way, whoever they belonged to. */
  private readonly total = { in: 0, out: 0 };
  /** Connection offset of `chunk[0]`. */
  private chunkOff = 0;
  // what push() is attributing right now
  private chunk: Buffer = EMPTY;
  private t = 0;
  private dir: Direction = 'in';
  // how it ends
  private firstFin: 'client' | 'server' | null = null;
  private finIn = false;
  private finOut = false;
  private timedOut = false;
  private resetByServer = false;
  private destroyedByServer = false;
  /** Client bytes the server never read, found when it closed (or sent after): TCP answers them with RST. */
  private unread = 0;
  /** The socket's handle is held to see the client's answer (fin-wait.ts): its close is recorded then. */
  private holding = false;
  private error: NodeJS.ErrnoException | null = null;
  private readonly finWaits: FinWaits | undefined;

  constructor(socket: Socket, store: CaptureStore, finWaits?: FinWaits) {
    this.store = store;
    this.finWaits = finWaits;
    this.open = {
      client: { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
      server: { port: socket.localPort ?? 0 }, // gone after close: take it now
    };
    this.requests = new RequestBoundaries(this.pending, sessionOfTarget);
    this.responses = new ResponseBoundaries(this.pending);
    this.hook(socket);
  }

  private hook(socket: Socket): void {
    const internals = socket as unknown as SocketInternals;
    internals[kTap] = this;
    socket.prependListener('data', (chunk: Buffer | string) => this.read(chunk));
    socket.prependListener('end', () => this.fin('in'));
    socket.on('finish', () => this.fin('out'));
    // Before the server's own listener, which destroys the socket: the timeout comes first.
    socket.prependListener('timeout', () => {
      this.timedOut = true;
      this.event('timeout', null, null);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.error ??= err;
    });
    socket.on('close', () => {
      if (!this.holding) this.closed();
    });

    const write = internals._writeGeneric;
    if (typeof write === 'function') {
      const tap = this;
      internals._writeGeneric = function (this: SocketInternals, writev, data, encoding, cb) {
        if (!this._handle || this.connecting) return write.call(this, writev, data, encoding, cb);
        // A string is encoded here once, and those very bytes go on to the socket: Node would
        // otherwise encode it a second time.
        const bytes = tap.wrote(writev, data, encoding);
        return bytes === null
          ? write.call(this, writev, data, encoding, cb)
          : write.call(this, writev, bytes, 'buffer', cb);
      };
    } else if (!warnedNoWriteHook) {
      warnedNoWriteHook = true;
      console.warn(
        'capture: this Node has no net.Socket#_writeGeneric; server→client bytes are not captured.',
      );
    }
    const reset = socket.resetAndDestroy;
    socket.resetAndDestroy = function (this: Socket) {
      const tap = tapOf(this)!;
      if (!this.destroyed) tap.resetByServer = true;
      return reset.call(this);
    };
    const destroy = internals.destroy;
    internals.destroy = function (this: SocketInternals, err?: Error) {
      tapOf(this)?.destroying(this as unknown as Socket, err as NodeJS.ErrnoException | undefined);
      return destroy.call(this, err);
    };
  }

  /** Records what the lab says about this connection (which bound closed it), for the session it serves. */
  note(text: string): void {
    const current = this.responses.current;
    const owner = current !== undefined ? current : this.requests.current;
    if (owner === null || this.store.closed) return;
    const view = this.viewOf(owner);
    const kept = text.length > MAX_NOTE ? `${text.slice(0, MAX_NOTE)}…` : text;
    this.store.append(view.log, 'note', view.conn, monoUs(), null, kept);
  }

  private read(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.chunkOff = this.total.in;
    this.total.in += bytes.length;
    if (this.store.closed || this.requests.silent) return;
    this.chunk = bytes;
    this.t = monoUs();
    this.dir = 'in';
    this.requests.push(this.chunk, this);
    this.flush();
  }

  /**
   * Records what the server writes. Returns the bytes of a single write when it was a string (to
   * be written in its place), else null; the entries of a writev get theirs in place.
   */
  private wrote(writev: boolean, data: unknown, encoding: string): Buffer | null {
    if (this.store.closed || this.responses.silent) {
      // No session can join any more; one that saw the connection needs its FIN's place.
      if (this.views === null) return null;
      if (!writev) this.total.out += byteLength(data as Buffer | string, encoding);
      else for (const e of data as WritevEntry[]) this.total.out += byteLength(e.chunk, e.encoding);
      return null;
    }
    this.t = monoUs();
    this.dir = 'out';
    let encoded: Buffer | null = null;
    if (!writev) {
      this.chunk = toBytes(data as Buffer | string, encoding);
      if (this.chunk !== data) encoded = this.chunk;
      this.chunkOff = this.total.out;
      this.total.out += this.chunk.length;
      this.responses.push(this.chunk, this);
    } else {
      for (const entry of data as WritevEntry[]) {
        this.chunk = toBytes(entry.chunk, entry.encoding);
        if (this.chunk !== entry.chunk) {
          entry.chunk = this.chunk;
          entry.encoding = 'buffer';
        }
        this.chunkOff = this.total.out;
        this.total.out += this.chunk.length;
        this.responses.push(this.chunk, this);
      }
    }
    this.flush();
    return encoded;
  }

  // ---- RangeSink: where the boundary trackers send each range

  bytes(owner: Owner, start: number, end: number): void {
    if (start >= end) return;
    const dir = this.dir;
    const last = dir === 'in' ? this.lastIn : this.lastOut;
    if (owner !== last) {
      this.flush();
      if (last !== null) this.moved(last, dir);
      if (dir === 'in') this.lastIn = owner;
      else this.lastOut = owner;
    }
    if (owner !== null) this.stage(owner, start, end);
    this.carried = true;
  }

  hold(start: number, end: number): void {
    this.held ??= [];
    this.heldT ??= [];
    this.heldOff ??= [];
    this.held.push(this.chunk.subarray(start, end));
    this.heldT.push(this.t);
    this.heldOff.push(this.chunkOff + start);
  }

  release(owner: Owner): void {
    const held = this.held;
    const heldT = this.heldT;
    const heldOff = this.heldOff;
    if (held === null || heldT === null || heldOff === null) return;
    this.held = this.heldT = this.heldOff = null;
    const chunk = this.chunk;
    const t = this.t;
    const chunkOff = this.chunkOff;
    for (let i = 0; i < held.length; i++) {
      this.chunk = held[i]!;
      this.t = heldT[i]!;
      this.chunkOff = heldOff[i]!;
      this.bytes(owner, 0, this.chunk.length);
      this.flush(); // each held read keeps its own time
    }
    this.chunk = chunk;
    this.t = t;
    this.chunkOff = chunkOff;
  }

  // ---- records

  /** Adds `chunk[start, end)` to the record being gathered for `owner`. */
  private stage(owner: string, start: number, end: number): void {
    const at = this.chunkOff + start;
    const view = this.viewOf(owner, at);
    if ((this.dir === 'in' ? view.inAt : view.outAt) !== at) {
      // Back after someone else's bytes on this connection: say where on the wire ours resume.
      this.flush();
      this.store.append(view.log, 'rejoined', view.conn, this.t, this.dir, null, at);
    }
    if (this.dir === 'in') view.inAt = this.chunkOff + end;
    else view.outAt = this.chunkOff + end;
    const n = end - start;
    const maxPiece = this.store.maxRecordBytes;
    if (stage.view !== view || stage.bytes + n > maxPiece) this.flush();
    if (n > maxPiece || (n >= OWN_RECORD && keptWithoutCopy(this.dir, this.chunk, n))) {
      this.flush();
      this.data(view, start, end); // big: its own record(s), not copied into a joined one
      return;
    }
    stage.view = view;
    stage.chunks[stage.count] = this.chunk;
    stage.starts[stage.count] = start;
    stage.ends[stage.count] = end;
    stage.count += 1;
    stage.bytes += n;
  }

  /** Records what was gathered as one data record. */
  private flush(): void {
    const view = stage.view;
    if (view === null || stage.count === 0) return;
    const dir = this.dir;
    const off = dir === 'in' ? view.inOff : view.outOff;
    if (stage.count === 1) {
      this.store.appendData(
        view.log,
        view.conn,
        this.t,
        dir,
        off,
        stage.chunks[0]!,
        stage.starts[0]!,
        stage.ends[0]!,
      );
    } else {
      this.store.appendJoined(
        view.log,
        view.conn,
        this.t,
        dir,
        off,
        stage.chunks,
        stage.starts,
        stage.ends,
        stage.count,
        stage.bytes,
      );
    }
    if (dir === 'in') view.inOff += stage.bytes;
    else view.outOff += stage.bytes;
    for (let i = 0; i < stage.count; i++) stage.chunks[i] = EMPTY; // keep nothing alive
    stage.view = null;
    stage.count = stage.bytes = 0;
  }

  /** Records `chunk[start, end)` directly, in pieces of at most `store.maxRecordBytes`. */
  private data(view: View, start: number, end: number): void {
    const dir = this.dir;
    const maxPiece = this.store.maxRecordBytes;
    for (let from = start; from < end; from += maxPiece) {
      const to = Math.min(end, from + maxPiece);
      const off = dir === 'in' ? view.inOff : view.outOff;
      this.store.appendData(view.log, view.conn, this.t, dir, off, this.chunk, from, to);
      if (dir === 'in') view.inOff += to - from;
      else view.outOff += to - from;
    }
  }

  /**
   * Returns this connection's view for the session, announcing the connection to it the first
   * time; `at` is the connection offset, in the direction being recorded, of its first byte.
   */
  private viewOf(owner: string, at?: number): View {
    let view = this.views?.get(owner);
    if (view === undefined || view.log.gone) {
      const log = this.store.log(owner);
      const before = { in: this.total.in, out: this.total.out };
      if (at !== undefined) before[this.dir] = at;
      view = { log, conn: log.newConn(), inOff: 0, outOff: 0, inAt: before.in, outAt: before.out };
      this.views ??= new Map();
      this.views.set(owner, view);
      // The other direction: bytes of this chunk not yet counted belong to the reader, not before.
      const info: OpenInfo = { ...this.open, reused: this.carried, before };
      this.store.append(log, 'open', view.conn, this.opened, null, info);
    }
    return view;
  }

  private moved(owner: string, dir: Direction): void {
    const view = this.views?.get(owner);
    if (view !== undefined && !view.log.gone)
      this.store.append(view.log, 'moved', view.conn, this.t, dir, null);
  }

  /** Records an event on this connection in every session that saw it (`off`: a connection offset). */
  private event(kind: RecordKind, dir: Direction | null, info: CloseInfo | null, off = 0): void {
    if (this.views === null || this.store.closed) return;
    const t = monoUs();
    for (const view of this.views.values()) {
      if (!view.log.gone) this.store.append(view.log, kind, view.conn, t, dir, info, off);
    }
  }

  private fin(dir: Direction): void {
    if (dir === 'in') {
      if (this.finIn) return;
      this.finIn = true;
    } else {
      if (this.finOut) return;
      this.finOut = true;
    }
    this.firstFin ??= dir === 'in' ? 'client' : 'server';
    this.event('end', dir, null, this.total[dir]); // the FIN's place in the stream
  }

  /**
   * The socket is being destroyed. Closing a TCP socket sends FIN for whatever the kernel holds
   * (RFC 9293 §3.10.4, CLOSE) — unless bytes the client sent sit unread in the receive buffer:
   * then it sends RST (RFC 2525 §2.17; Linux `tcp_close`, "data_was_unread"). Node reads eagerly,
   * so that happens when it stopped reading: a paused socket whose buffer is full (a request body
   * nobody consumes), or bytes that arrived since the last read. Those bytes crossed the wire, so
   * they are read and recorded here, and the socket is then reset as the kernel would have.
   * Otherwise, unless it is a reset (ours, or the peer's that caused the error), the server's FIN
   * goes out now, and is recorded now; then the client's answer is waited for (fin-wait.ts).
   */
  private destroying(socket: Socket, err: NodeJS.ErrnoException | undefined): void {
    if (socket.destroyed) return;
    const internals = socket as unknown as SocketInternals;
    if (err !== undefined) this.error ??= err;
    const peerReset = (): boolean => {
      const code = this.error === null ? null : (this.error.code ?? this.error.message);
      return code !== null && PEER_RESET.has(code);
    };
    // After the client's RST the kernel has dropped what it held (and reads say EOF): nothing to take.
    if (peerReset()) return;
    const kernelUnread = this.takeUnread(internals);
    if (this.resetByServer || peerReset()) return;
    if (kernelUnread > 0) {
      internals.resetAndClosing = true; // what close() does with unread bytes: RST
      return;
    }
    if (!this.finIn && !this.finOut) this.destroyedByServer = true;
    const handle = internals._handle;
    if (handle === null) return;
    const waits = this.finWaits;
    if (
      waits?.room &&
      !this.finIn &&
      this.views !== null &&
      !this.store.closed &&
      socket.writableLength === 0 // nothing left to flush: the handle can change hands
    ) {
      this.holding = true;
      internals._handle = null; // Node's destroy then closes no handle; ours now
      const finSent = this.finOut;
      waits.hold(handle, finSent, {
        data: (bytes) => {
          this.unread += bytes.length;
          this.read(bytes);
        },
        end: () => this.fin('in'),
        closed: (e) => {
          if (e !== null) this.error ??= e;
          this.closed();
        },
      });
    }
    if (!this.finOut) this.fin('out');
  }

  /**
   * Records the client's bytes nobody read: those in the socket's own buffer (paused) and those
   * still in the kernel's receive buffer, read now without waiting. Returns how many were in the
   * kernel (the ones that make close() send RST); a FIN found there is recorded as the client's.
   */
  private takeUnread(internals: SocketInternals): number {
    const state = internals._readableState;
    // Only a paused socket's: a flowing one's buffer can hold bytes put back (`unshift`, as ws
    // does with an upgrade's first bytes) that were recorded when they were read.
    if ((internals as unknown as Socket).isPaused() && Array.isArray(state?.buffer)) {
      for (const chunk of state.buffer.slice(state.bufferIndex ?? 0)) {
        if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) this.read(chunk);
      }
    }
    const fd = internals._handle?.fd;
    if (typeof fd !== 'number' || fd < 0) return 0;
    let taken = 0;
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null); // the socket is non-blocking: EAGAIN when empty
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== undefined && PEER_RESET.has(code)) this.error ??= e as NodeJS.ErrnoException;
        break;
      }
      if (n === 0) {
        this.fin('in');
        break;
      }
      taken += n;
      this.read(Buffer.from(buf.subarray(0, n)));
    }
    this.unread += taken;
    return taken;
  }

  private closed(): void {
    this.event('close', null, this.howClosed());
  }

  /** Returns how the connection ended, from what was seen on the way. */
  private howClosed(): CloseInfo {
    const err = this.error;
    const code = err === null ? null : (err.code ?? err.message);
    if (this.resetByServer)
      return { how: 'reset', by: 'server', error: null, cause: 'reset', unseen: !this.finIn };
    if (code !== null && PEER_RESET.has(code))
      return { how: 'reset', by: 'client', error: code, cause: 'peer', unseen: false };
    if (this.unread > 0)
      return { how: 'reset', by: 'server', error: null, cause: 'unread', unseen: false, unread: this.unread };
    const by = this.firstFin ?? 'server';
    let cause: CloseCause = 'end';
    if (by === 'client') cause = 'peer';
    else if (code !== null) cause = 'error';
    else if (this.timedOut) cause = 'timeout';
    else if (this.destroyedByServer) cause = 'destroy';
    return { how: 'fin', by, error: code, cause, unseen: !this.finIn };
  }
}

/** Returns how many bytes a write puts on the wire. */
function byteLength(chunk: Buffer | string, encoding: string): number {
  if (typeof chunk !== 'string') return chunk.length;
  return Buffer.byteLength(chunk, (encoding === 'buffer' ? 'utf8' : encoding) as BufferEncoding);
}

/** Returns the bytes a write puts on the wire (strings are encoded as Node will encode them). */
function toBytes(chunk: Buffer | string, encoding: string): Buffer {
  if (typeof chunk !== 'string') return chunk;
  const enc = (encoding === 'buffer' ? 'utf8' : encoding) as BufferEncoding;
  if (chunk.length <= ARENA_MAX_COPY) return Buffer.from(chunk, enc); // a pool view; the arena copies what is kept
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(chunk, enc)); // its own memory: kept without a second copy
  bytes.write(chunk, 0, enc);
  return bytes;
}
