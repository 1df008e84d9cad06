/**
 * Memory per WebSocket with and without permessage-deflate (RFC 7692), as the lab configures ws:
 * N connections on loopback, each carrying one message each way (ws creates its zlib streams on
 * the first message in each direction), then the server process's RSS and external memory per
 * connection. Client and server are in one process, so each mode runs in a child process of its
 * own and the client side is subtracted with a run of the same clients against a plain server.
 *
 *   npm exec -- node bench/deflate-memory.ts [connections]
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

type Mode = 'plain' | 'takeover' | 'notakeover';
const MODES: Mode[] = ['plain', 'takeover', 'notakeover'];
const n = Number(process.argv[2] === '--serve' ? process.argv[4] : (process.argv[2] ?? 300));

/** Runs one mode: the server here, the clients in a child process. Prints bytes per connection. */
async function serve(mode: Mode): Promise<void> {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    perMessageDeflate:
      mode === 'plain'
        ? false
        : {
            threshold: 0,
            serverNoContextTakeover: mode === 'notakeover',
            clientNoContextTakeover: mode === 'notakeover',
          },
  });
  const server = createServer();
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data) => ws.send(data.toString()));
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      globalThis.gc?.();
      await new Promise((r) => setTimeout(r, 200));
    }
    const m = process.memoryUsage();
    return { rss: m.rss, external: m.external + m.arrayBuffers };
  };
  const before = await settle();
  const child = (await import('node:child_process')).spawn(
    process.execPath,
    [new URL(import.meta.url).pathname, '--clients', String(port), mode, String(n)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 50));
  const after = await settle();
  child.kill();
  console.log(
    JSON.stringify({
      mode,
      connections: wss.clients.size,
      rssPerConnection: Math.round((after.rss - before.rss) / n),
      externalPerConnection: Math.round((after.external - before.external) / n),
    }),
  );
  process.exit(0);
}

/** The clients: n sockets, each sends one repetitive message and waits for the answer. */
async function clients(port: number, mode: Mode, count: number): Promise<void> {
  const all: WebSocket[] = [];
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: mode !== 'plain' });
    await once(ws, 'open');
    ws.send('hello '.repeat(200));
    await once(ws, 'message');
    all.push(ws);
  }
  process.stdout.write('ready\n');
  await new Promise(() => {});
}

if (process.argv[2] === '--clients') {
  await clients(Number(process.argv[3]), process.argv[4] as Mode, Number(process.argv[5]));
} else if (process.argv[2] === '--serve') {
  await serve(process.argv[3] as Mode);
} else {
  for (const mode of MODES) {
    const line = execFileSync(
      process.execPath,
      ['--expose-gc', new URL(import.meta.url).pathname, '--serve', mode, String(n)],
      { encoding: 'utf8' },
    );
    process.stdout.write(line);
  }
}
