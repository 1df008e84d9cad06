/**
 * Which part of the server answers a request: the lab, the inspector channel,
 * a built asset, or the site. The production server and the dev server both
 * route through here, so the two never disagree.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Classroom } from './classroom/index.ts';
import type { Inspector } from './inspect/index.ts';
import type { Lab } from './lab/index.ts';
import { createStaticFiles } from './static.ts';
import { pathOfTarget } from './target-path.ts';

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
  /** Answers `/class` and `/class/…` only; returns false for every other path (dev server middleware). */
  handleClass(req: IncomingMessage, res: ServerResponse): boolean;
  /** Takes a WebSocket upgrade under `/lab/`, `/inspect/` or `/class/`; returns false for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

export interface RouteParts {
  /** Origin written into pages' absolute links; '' for each request's own (config.publicOrigin). */
  publicOrigin?: string | undefined;
  lab: Lab;
  inspector: Inspector;
  classroom: Classroom;
  site?: SiteHandler | undefined;
  clientDir?: string | undefined;
}

export function createRoutes({
  lab,
  inspector,
  classroom,
  site,
  clientDir,
  publicOrigin,
}: RouteParts): Routes {
  const statics = clientDir ? createStaticFiles(clientDir, publicOrigin) : undefined;

  function handleLab(req: IncomingMessage, res: ServerResponse): boolean {
    if (!pathOf(req).startsWith('/lab/')) return false;
    lab.handleRequest(req, res);
    return true;
  }

  function handleClass(req: IncomingMessage, res: ServerResponse): boolean {
    const path = pathOf(req);
    if (path !== '/class' && !path.startsWith('/class/')) return false;
    classroom.handleRequest(req, res);
    return true;
  }

  return {
    handleLab,
    handleClass,
    handleRequest(req, res) {
      if (handleLab(req, res) || handleClass(req, res)) return;
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
      if (path.startsWith('/class/')) {
        classroom.handleUpgrade(req, socket, head);
        return true;
      }
      return false;
    },
  };
}

/**
 * The path of a request target, normalised exactly as the lab and the capture read it
 * (`/x/../lab/…` is `/lab/…`; an absolute-form `http://host/lab/…` is `/lab/…` too, RFC 9112
 * §3.2.2), without its query; '' when it is not a URL. The capture gives a request's bytes to
 * the session this names (capture/session-of-target.ts): were the two to differ, a session's
 * capture could show a request its lab never answered.
 */
function pathOf(req: IncomingMessage): string {
  return pathOfTarget(req.url ?? '') ?? '';
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Not found.\n');
}
