/**
 * The one HTTP server: the site, the lab, the inspector channel, the classroom, on one port.
 *
 * `createWireLabServer()` builds it without starting the site build; `server/index.ts`
 * is the command-line entry. Tests start it on port 0 and talk to it over real sockets.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { config as defaultConfig, type Config } from './config.ts';
import { createCapture } from './capture/index.ts';
import { createClientAddressOf } from './client-address.ts';
import { createClassroom } from './classroom/index.ts';
import { createInspector } from './inspect/index.ts';
import { createLab } from './lab/index.ts';
import { trimAfterCrowds } from './memory-trim.ts';
import { mallocTrim } from './native/malloc-trim.ts';
import { createRoutes, type SiteHandler } from './routes.ts';
import { createLabShare } from './shared/lab-sharing.ts';
import { connectShared } from './shared/redis.ts';
import { createTurns } from './turns.ts';

export interface WireLabServer {
  readonly server: http.Server;
  /** `http://host:port` the server answers on. */
  readonly url: string;
  readonly port: number;
  /** Ends open streams properly, then closes every socket. Resolves when all are gone. */
  close(): Promise<void>;
}

export interface WireLabOptions {
  host?: string;
  port?: number;
  /** Renders site pages (the Astro handler). Without one, only the lab and static files answer. */
  site?: SiteHandler;
  /** Folder of the built client assets (`dist/client`). */
  clientDir?: string;
  /** Overrides of bounds, for tests. */
  config?: Partial<Config>;
}

export async function createWireLabServer(options: WireLabOptions = {}): Promise<WireLabServer> {
  const cfg: Config = { ...defaultConfig, ...options.config };
  // Parsed before anything listens: a bad WIRELAB_TRUST_PROXY stops the server with its name.
  const clientAddress = createClientAddressOf(cfg.trustProxy);
  // Many processes on one Redis (docs/scale.md); a Redis that does not answer stops the start.
  const shared = cfg.redisUrl
    ? await connectShared(cfg.redisUrl, { connectTimeoutMs: cfg.redisConnectTimeoutMs })
    : null;
  const share = shared ? createLabShare(cfg, shared) : null;
  const capture = createCapture(cfg);
  // One budget a turn for the work a class's timers start together: poll answers, inspector frames.
  const turns = createTurns(cfg.turnBudgetMs);
  // The inspector's reconnect may be the first request of a session this process sees: it asks
  // Redis first (`arrive`, at most a second), then says whether the session moved here.
  const inspector = createInspector(
    cfg,
    capture,
    clientAddress,
    share
      ? {
          movedFrom: async (session: string) => {
            await share.hooks.arrive(session);
            return share.movedFrom(session);
          },
          turns,
        }
      : { turns },
  );
  const lab = createLab(cfg, {
    note: (socket, text) => capture.note(socket, text),
    clientAddress,
    watched: (session) => inspector.watched(session),
    turns,
    ...(share && { shared: share.hooks }),
  });
  share?.attach(lab);

  const server = http.createServer({
    maxHeaderSize: cfg.maxHeaderBytes,
    headersTimeout: cfg.headersTimeoutMs,
    requestTimeout: cfg.requestTimeoutMs,
    keepAliveTimeout: cfg.keepAliveTimeoutMs,
    connectionsCheckingInterval: cfg.connectionsCheckingIntervalMs,
  });
  server.maxHeadersCount = cfg.maxHeadersCount;
  const classroom = createClassroom(cfg, share ? share.forClassroom(lab) : lab, {
    address: () => server.address(),
    clientAddress,
    shared,
  });
  await classroom.resume(); // classes kept by an earlier run are back before anyone connects
  const routes = createRoutes({
    lab,
    inspector,
    classroom,
    site: options.site,
    clientDir: options.clientDir,
    publicOrigin: cfg.publicOrigin,
  });
  capture.attach(server);
  server.on('request', (req, res) => routes.handleRequest(req, res));
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!routes.handleUpgrade(req, socket, head)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    answerClientError(err, socket);
  });

  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const malloc = mallocTrim();
  const trimmer = trimAfterCrowds({
    open: () => sockets.size,
    dropAtLeast: cfg.memoryTrimDrop,
    afterMs: cfg.memoryTrimAfterMs,
    release: malloc.trim,
    onTrim: ({ peak, open, rssBefore, rssAfter, released, gcMs, releaseMs }) => {
      const pages =
        released === undefined
          ? ''
          : released
            ? `, and the allocator gave its free pages back in ${Math.round(releaseMs)} ms`
            : ', and the allocator had no free pages to give back';
      const kept = malloc.trim ? '' : ` (The allocator keeps its free pages: ${malloc.why}.)`;
      console.log(
        `Memory: ${peak - open} of ${peak} connections gone; collected in ${Math.round(gcMs)} ms${pages}, RSS ${mib(rssBefore)} → ${mib(rssAfter)} MiB.${kept}`,
      );
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? cfg.port, options.host ?? cfg.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    server,
    port: address.port,
    url: `http://${host}:${address.port}`,
    close() {
      closing ??= (async () => {
        trimmer.close();
        server.close();
        server.closeIdleConnections();
        await Promise.allSettled([lab.close(), inspector.close(), classroom.close()]);
        share?.close();
        const deadline = setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, cfg.shutdownGraceMs);
        deadline.unref();
        while (sockets.size > 0) {
          server.closeIdleConnections();
          await new Promise((r) => setTimeout(r, 20));
        }
        clearTimeout(deadline);
        turns.close(); // every poll is answered and every channel closed: what is left is moot
        capture.close();
        await shared?.close();
      })();
      return closing;
    },
  };
}

const mib = (bytes: number) => Math.round(bytes / 1048576);

/**
 * Node calls this for requests it could not parse. It answers with the status
 * the problem deserves (and a line saying why) instead of a silent reset.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (socket as Socket).bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const [status, text] = clientErrorStatus(err.code);
  const body = `${text}\n`;
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function clientErrorStatus(code: string | undefined): [string, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return ['431 Request Header Fields Too Large', 'The request head is larger than the server accepts.'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return ['408 Request Timeout', 'The request did not arrive in time.'];
    case 'HPE_INVALID_METHOD':
      return ['501 Not Implemented', 'Unknown request method.'];
    default:
      return ['400 Bad Request', `The request could not be parsed (${code ?? 'malformed'}).`];
  }
}
