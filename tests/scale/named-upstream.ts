/**
 * A tiny plain Node HTTP server standing in for a Wire Lab process behind nginx: it answers its own
 * name (and the request as it arrived), upgrades any WebSocket and says its name on it, and serves
 * `/hold/<id>` as a chunked response whose next chunk it writes only when the test says so.
 */
import http from 'node:http';
import type net from 'node:net';
import { WebSocketServer } from 'ws';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

export interface NamedUpstream {
  readonly name: string;
  readonly port: number;
  /** Every request it received, upgrades included. */
  readonly seen: SeenRequest[];
  /** Writes `text` as the next chunk of the held response `/hold/<id>` (waits until it is open). */
  writeHeld(id: string, text: string): Promise<void>;
  /** Ends the held response `/hold/<id>`. */
  endHeld(id: string): void;
  /** Resolves with the body bytes of a POST to `/body/<id>` received so far, once `test` holds for them. */
  bodySoFar(id: string, test: (text: string) => boolean): Promise<string>;
  /**
   * Serves `/flood/<id>` by writing 64 KiB chunks for as long as they leave the process (256 MiB
   * at most); resolves with the bytes written once they stopped leaving it (a write waited 1 s for
   * 'drain': backedUp) or all were written.
   */
  flooded(id: string): Promise<{ written: number; backedUp: boolean }>;
  /** Stops listening and cuts every open connection (a process that died). */
  close(): Promise<void>;
}

export async function startNamedUpstream(name: string): Promise<NamedUpstream> {
  const seen: SeenRequest[] = [];
  const held = new Map<string, http.ServerResponse>();
  const heldWaiters = new Map<string, Array<() => void>>();
  const bodies = new Map<string, string>();
  const bodyWaiters: Array<() => void> = [];
  const sockets = new Set<net.Socket>();
  const floods = new Map<string, { written: number; backedUp: boolean }>();
  const floodWaiters = new Map<string, (r: { written: number; backedUp: boolean }) => void>();
  const FLOOD_LIMIT = 256 * 1024 * 1024;

  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const holdId = /^\/hold\/([^/?]+)/.exec(req.url ?? '')?.[1];
    if (holdId) {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name });
      res.flushHeaders();
      held.set(holdId, res);
      for (const w of heldWaiters.get(holdId)?.splice(0) ?? []) w();
      return;
    }
    const floodId = /^\/flood\/([^/?]+)/.exec(req.url ?? '')?.[1];
    if (floodId) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let written = 0;
      // Writes as fast as the socket takes the bytes, as a well-behaved stream does (on 'drain').
      // Once a write waited a whole second with no 'drain', the reader has stopped taking them.
      const done = (backedUp: boolean) => {
        const result = { written, backedUp };
        floods.set(floodId, result);
        floodWaiters.get(floodId)?.(result);
      };
      const pump = () => {
        while (written < FLOOD_LIMIT) {
          written += chunk.length;
          if (res.write(chunk)) continue;
          const quiet = setTimeout(() => done(true), 1_000);
          res.once('drain', () => {
            clearTimeout(quiet);
            pump();
          });
          return;
        }
        done(false);
      };
      pump();
      return;
    }
    const bodyId = /^\/body\/([^/?]+)/.exec(req.url ?? '')?.[1];
    if (bodyId) {
      bodies.set(bodyId, '');
      req.setEncoding('utf8');
      req.on('data', (text: string) => {
        bodies.set(bodyId, (bodies.get(bodyId) ?? '') + text);
        for (const w of bodyWaiters.splice(0)) w();
      });
      req.on('end', () => res.end(`${name} read ${Buffer.byteLength(bodies.get(bodyId) ?? '')} bytes`));
      return;
    }
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name });
    res.end(JSON.stringify({ name, method: req.method, url: req.url, headers: req.headers }));
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => {});
      ws.send(`${name} ${req.url}`);
      ws.on('message', (data) => ws.send(`${name} echo ${String(data)}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    name,
    port,
    seen,
    async writeHeld(id, text) {
      if (!held.has(id)) {
        await new Promise<void>((resolve) => heldWaiters.set(id, [...(heldWaiters.get(id) ?? []), resolve]));
      }
      held.get(id)?.write(text);
    },
    endHeld(id) {
      held.get(id)?.end();
    },
    async bodySoFar(id, test) {
      while (!test(bodies.get(id) ?? '')) await new Promise<void>((resolve) => bodyWaiters.push(resolve));
      return bodies.get(id) ?? '';
    },
    flooded(id) {
      const done = floods.get(id);
      if (done) return Promise.resolve(done);
      return new Promise((resolve) => floodWaiters.set(id, resolve));
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
