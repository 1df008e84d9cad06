/**
 * The baseline: the classroom scenario's messages sent by a bare server — plain `http` and `ws`,
 * one in-memory list of messages, no capture, no bounds, no rooms, no sessions. The same messages
 * reach the learners as from a Wire Lab class room: the teacher's pushes, and a tick a second.
 * What Wire Lab costs on top of this is what capture, bounds and rooms cost.
 *
 * It speaks just enough of the lab's wire format that one learner simulator reads both:
 *
 *   WS   /teacher     text in: a push                      (the class channel's `push`)
 *   GET  /sse         text/event-stream, `Last-Event-ID`   (lab `sse`)
 *   GET  /poll?since=&timeout=  long poll, JSON {messages, last}  (lab `poll`, batched alike)
 *   WS   /ws?since=   one JSON text frame per message      (lab `ws`)
 *   WS   /class       {"type":"push",…} per message        (the class channel)
 *   WS   /inspect     held open, sends nothing             (there is no capture to show)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
// Only the bounds (a module of constants): the poll batching window is the lab's own.
import { config } from '../server/config.ts';

export interface BaselineServer {
  readonly server: http.Server;
  readonly port: number;
  close(): Promise<void>;
}

interface Message {
  id: number;
  type: 'push' | 'tick';
  time: string;
  data: { from: 'teacher'; text: string } | { symbol: 'WIRE'; price: number };
}

/** Like a lab room feed, the feed ticks once a second while someone listens: the same messages reach the learners. */
const TICK_MS = 1_000;

export async function startBaselineServer(host: string, port: number): Promise<BaselineServer> {
  const messages: Message[] = [];
  const sseReaders = new Set<http.ServerResponse>();
  const polls = new Map<http.ServerResponse, number>();
  const feedSockets = new Set<WebSocket>();
  const classSockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  const sseEvent = (m: Message) => `id: ${m.id}\nevent: ${m.type}\ndata: ${JSON.stringify(m.data)}\n\n`;
  const answerPoll = (res: http.ServerResponse, since: number) => {
    const after = messages.slice(since);
    const body = JSON.stringify({ messages: after, last: after.at(-1)?.id ?? messages.length });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  // Held polls follow Wire Lab's rule (server/lab/poll.ts, `pollBatchMs`): a message that came
  // less than pollBatchMs after the one before waits that long for more, and they go together.
  let gathering: NodeJS.Timeout | undefined;
  const answerHeld = () => {
    gathering = undefined;
    for (const [res, since] of polls) {
      if (since >= messages.length) continue; // came while gathering, already up to date: stays held
      polls.delete(res);
      answerPoll(res, since);
    }
  };
  const answerPolls = (m: Message) => {
    if (polls.size === 0 || gathering !== undefined) return;
    const previous = messages.at(-2);
    const gap = previous ? Date.parse(m.time) - Date.parse(previous.time) : Number.POSITIVE_INFINITY;
    if (config.pollBatchMs > 0 && gap < config.pollBatchMs)
      gathering = setTimeout(answerHeld, config.pollBatchMs);
    else answerHeld();
  };

  /** Appends a message and sends it to every feed reader. */
  const append = (type: Message['type'], data: Message['data']): Message => {
    const m: Message = { id: messages.length + 1, type, time: new Date().toISOString(), data };
    messages.push(m);
    const json = JSON.stringify(m);
    for (const res of sseReaders) res.write(sseEvent(m));
    answerPolls(m);
    for (const ws of feedSockets) ws.send(json);
    return m;
  };
  const push = (text: string) => {
    const m = append('push', { from: 'teacher', text });
    const note = JSON.stringify({ type: 'push', id: m.id, text, time: m.time });
    for (const ws of classSockets) ws.send(note);
  };
  let cents = 10_000;
  const ticker = setInterval(() => {
    if (sseReaders.size + polls.size + feedSockets.size === 0) return;
    cents += Math.round((Math.random() - 0.5) * 200);
    append('tick', { symbol: 'WIRE', price: cents / 100 });
  }, TICK_MS);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://baseline.invalid');
    const since = Math.min(Number(url.searchParams.get('since') ?? 0) || 0, messages.length);
    const timeout = Number(url.searchParams.get('timeout') ?? 25_000);
    if (url.pathname === '/sse') {
      const resume = Number(req.headers['last-event-id'] ?? messages.length) || 0;
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.flushHeaders();
      for (const m of messages.slice(resume)) res.write(sseEvent(m));
      sseReaders.add(res);
      res.once('close', () => sseReaders.delete(res));
    } else if (url.pathname === '/poll') {
      if (since < messages.length) return answerPoll(res, since);
      polls.set(res, since);
      const timer = setTimeout(() => {
        polls.delete(res);
        res.writeHead(204).end();
      }, timeout);
      res.once('close', () => {
        clearTimeout(timer);
        polls.delete(res);
      });
    } else {
      res.writeHead(404).end();
    }
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://baseline.invalid');
    socket.on('error', () => socket.destroy());
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate());
      if (url.pathname === '/teacher') {
        ws.on('message', (data) => push(String(data)));
      } else if (url.pathname === '/ws') {
        const since = Number(url.searchParams.get('since') ?? messages.length) || 0;
        for (const m of messages.slice(since)) ws.send(JSON.stringify(m));
        feedSockets.add(ws);
        ws.once('close', () => feedSockets.delete(ws));
      } else if (url.pathname === '/class') {
        classSockets.add(ws);
        ws.once('close', () => classSockets.delete(ws));
      } else if (url.pathname !== '/inspect') {
        ws.close(1008, 'unknown path');
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    async close() {
      clearInterval(ticker);
      clearTimeout(gathering);
      for (const ws of wss.clients) ws.terminate();
      for (const res of [...sseReaders, ...polls.keys()]) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
