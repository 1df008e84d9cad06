/**
 * A learner's page reading the class feed of its lab session the three ways the lessons teach, each
 * reconnecting as a browser's code does when its connection dies: EventSource with `Last-Event-ID`,
 * a WebSocket with `since=`, a long poll with `since=`. Each keeps the texts of the pushes it got,
 * in the order it got them, so a test can prove nothing was lost, repeated or reordered.
 */
import http from 'node:http';
import WebSocket from 'ws';

/** How long a reader waits before it reconnects (EventSource's default is about 3 s; tests wait less). */
const RECONNECT_MS = 150;

export interface FeedReader {
  readonly kind: 'sse' | 'ws' | 'poll';
  readonly session: string;
  /** The texts of the `push` messages received, in order. */
  readonly texts: string[];
  /** The id of the last message received (what a reconnection resumes after). */
  readonly lastId: number;
  /** How many times it connected (1 + reconnections). */
  readonly connects: number;
  close(): void;
}

interface FeedMessage {
  id: number;
  type: string;
  data: unknown;
}

const pushText = (m: FeedMessage): string | null =>
  m.type === 'push' ? String((m.data as { text?: unknown }).text) : null;

/** `GET /lab/<session>/sse`, again with `Last-Event-ID` whenever the stream ends or fails. */
export function sseReader(base: string, session: string): FeedReader {
  const url = new URL(`/lab/${session}/sse`, base);
  const state = { texts: [] as string[], lastId: 0, connects: 0, closed: false };
  let req: http.ClientRequest | null = null;
  const connect = () => {
    if (state.closed) return;
    state.connects += 1;
    // Last-Event-ID: 0 on the first connection too: every message the class room kept, so a push
    // made before the stream was subscribed is not lost to the test.
    req = http.get(url, { agent: false, headers: { 'Last-Event-ID': String(state.lastId) } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return;
      }
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        pending += text;
        const blocks = pending.split('\n\n');
        pending = blocks.pop() ?? '';
        for (const block of blocks) {
          const id = /^id: ?(.*)$/m.exec(block)?.[1];
          const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
          const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
          if (id === undefined) continue; // a comment (:heartbeat) or retry:
          const message = { id: Number(id), type: event, data: event === 'push' ? JSON.parse(data) : data };
          state.lastId = message.id;
          const text = pushText(message);
          if (text !== null) state.texts.push(text);
        }
      });
    });
    req.on('error', () => {});
    req.on('close', () => {
      if (!state.closed) setTimeout(connect, RECONNECT_MS);
    });
  };
  connect();
  return {
    kind: 'sse',
    session,
    get texts() {
      return state.texts;
    },
    get lastId() {
      return state.lastId;
    },
    get connects() {
      return state.connects;
    },
    close() {
      state.closed = true;
      req?.destroy();
    },
  };
}

/** `WS /lab/<session>/ws?since=<last id>`, opened again whenever it closes. */
export function wsReader(base: string, session: string): FeedReader {
  const state = { texts: [] as string[], lastId: 0, connects: 0, closed: false };
  let ws: WebSocket | null = null;
  const connect = () => {
    if (state.closed) return;
    state.connects += 1;
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/lab/${session}/ws?since=${state.lastId}`);
    ws = socket;
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as FeedMessage;
      if (typeof message.id !== 'number') return;
      state.lastId = message.id;
      const text = pushText(message);
      if (text !== null) state.texts.push(text);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (!state.closed) setTimeout(connect, RECONNECT_MS);
    });
  };
  connect();
  return {
    kind: 'ws',
    session,
    get texts() {
      return state.texts;
    },
    get lastId() {
      return state.lastId;
    },
    get connects() {
      return state.connects;
    },
    close() {
      state.closed = true;
      ws?.terminate();
    },
  };
}

/** `GET /lab/<session>/poll?since=<last id>` in a loop; a failed request is asked again. */
export function pollReader(base: string, session: string): FeedReader {
  const state = { texts: [] as string[], lastId: 0, connects: 0, closed: false };
  const abort = new AbortController();
  const loop = async () => {
    while (!state.closed) {
      state.connects += 1;
      try {
        const res = await fetch(`${base}/lab/${session}/poll?since=${state.lastId}`, {
          signal: abort.signal,
        });
        if (res.status !== 200) {
          await res.arrayBuffer();
          if (res.status !== 204) await new Promise((r) => setTimeout(r, RECONNECT_MS));
          continue;
        }
        const body = (await res.json()) as { messages: FeedMessage[]; last: number };
        for (const message of body.messages) {
          const text = pushText(message);
          if (text !== null) state.texts.push(text);
        }
        state.lastId = body.last;
      } catch {
        if (!state.closed) await new Promise((r) => setTimeout(r, RECONNECT_MS));
      }
    }
  };
  void loop();
  return {
    kind: 'poll',
    session,
    get texts() {
      return state.texts;
    },
    get lastId() {
      return state.lastId;
    },
    get connects() {
      return state.connects;
    },
    close() {
      state.closed = true;
      abort.abort();
    },
  };
}
