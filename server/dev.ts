/**
 * `npm run dev`: Astro's dev server (hot reload) with the lab, the capture, the
 * inspector channel and the classroom mounted through the same routes as production.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createCapture } from './capture/index.ts';
import { createClientAddressOf } from './client-address.ts';
import { createClassroom } from './classroom/index.ts';
import { config } from './config.ts';
import { createInspector } from './inspect/index.ts';
import { createLab } from './lab/index.ts';
import { createRoutes } from './routes.ts';

/** The parts of Vite's dev server this needs. */
interface DevServer {
  httpServer: Server | null | { on(event: string, listener: (...args: never[]) => void): unknown };
  middlewares: { use(fn: (req: IncomingMessage, res: ServerResponse, next: () => void) => void): unknown };
}

export async function mountOnDevServer(vite: DevServer): Promise<void> {
  const clientAddress = createClientAddressOf(config.trustProxy);
  const capture = createCapture(config);
  const inspector = createInspector(config, capture, clientAddress);
  const lab = createLab(config, {
    note: (socket, text) => capture.note(socket, text),
    clientAddress,
    watched: (session) => inspector.watched(session),
  });
  const http = vite.httpServer as Server | null;
  const classroom = createClassroom(config, lab, { address: () => http?.address() ?? null, clientAddress });
  await classroom.resume(); // classes kept by an earlier run (docs/classroom.md, "What is stored")
  const routes = createRoutes({ lab, inspector, classroom });
  if (!http) {
    // No HTTP server of its own (Vite in middleware mode): no capture, no upgrades, routes only.
    vite.middlewares.use((req, res, next) => {
      if (!routes.handleLab(req, res) && !routes.handleClass(req, res)) next();
    });
    return;
  }
  capture.attach(http);
  http.once('listening', () => {
    const where = http.address();
    if (where && typeof where === 'object' && !/^(127\.|::1$|::ffff:127\.)/.test(where.address)) {
      // WIRELAB_DEV_HOST (astro.config.mjs) opened it: the dev server hands out project files.
      console.warn(
        `Wire Lab dev server: listening on ${where.address}, so every machine that reaches it can read this project's files. For a class, use npm start.`,
      );
    }
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    routes.handleUpgrade(req, socket, head);
  });
  http.on('close', () => {
    void lab.close();
    void inspector.close();
    void classroom.close();
    capture.close();
  });
  // The lab and the class answer before Vite and Astro, as in production: learner code runs in
  // an opaque-origin frame, and Astro's dev guard would refuse its cross-site requests (403).
  const viteHandlers = http.listeners('request') as Array<
    (req: IncomingMessage, res: ServerResponse) => void
  >;
  http.removeAllListeners('request');
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (routes.handleLab(req, res) || routes.handleClass(req, res)) return;
    if (isRunnerModule(req)) {
      delete req.headers['sec-fetch-site'];
      res.setHeader('Access-Control-Allow-Origin', '*');
    }
    for (const handle of viteHandlers) handle.call(http, req, res);
  });
}

/**
 * The runner page (an opaque origin: `Origin: null`) loads its own modules from the dev server.
 * Only those modules, only by GET: the rest of the dev server stays behind Astro's guard.
 */
const RUNNER_MODULES =
  /^\/(@vite\/(client|env)|src\/pages\/runner\.astro|src\/playground\/[\w-]+\.ts|node_modules\/[\w@./-]+\.m?js)$/;
/**
 * The queries those modules are asked for with: none, Vite's version or timestamp stamps, and the
 * runner page's own script. Never `?raw`, `?url`, `?inline` and the like, which would turn any
 * file into a readable string.
 */
const RUNNER_QUERIES = /^(|\?v=[\da-f]+|\?t=\d+|\?astro&type=script&index=0&lang\.ts)$/;

function isRunnerModule(req: IncomingMessage): boolean {
  if (req.method !== 'GET' || req.headers.origin !== 'null' || req.headers['sec-fetch-dest'] !== 'script')
    return false;
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://dev.invalid'); // `..` and `%2e%2e` resolved
  } catch {
    return false;
  }
  return (
    RUNNER_MODULES.test(url.pathname) &&
    !url.pathname.includes('..') &&
    !url.pathname.includes('%') &&
    RUNNER_QUERIES.test(url.search)
  );
}
