/**
 * Helpers for the classroom tests: the class HTTP API through fetch, the class channel through a
 * `ws` client that queues messages by type, and a raw streaming reader for lab responses that
 * never end (SSE, comet), all against the real server over real sockets.
 */
import net from 'node:net';
import WebSocket from 'ws';

export interface CreatedClass {
  code: string;
  key: string;
  origins: string[];
  exposed: boolean;
}

/** POST /class. */
export async function createClass(base: string): Promise<CreatedClass> {
  const res = await fetch(`${base}/class`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
  return (await res.json()) as CreatedClass;
}

/** POST /class/<code>/join; the raw response. */
export function joinRaw(base: string, code: string, body: unknown): Promise<Response> {
  return fetch(`${base}/class/${code}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export interface JoinedLearner {
  learner: { id: number; name: string; token: string };
  class: { code: string; lesson: string | null };
}

/** Joins and expects 201. */
export async function join(
  base: string,
  code: string,
  name: string,
  session: string,
): Promise<JoinedLearner> {
  const res = await joinRaw(base, code, { name, session });
  if (res.status !== 201) throw new Error(`join: ${res.status} ${await res.text()}`);
  return (await res.json()) as JoinedLearner;
}

export type ChannelMessage = Record<string, unknown> & { type: string };

/** A class channel client: messages wait in a queue until a test asks for one of their type. */
export class Channel {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly queue: ChannelMessage[] = [];
  private readonly waiting: Array<{ type: string; resolve: (m: ChannelMessage) => void }> = [];

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => {
        reject(new Error(`handshake answered ${res.statusCode}`));
        res.resume();
        this.ws.terminate();
      });
      this.ws.on('error', (err) => reject(err));
    });
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as ChannelMessage;
      const i = this.waiting.findIndex((w) => w.type === message.type);
      if (i === -1) this.queue.push(message);
      else this.waiting.splice(i, 1)[0]?.resolve(message);
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The next message of `type` (already queued, or the next to arrive); rejects after `ms`. */
  next(type: string, ms = 10_000): Promise<ChannelMessage> {
    const i = this.queue.findIndex((m) => m.type === type);
    if (i !== -1) return Promise.resolve(this.queue.splice(i, 1)[0] as ChannelMessage);
    return new Promise((resolve, reject) => {
      const waiter = {
        type,
        resolve: (m: ChannelMessage) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      // A waiter that timed out leaves: the next message of its type goes to the queue, not to it.
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(waiter);
        if (i !== -1) this.waiting.splice(i, 1);
        reject(new Error(`no "${type}" message within ${ms} ms`));
      }, ms);
      this.waiting.push(waiter);
    });
  }

  /** Waits for an `activity` message that satisfies `test`. */
  async activity(test: (m: ChannelMessage) => boolean, ms = 15_000): Promise<ChannelMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = await this.next('activity', Math.max(1, deadline - Date.now()));
      if (test(m)) return m;
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** Opens the class channel of `code` and says hello. */
export async function channel(base: string, code: string, hello: Record<string, unknown>): Promise<Channel> {
  const c = new Channel(`${base.replace('http', 'ws')}/class/${code}/ws`);
  await c.opened;
  c.send({ type: 'hello', ...hello });
  return c;
}

/**
 * A class with its teacher's dashboard and one learner's class bar connected, both welcomed;
 * with `bind`, the bar's hello binds the learner's lab `session` to the class room.
 */
export async function classWithLearner(
  base: string,
  session: string,
  { bind = false } = {},
): Promise<CreatedClass & { teacher: Channel; learner: JoinedLearner['learner']; bar: Channel }> {
  const created = await createClass(base);
  const teacher = await channel(base, created.code, { role: 'teacher', key: created.key });
  await teacher.next('welcome');
  const { learner } = await join(base, created.code, 'Ada', session);
  const hello = bind
    ? { role: 'learner', token: learner.token, session }
    : { role: 'learner', token: learner.token };
  const bar = await channel(base, created.code, hello);
  await bar.next('welcome');
  return { ...created, teacher, learner, bar };
}

/** A lab response read as it streams: its text so far, and a wait for some text to arrive. */
export class StreamReader {
  private text = '';
  private readonly socket: net.Socket;
  private waiters: Array<() => void> = [];

  constructor(port: number, path: string, headers: Record<string, string> = {}) {
    this.socket = net.connect(port, '127.0.0.1');
    const lines = [
      `GET ${path} HTTP/1.1`,
      'Host: 127.0.0.1',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    this.socket.on('error', () => {});
    this.socket.on('data', (d) => {
      this.text += d.toString('utf8');
      for (const w of this.waiters.splice(0)) w();
    });
  }

  get received(): string {
    return this.text;
  }

  /** Resolves once the text received so far contains `needle`. */
  async waitFor(needle: string, ms = 5_000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!this.text.includes(needle)) {
      if (Date.now() > deadline)
        throw new Error(`"${needle}" not received within ${ms} ms; got:\n${this.text}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.text;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
