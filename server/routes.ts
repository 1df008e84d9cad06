/**
 * Which part of the server answers a request: the lab, the inspector channel,
 * a built asset, or the site. The production server and the dev server both
 * route through here, so the two never disagree.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Inspector } from './inspect/index.ts';
import type { Lab } from './lab/index.ts';
import { createStaticFiles } from './static.ts';

/** The Astro handler: renders a page, or calls `next` when it has no route. */
export type SiteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void | Promise<void>;

export interface Routes {
  /** Answers any request: lab, static file, site page, or 404. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  /** Answers `/lab/…` only; returns false for every other path (dev server middleware). */
  handleLab(req: IncomingMessage, res: ServerResponse): boolean;
  /** Takes a WebSocket upgrade under `/lab/` or `/inspect/`; returns false for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

export interface RouteParts {
  lab: Lab;
  inspector: Inspector;
  site?: SiteHandler | undefined;
  clientDir?: string | undefined;
}

export function createRoutes({ lab, inspector, site, clientDir }: RouteParts): Routes {
  const statics = clientDir ? createStaticFiles(clientDir) : undefined;

  function handleLab(req: IncomingMessage, res: ServerResponse): boolean {
    if (!pathOf(req).startsWith('/lab/')) return false;
    lab.handleRequest(req, res);
    return true;
  }

  return {
    handleLab,
    handleRequest(req, res) {
      if (handleLab(req, res)) return;
      if (statics?.serve(req, res)) return;
      const missing = () => (statics ? statics.notFound(req, res) : notFound(res));
      if (!site) {
        missing();
        return;
      }
      Promise.resolve(
        site(req, res, (err?: unknown) => {
          if (err) console.error(err);
          if (!res.headersSent) missing();
        }),
      ).catch((err: unknown) => {
        console.error(err);
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('The page could not be rendered.\n');
        } else {
          res.destroy();
        }
      });
    },
    handleUpgrade(req, socket, head) {
      const path = pathOf(req);
      if (path.startsWith('/lab/')) {
        lab.handleUpgrade(req, socket, head);
        return true;
      }
      if (path.startsWith('/inspect/')) {
        inspector.handleUpgrade(req, socket, head);
        return true;
      }
      return false;
    },
  };
}

/** The path of a request target, without its query; '' when it is not a path. */
function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Not found.\n');
}
