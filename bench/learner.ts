/**
 * One simulated learner: what a learner's lesson page holds while the teacher pushes — an SSE
 * stream, a WebSocket, a long-poll loop, the inspector channel and (in a class) the class
 * channel — each reconnecting the way its browser API or a lesson's code does.
 *
 * Every connection leaves from the learner's own loopback address (127.0.x.y), as each learner
 * in a classroom has an address of its own: per-address bounds (class requests a second) then
 * see a class, not one machine hammering the server.
 */
import http from 'node:http';
import WebSocket from 'ws';
import { type Delivery, now, type Technique } from './delivery.ts';

/** Which server, and how learners reach the teacher's messages there. */
export interface Target {
  /**
   * `class`: Wire Lab's classroom (join, class channel, sessions bound to the class room).
   * `room`: Wire Lab's lab rooms (`room=<code>` on every feed endpoint), no class channel.
   * `baseline`: bench/baseline-server.ts.
   */
  mode: 'class' | 'room' | 'baseline';
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** The class join code (`class`) or room code (`room`). */
  code: string;
  /** False: learners open no inspector channel (to see what streaming the capture costs). */
  inspector: boolean;
  /** The inspector protocol version learners ask for (`v=`): the lesson page's 3 unless told. */
  inspectorVersion?: 2 | 3;
}

export interface LearnerEvents {
  deliveries: Record<Technique, Delivery>;
  /** Something failed that should not have (kept for the report, a few of each kind). */
  problem(text: string): void;
}

/** EventSource's reconnection time when the server sends no `retry:` (Chromium: 3 s). */
const SSE_RETRY_MS = 3_000;
/** How soon a lesson's WebSocket code reconnects after a close. */
const WS_RETRY_MS = 1_000;
/** Long poll `timeout=` (the lab's default). */
const POLL_TIMEOUT_MS = 25_000;

/** The inspector frames this reader looks at (docs/inspector-protocol.md). */
type InspectorFrame =
  | {
      type: 'records';
      // Version 3 writes a data record as [seq, conn, t, dir (0 in, 1 out), off, len].
      records: Array<{ seq: number; kind: string; dir?: string; b64?: string; len?: number } | number[]>;
    }
  | { type: 'dropped'; records: number }
  | { type: 'hello' | 'live' };

export const learnerAddress = (index: number): string =>
  `127.0.${1 + Math.floor(index / 250)}.${1 + (index % 250)}`;

export class Learner {
  readonly index: number;
  readonly session: string;
  private readonly target: Target;
  private readonly events: LearnerEvents;
  private readonly localAddress: string;
  private readonly agent: http.Agent;
  private token = '';
  private stopping = false;
  private readonly requests = new Set<http.ClientRequest>();
  private readonly sockets = new Set<WebSocket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Resolves when every connection has said it is up (stream head, socket open, hello answered). */
  private readonly waiting = new Map<string, () => void>();

  constructor(index: number, session: string, target: Target, events: LearnerEvents) {
    this.index = index;
    this.session = session;
    this.target = target;
    this.events = events;
    this.localAddress = learnerAddress(index);
    // Like a browser: keep-alive connections for the polls, one host.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
  }

  /** Joins (in a class) and opens everything; resolves once all of it is up. */
  async start(): Promise<void> {
    if (this.target.mode === 'class') this.token = await this.join();
    const up: Array<Promise<void>> = [];
    const expect = (name: string) => up.push(new Promise<void>((resolve) => this.waiting.set(name, resolve)));
    expect('sse');
    expect('ws');
    if (this.target.inspector) expect('inspector');
    expect('poll');
    if (this.target.mode !== 'room') expect('class');
    this.sse(0);
    this.ws(undefined);
    if (this.target.inspector) this.inspector(0);
    this.poll(undefined);
    if (this.target.mode !== 'room') this.classChannel();
    await Promise.all(up);
  }

  /** The connections not up yet (while `start` waits). */
  get pending(): string[] {
    return [...this.waiting.keys()];
  }

  stop(): void {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    for (const r of this.requests) r.destroy();
    for (const s of this.sockets) s.terminate();
    this.agent.destroy();
  }

  // ---- where things are

  private url(path: string, query: Record<string, string | number> = {}): string {
    const { mode, base, code } = this.target;
    const q = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    if (mode === 'room') q.set('room', code);
    const where = mode === 'baseline' ? `/${path}` : `/lab/${this.session}/${path}`;
    const s = q.toString();
    return `${base}${where}${s ? `?${s}` : ''}`;
  }

  private wsUrl(url: string): string {
    return url.replace(/^http/, 'ws');
  }

  private up(name: string): void {
    this.waiting.get(name)?.();
    this.waiting.delete(name);
  }

  private later(fn: () => void, ms: number): void {
    if (this.stopping) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopping) fn();
    }, ms);
    this.timers.add(t);
  }

  // ---- joining a class

  /**
   * Joins, and joins again after a 429 (a class filling faster than `classRequestsPerClassPerSecond`
   * takes: 3,000 at once do), after the wait the answer names, as a learner pressing Join again
   * would; up to 10 times.
   */
  private async join(): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const answer = await this.joinOnce();
      if (answer.status === 201)
        return (JSON.parse(answer.text) as { learner: { token: string } }).learner.token;
      if (answer.status !== 429 || attempt >= 10)
        throw new Error(`join: ${answer.status} ${answer.text.trim()}`);
      await new Promise((r) => setTimeout(r, 1_000 * Number(answer.retryAfter ?? 1) + Math.random() * 500));
    }
  }

  private joinOnce(): Promise<{ status: number; text: string; retryAfter: string | undefined }> {
    const body = JSON.stringify({ name: `Learner ${this.index + 1}`, session: this.session });
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${this.target.base}/class/${this.target.code}/join`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          localAddress: this.localAddress,
          agent: this.agent,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            resolve({ status: res.statusCode ?? 0, text, retryAfter });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  // ---- EventSource

  private sse(lastEventId: number, reconnect = false): void {
    const delivery = this.events.deliveries.sse;
    const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache' };
    if (lastEventId > 0) headers['last-event-id'] = String(lastEventId);
    let retry = SSE_RETRY_MS;
    let lastId = lastEventId;
    const again = () => {
      this.requests.delete(req);
      if (this.stopping) return;
      delivery.reconnects += 1;
      this.later(() => this.sse(lastId, true), retry);
    };
    // A stream of its own: EventSource holds its connection for as long as it reads.
    const req = http.get(
      this.url('sse'),
      { headers, localAddress: this.localAddress, agent: false },
      (res) => {
        if (res.statusCode !== 200) {
          delivery.errors += 1;
          this.events.problem(`sse: ${res.statusCode}`);
          res.resume();
          res.on('end', again);
          return;
        }
        const openedAt = reconnect ? now() : 0;
        this.up('sse');
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end !== -1) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            // WHATWG HTML, event stream interpretation: `id:` sets the last event id, `retry:` the delay.
            for (const line of block.split('\n')) {
              if (line.startsWith('id: ')) lastId = Number(line.slice(4));
              else if (line.startsWith('retry: ')) retry = Number(line.slice(7));
              else if (line.startsWith(':') && line !== ':heartbeat')
                this.events.problem(`sse comment ${line}`);
            }
            delivery.scan(this.index, block, openedAt);
            end = buffer.indexOf('\n\n');
          }
        });
        res.on('end', again);
        res.on('error', () => {});
      },
    );
    req.on('error', (err) => {
      if (this.stopping) return;
      delivery.errors += 1;
      this.events.problem(`sse: ${err.message}`);
      again();
    });
    this.requests.add(req);
  }

  // ---- WebSocket (the feed)

  private ws(since: number | undefined): void {
    const delivery = this.events.deliveries.ws;
    const ws = new WebSocket(this.wsUrl(this.url('ws', since === undefined ? {} : { since })), {
      localAddress: this.localAddress,
      perMessageDeflate: false,
    });
    this.sockets.add(ws);
    let lastId = since ?? 0;
    let openedAt = 0;
    ws.on('open', () => {
      openedAt = since === undefined ? 0 : now();
      this.up('ws');
    });
    ws.on('message', (data) => {
      const text = String(data);
      const id = /^\{"id":(\d+)/.exec(text);
      if (id) lastId = Number(id[1]);
      delivery.scan(this.index, text, openedAt);
    });
    ws.on('error', (err) => {
      if (this.stopping) return;
      delivery.errors += 1;
      this.events.problem(`ws: ${err.message}`);
    });
    ws.on('close', (code, reason) => {
      this.sockets.delete(ws);
      if (this.stopping) return;
      this.events.problem(`ws closed ${code} ${reason}`);
      delivery.reconnects += 1;
      this.later(() => this.ws(lastId), WS_RETRY_MS);
    });
  }

  // ---- long polling

  /** `since` undefined: the first request, `timeout=0`, only learns where the feed is. */
  private poll(since: number | undefined): void {
    const delivery = this.events.deliveries.poll;
    const query: Record<string, number> =
      since === undefined ? { timeout: 0 } : { since, timeout: POLL_TIMEOUT_MS };
    const req = http.get(
      this.url('poll', query),
      { localAddress: this.localAddress, agent: this.agent },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          this.requests.delete(req);
          if (this.stopping) return;
          if (since === undefined && (res.statusCode === 200 || res.statusCode === 204)) {
            this.up('poll');
            return this.poll(res.statusCode === 200 ? (JSON.parse(text) as { last: number }).last : 0);
          }
          if (res.statusCode === 200) {
            delivery.scan(this.index, text);
            return this.poll((JSON.parse(text) as { last: number }).last);
          }
          if (res.statusCode === 204) return this.poll(since);
          delivery.errors += 1;
          this.events.problem(`poll: ${res.statusCode} ${text.trim().slice(0, 80)}`);
          const wait = Number(res.headers['retry-after'] ?? 1) * 1000;
          this.later(() => this.poll(since), wait);
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      this.requests.delete(req);
      if (this.stopping) return;
      // A kept-alive connection the server closed just as it was reused: browsers send the GET
      // again at once on a new connection, and so does this.
      if (req.reusedSocket && (err.code === 'ECONNRESET' || err.message === 'socket hang up')) {
        delivery.reconnects += 1;
        return this.poll(since);
      }
      delivery.errors += 1;
      this.events.problem(`poll: ${err.message}`);
      this.later(() => this.poll(since), 1_000);
    });
    this.requests.add(req);
  }

  // ---- the inspector channel

  private inspector(after: number): void {
    const delivery = this.events.deliveries.inspector;
    const path = this.target.mode === 'baseline' ? '/inspect' : `/inspect/${this.session}`;
    // Version 3, as the lesson page asks for: records in binary frames, their bytes as they are.
    const v = this.target.inspectorVersion ?? 3;
    const ws = new WebSocket(
      `${this.wsUrl(this.target.base)}${path}?v=${v}${after > 0 ? `&after=${after}` : ''}`,
      {
        localAddress: this.localAddress,
        perMessageDeflate: false,
      },
    );
    this.sockets.add(ws);
    let last = after;
    if (this.target.mode === 'baseline') ws.on('open', () => this.up('inspector')); // nothing to show
    ws.on('message', (data, isBinary) => {
      const frame = data as Buffer;
      const head = isBinary ? frame.readUInt32BE(0) : 0;
      const m = JSON.parse(isBinary ? frame.toString('utf8', 4, 4 + head) : String(frame)) as InspectorFrame;
      if (m.type === 'live') this.up('inspector');
      else if (m.type === 'dropped') delivery.dropped += m.records;
      else if (m.type === 'records') {
        let at = 4 + head; // versions 2 and 3: the data records' bytes follow the head, `len` each
        for (const r of m.records) {
          if (Array.isArray(r)) {
            last = r[0] ?? last;
            const start = at;
            at += r[5] ?? 0;
            if (r[3] === 1) delivery.scan(this.index, frame.toString('latin1', start, at));
            continue;
          }
          last = r.seq;
          if (r.kind !== 'data') continue;
          const start = at;
          if (isBinary) at += r.len ?? 0;
          if (r.dir !== 'out') continue;
          const text = isBinary
            ? frame.toString('latin1', start, at)
            : Buffer.from(r.b64 ?? '', 'base64').toString('latin1');
          delivery.scan(this.index, text);
        }
      }
    });
    ws.on('error', (err) => {
      if (this.stopping) return;
      delivery.errors += 1;
      this.events.problem(`inspector: ${err.message}`);
    });
    ws.on('close', (code, reason) => {
      this.sockets.delete(ws);
      if (this.stopping) return;
      this.events.problem(`inspector closed ${code} ${reason}`);
      delivery.reconnects += 1;
      this.later(() => this.inspector(last), 1_000);
    });
  }

  // ---- the class channel

  private classChannel(): void {
    const delivery = this.events.deliveries.class;
    const path = this.target.mode === 'baseline' ? '/class' : `/class/${this.target.code}/ws`;
    const ws = new WebSocket(`${this.wsUrl(this.target.base)}${path}`, {
      localAddress: this.localAddress,
      perMessageDeflate: false,
    });
    this.sockets.add(ws);
    ws.on('open', () => {
      if (this.target.mode === 'baseline') return this.up('class');
      ws.send(
        JSON.stringify({
          type: 'hello',
          role: 'learner',
          token: this.token,
          session: this.session,
          lesson: null,
        }),
      );
    });
    ws.on('message', (data) => {
      const text = String(data);
      if (text.startsWith('{"type":"welcome"')) this.up('class');
      else delivery.scan(this.index, text);
    });
    ws.on('error', (err) => {
      if (this.stopping) return;
      delivery.errors += 1;
      this.events.problem(`class: ${err.message}`);
    });
    ws.on('close', (code, reason) => {
      this.sockets.delete(ws);
      if (this.stopping) return;
      this.events.problem(`class channel closed ${code} ${reason}`);
      delivery.reconnects += 1;
      this.later(() => this.classChannel(), 1_000);
    });
  }
}
