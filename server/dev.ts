/**
 * `npm run dev`: Astro's dev server (hot reload) with the lab, the capture, the
 * inspector channel and the classroom mounted through the same routes as production.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createCapture } from './capture/index.ts';
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
  const capture = createCapture(config);
  const lab = createLab(config, { note: (socket, text) => capture.note(socket, text) });
  const inspector = createInspector(config, capture);
  const http = vite.httpServer as Server | null;
  const classroom = createClassroom(config, lab, { address: () => http?.address() ?? null });
  const routes = createRoutes({ lab, inspector, classroom });
  if (http) {
    capture.attach(http);
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      routes.handleUpgrade(req, socket, head);
    });
    http.on('close', () => {
      void lab.close();
      void inspector.close();
      void classroom.close();
      capture.close();
    });
  }
  vite.middlewares.use((req, res, next) => {
    if (!routes.handleLab(req, res) && !routes.handleClass(req, res)) next();
  });
}
