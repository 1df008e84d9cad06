/**
 * The capture as the panel sees it: records from the inspector channel folded, one at a time,
 * into connections — each with its two byte streams, the time of every read and write, how it
 * ended, and a dissector turning its bytes into fields. No DOM here: the tests drive it directly.
 *
 * The model only records what changed (`takeChanges`); the panel reads that once per animation
 * frame, so a burst of records costs one render.
 */
import type { Field } from '../../wire/bytes.ts';
import { ByteStore } from './byte-store.ts';
import {
  type CaptureRecord,
  type ChannelMessage,
  type CloseCause,
  type Dir,
  recordBytes,
  type HelloMessage,
} from './protocol.ts';

/** What a connection's dissector says about it (src/wire's `summary()`). */
export interface Summary {
  method?: string | undefined;
  path?: string | undefined;
  status?: number | undefined;
  technique?: string | undefined;
  /** Requests seen on the connection (keep-alive carries several). */
  exchanges?: number | undefined;
  bytesIn: number;
  bytesOut: number;
}

/** The part of src/wire's ConnectionDissector the model uses. */
export interface DissectorLike {
  push(dir: Dir, bytes: Uint8Array, t?: number): void;
  /** The direction ended: by FIN, by a reset, or the socket closed with nothing more seen. */
  end(dir: Dir, t?: number, how?: 'fin' | 'rst' | 'closed'): void;
  readonly items: readonly Field[];
  summary(): Summary;
}

/** One read (dir `in`) or write (dir `out`) on a connection. */
export interface Mark {
  t: number;
  dir: Dir;
  off: number;
  len: number;
}

export interface ModelOptions {
  /** Bytes kept for display per direction of each connection (older ones are dropped). */
  bytesPerDirection?: number;
  /** Reads/writes kept per connection for the timeline. */
  marksPerConnection?: number;
  /** Makes the dissector of a new connection; none means no decoding. */
  createDissector?: () => DissectorLike;
}

/** How a connection ended, as TCP did it. */
export interface Closed {
  t: number;
  /** FIN or RST: what went on the wire. */
  how: 'fin' | 'reset';
  /** Who sent the first FIN, or the RST. */
  by?: 'client' | 'server' | undefined;
  error?: string | undefined;
  /** What the server did to start it (undefined from servers that did not say). */
  cause?: CloseCause | undefined;
  /** The server's socket was gone before the client's answer: that answer was not seen. */
  unseen?: boolean | undefined;
  /** The client's bytes the server never read (cause `unread`). */
  unread?: number | undefined;
}

export class Connection {
  readonly id: string;
  /** 1-based, in order of first appearance: what the panel shows as #n. */
  readonly index: number;
  /** The Run this connection started in (0 before the first marked Run). */
  readonly run: number;
  openT: number | undefined;
  firstT: number;
  lastT: number;
  client: { address: string; port: number } | undefined;
  server: { port: number } | undefined;
  /** The connection had carried other traffic (the site, another session) before. */
  reused = false;
  /** Bytes each way that crossed the connection before this session's first (not shown). */
  before: Record<Dir, number> = { in: 0, out: 0 };
  /**
   * Where this session's stream offsets sit on the connection: from session offset `from`, at
   * connection offset `at` (one entry per stretch; more than one when others' bytes came between).
   */
  readonly wire: Record<Dir, Array<{ from: number; at: number }>> = { in: [], out: [] };
  /** Connection offset of each direction's FIN, when the server said it. */
  readonly finAt: Partial<Record<Dir, number>> = {};
  readonly bytes: Record<Dir, ByteStore>;
  readonly marks: Mark[] = [];
  marksDropped = 0;
  /** Time of each direction's FIN. */
  readonly fin: Partial<Record<Dir, number>> = {};
  closed: Closed | undefined;
  /** Lab notes (which bound closed it), idle timeouts, hand-overs to another session. */
  readonly notes: Array<{ t: number; text: string; kind: 'note' | 'timeout' | 'moved'; dir?: Dir }> = [];
  /** Directions whose decoding stopped because bytes are missing. */
  readonly desync: Partial<Record<Dir, true>> = {};
  dissector: DissectorLike | undefined;
  /** Set when the dissector threw: decoding stopped, bytes still shown. */
  dissectError: string | undefined;
  /** Bumped on every change; views compare it to skip work. */
  version = 0;
  private readonly marksCap: number;

  constructor(
    id: string,
    index: number,
    run: number,
    t: number,
    opts: Required<Omit<ModelOptions, 'createDissector'>>,
  ) {
    this.id = id;
    this.index = index;
    this.run = run;
    this.firstT = t;
    this.lastT = t;
    this.openT = undefined;
    this.client = undefined;
    this.server = undefined;
    this.closed = undefined;
    this.dissector = undefined;
    this.dissectError = undefined;
    this.bytes = { in: new ByteStore(opts.bytesPerDirection), out: new ByteStore(opts.bytesPerDirection) };
    this.marksCap = opts.marksPerConnection;
  }

  /** Whether the connection is still open. */
  get open(): boolean {
    return this.closed === undefined;
  }

  /** Duration in µs: open to close, or open to the last record while it is open. */
  get duration(): number {
    return (this.closed?.t ?? this.lastT) - (this.openT ?? this.firstT);
  }

  /** What the dissector knows, with byte totals straight from the streams. */
  summary(): Summary {
    let s: Summary | undefined;
    if (this.dissector && !this.dissectError) {
      try {
        s = this.dissector.summary();
      } catch (err) {
        this.failDissector(err);
      }
    }
    return { ...s, bytesIn: this.bytes.in.end, bytesOut: this.bytes.out.end };
  }

  /** Decoded items (top-level fields), or none when there is no dissector. */
  get items(): readonly Field[] {
    return this.dissector?.items ?? [];
  }

  /** The connection offset of this session's stream offset `off` in `dir`. */
  wireOffset(dir: Dir, off: number): number {
    const stretches = this.wire[dir];
    for (let i = stretches.length - 1; i >= 0; i--) {
      const s = stretches[i]!;
      if (s.from <= off) return s.at + off - s.from;
    }
    return this.before[dir] + off;
  }

  addMark(m: Mark): void {
    this.marks.push(m);
    if (this.marks.length > this.marksCap) {
      const drop = this.marks.length - Math.floor(this.marksCap * 0.75);
      this.marks.splice(0, drop);
      this.marksDropped += drop;
    }
  }

  failDissector(err: unknown): void {
    this.dissectError = err instanceof Error ? err.message : String(err);
    this.dissector = undefined;
  }
}

export interface Changes {
  /** Connections whose bytes, marks or state changed. */
  connections: Set<Connection>;
  /** A connection was added or removed, or the model was cleared. */
  list: boolean;
  /** A Run mark, a drop notice or the hello changed. */
  session: boolean;
}

/**
 * Why the panel's records from before a reconnect are gone: the server began the session again
 * (its seqs restarted), so the panel dropped what it had. `moved`: another Wire Lab process took
 * the session over from the one that held it; `forgotten`: the server no longer had its capture
 * (it restarted, or the session sat idle long enough to be forgotten).
 */
export type Loss = 'moved' | 'forgotten';

export class CaptureModel {
  readonly connections: Connection[] = [];
  private readonly byId = new Map<string, Connection>();
  hello: HelloMessage | undefined;
  /** Highest `seq` applied (0: none): resume with `?after=` this. */
  lastSeq = 0;
  /** Earliest capture time seen: the timeline's zero. */
  t0: number | undefined;
  /** Latest capture time seen. */
  tMax: number | undefined;
  /** Run boundaries, in capture time. */
  readonly runs: number[] = [];
  /** What the server's capture ring dropped before we could read it. */
  readonly dropped = { bytes: 0, records: 0 };
  /** Whether the replay is over and records now arrive as they happen. */
  live = false;
  /** Set when a reconnect found the session begun again while we had records; cleared by `forgetLoss`. */
  loss: Loss | undefined;
  /** The server forgot the session's capture (`maxSessions`); what is shown stays until it begins again. */
  forgotten: { maxSessions: number } | undefined;
  private nextIndex = 1;
  private readonly opts: Required<Omit<ModelOptions, 'createDissector'>>;
  private readonly createDissector: (() => DissectorLike) | undefined;
  private changes: Changes = { connections: new Set(), list: false, session: false };

  constructor(options: ModelOptions = {}) {
    this.opts = {
      bytesPerDirection: options.bytesPerDirection ?? 1 << 20,
      marksPerConnection: options.marksPerConnection ?? 20_000,
    };
    this.createDissector = options.createDissector;
  }

  /** The connection with this id, if the model has it. */
  get(id: string | number): Connection | undefined {
    return this.byId.get(String(id));
  }

  /** Folds one channel message into the model. Records already applied (seq ≤ lastSeq) are ignored. */
  apply(m: ChannelMessage): void {
    switch (m.type) {
      case 'hello':
        // The server forgot the session (idle, restarted, moved to another process) and began it
        // again: so do we, and keep saying why until the learner clears the panel or runs again.
        if (m.resume && !m.resume.continued && this.lastSeq > 0) {
          this.reset();
          this.loss = m.moved === true ? 'moved' : 'forgotten';
        }
        if (m.resume && !m.resume.continued) this.forgotten = undefined;
        this.hello = m;
        this.changes.session = true;
        return;
      case 'records':
        for (const r of m.records) this.applyRecord(r);
        return;
      case 'dropped':
        this.dropped.bytes += m.bytes;
        this.dropped.records += m.records;
        if (m.next - 1 > this.lastSeq) this.lastSeq = m.next - 1;
        this.changes.session = true;
        return;
      case 'live':
        this.live = true;
        this.changes.session = true;
        return;
      case 'forgotten':
        this.forgotten = { maxSessions: Number(m.maxSessions) || 0 };
        this.changes.session = true;
        return;
    }
  }

  /** Folds one capture record into the model. */
  applyRecord(rec: CaptureRecord): void {
    if (rec.seq <= this.lastSeq) return;
    this.lastSeq = rec.seq;
    if (this.t0 === undefined || rec.t < this.t0) this.t0 = rec.t;
    if (this.tMax === undefined || rec.t > this.tMax) this.tMax = rec.t;
    const c = this.connection(rec.conn, rec.t);
    switch (rec.kind) {
      case 'open':
        c.openT = rec.t;
        c.client = rec.client;
        c.server = rec.server;
        c.reused = rec.reused === true;
        if (rec.before) c.before = { in: rec.before.in || 0, out: rec.before.out || 0 };
        for (const dir of ['in', 'out'] as const) c.wire[dir].push({ from: 0, at: c.before[dir] });
        if (rec.t < c.firstT) c.firstT = rec.t;
        break;
      case 'data':
        this.data(c, rec.dir, rec.off, recordBytes(rec), rec.t);
        return;
      case 'rejoined':
        c.wire[rec.dir].push({ from: c.bytes[rec.dir].end, at: rec.at });
        break;
      case 'end':
        c.fin[rec.dir] = rec.t;
        if (typeof rec.at === 'number') c.finAt[rec.dir] = rec.at;
        if (!c.desync[rec.dir]) this.dissect(c, (d) => d.end(rec.dir, rec.t, 'fin'));
        break;
      case 'close':
        c.closed = closedOf(rec);
        // Every ending reaches the dissector: a direction with no FIN ended by the reset, or
        // by the socket closing with nothing more seen (a chunked body cut short says so).
        for (const dir of ['out', 'in'] as const) {
          if (c.fin[dir] !== undefined || c.desync[dir]) continue;
          const how = c.closed.how === 'reset' ? 'rst' : 'closed';
          this.dissect(c, (d) => d.end(dir, rec.t, how));
        }
        break;
      case 'note':
        c.notes.push({ t: rec.t, text: rec.text, kind: 'note' });
        break;
      case 'timeout':
        c.notes.push({ t: rec.t, text: '', kind: 'timeout' });
        break;
      case 'moved':
        c.notes.push({ t: rec.t, text: '', kind: 'moved', dir: rec.dir });
        break;
    }
    this.touch(c, rec.t);
  }

  /** Adds captured bytes: kept for display, marked on the timeline, and decoded when in sequence. */
  private data(c: Connection, dir: Dir, off: number, bytes: Uint8Array, t: number): void {
    const store = c.bytes[dir];
    const before = store.end;
    const added = store.append(off, bytes);
    if (!added) return;
    c.addMark({ t, dir, off: added.off, len: added.bytes.length });
    if (before === 0 && added.off > 0) {
      c.desync[dir] = true; // first seen mid-stream: the start of the message is not here
    } else if (added.gap > 0 && !c.desync[dir]) {
      c.desync[dir] = true;
    }
    if (!c.desync[dir]) this.dissect(c, (d) => d.push(dir, added.bytes, t));
    this.touch(c, t);
  }

  private dissect(c: Connection, step: (d: DissectorLike) => void): void {
    if (!c.dissector) return;
    try {
      step(c.dissector);
    } catch (err) {
      c.failDissector(err);
    }
  }

  /** Forgets everything, open connections too (the server began the session again). */
  reset(): void {
    this.connections.length = 0;
    this.byId.clear();
    this.nextIndex = 1;
    this.lastSeq = 0;
    this.t0 = undefined;
    this.tMax = undefined;
    this.runs.length = 0;
    this.dropped.bytes = 0;
    this.dropped.records = 0;
    this.live = false;
    this.forgotten = undefined;
    this.changes.list = true;
    this.changes.session = true;
  }

  private connection(id: string | number, t: number): Connection {
    const key = String(id);
    let c = this.byId.get(key);
    if (!c) {
      c = new Connection(key, this.nextIndex++, this.runs.length, t, this.opts);
      if (this.createDissector) {
        try {
          c.dissector = this.createDissector();
        } catch (err) {
          c.failDissector(err);
        }
      }
      this.byId.set(key, c);
      this.connections.push(c);
      this.changes.list = true;
    }
    return c;
  }

  private touch(c: Connection, t: number): void {
    if (t > c.lastT) c.lastT = t;
    c.version++;
    this.changes.connections.add(c);
  }

  /** Marks the start of a Run at capture time `t`. */
  markRun(t: number): void {
    this.runs.push(t);
    if (this.t0 === undefined) this.t0 = t;
    if (this.tMax === undefined || t > this.tMax) this.tMax = t;
    this.changes.session = true;
  }

  /**
   * Forgets the connections that are closed. Open ones stay: their next bytes only make sense
   * after the ones already seen (a stream's head, a WebSocket's handshake).
   */
  clear(): void {
    for (let i = this.connections.length - 1; i >= 0; i--) {
      const c = this.connections[i]!;
      if (!c.open) {
        this.connections.splice(i, 1);
        this.byId.delete(c.id);
      }
    }
    this.runs.length = 0;
    this.dropped.bytes = 0;
    this.dropped.records = 0;
    this.forgetLoss();
    const open = this.connections.map((c) => c.firstT);
    this.t0 = open.length > 0 ? Math.min(...open) : undefined;
    if (this.t0 === undefined) this.tMax = undefined;
    this.changes.list = true;
    this.changes.session = true;
  }

  /** Stops saying that records were lost (the learner cleared the panel or ran again). */
  forgetLoss(): void {
    if (this.loss === undefined) return;
    this.loss = undefined;
    this.changes.session = true;
  }

  /** Returns what changed since the last call, and starts collecting afresh. */
  takeChanges(): Changes {
    const c = this.changes;
    this.changes = { connections: new Set(), list: false, session: false };
    return c;
  }

  /** Wall-clock ms (Unix epoch) of capture time `t`, when the server said how its clocks relate. */
  wallMs(t: number): number | undefined {
    const s = this.hello?.serverTime;
    if (!s || typeof s.epochMs !== 'number' || typeof s.monoUs !== 'number') return undefined;
    return s.epochMs + (t - s.monoUs) / 1000;
  }
}

/**
 * Reads a close record. Servers before `cause` called a server's FIN after `destroy()`
 * `destroyed` and one after the idle timeout `timeout`: both were FIN from the server.
 */
function closedOf(rec: Extract<CaptureRecord, { kind: 'close' }>): Closed {
  if (rec.how === 'reset' || rec.how === 'fin')
    return {
      t: rec.t,
      how: rec.how,
      by: rec.by,
      error: rec.error,
      cause: rec.cause,
      unseen: rec.unseen,
      unread: rec.unread,
    };
  return {
    t: rec.t,
    how: 'fin',
    by: 'server',
    error: rec.error,
    cause: rec.how === 'timeout' ? 'timeout' : 'destroy',
    unseen: true,
  };
}
