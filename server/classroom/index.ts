/**
 * Classroom mode: one teacher, a room of learners, one server (docs/classroom.md).
 *
 * `/class…` HTTP requests start and join classes (http.ts); `/class/<code>/ws` is the channel the
 * teacher's dashboard and each learner's page keep open (class-channel.ts). A class shares one lab
 * room feed; learners' lab sessions are bound to it (classes.ts), so their snippets hear the
 * teacher's pushes with no change to their code. The classroom reads what the lab counts of a
 * session, never its capture.
 *
 * With a `SharedRedis` (`WIRELAB_REDIS_URL`, docs/scale.md) classes live in Redis, any process
 * serves any class (loaded when a request names it), and the class bounds and the join-code
 * budgets are counted over every process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Config } from '../config.ts';
import { answerText, refuseUpgrade } from '../lab/answer.ts';
import type { Lab } from '../lab/index.ts';
import { createActivityMeter } from './activity.ts';
import type { ClientAddressOf } from '../client-address.ts';
import { addressKey } from '../client-address.ts';
import { createAddressRate, createClassRate } from './address-rate.ts';
import { createClassChannel } from './class-channel.ts';
import { createClasses } from './classes.ts';
import { codeInPath, handleClassRequest, lookUpClass, UNREACHABLE_TEXT } from './http.ts';
import { createJoinCodeMisses } from './join-code-misses.ts';
import { createSharedJoinCodeMisses } from './shared-join-code-misses.ts';
import type { SharedRedis } from '../shared/redis.ts';
import { openClassStore, StoreUnreachable } from './store/index.ts';

export interface Classroom {
  /** Answers a request under `/class`. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  /** Takes a WebSocket upgrade under `/class/` (the class channel). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  stats(): { classes: number; learners: number };
  /** Takes back the classes kept in the class store (after a restart), before the server listens. */
  resume(): Promise<void>;
  /** Closes every class channel with 1001; the classes stay in the store for the next start. */
  close(): Promise<void>;
}

export interface ClassroomOptions {
  /** Where the server listens, once it does: the LAN addresses printed under the join code. */
  address(): AddressInfo | string | null;
  /** The client address of a request (server/client-address.ts); by default the TCP peer's. */
  clientAddress?: ClientAddressOf;
  /** The Redis this process shares with others (shared mode), or null/absent: one process alone. */
  shared?: SharedRedis | null;
}

export function createClassroom(cfg: Config, lab: Lab, options: ClassroomOptions): Classroom {
  const shared = options.shared ?? null;
  const store = openClassStore(
    cfg.dataDir,
    undefined,
    shared && {
      redis: shared,
      // A safety net, not the idle rule: the holder's sweep ends an idle class long before.
      options: { ttlMs: 2 * cfg.classIdleMs, readTimeoutMs: cfg.redisConnectTimeoutMs },
    },
  );
  const classes = createClasses(cfg, lab, store);
  const rate = createAddressRate(cfg);
  const classRate = createClassRate(cfg);
  const misses = shared ? createSharedJoinCodeMisses(cfg, shared) : createJoinCodeMisses(cfg);
  const clientAddress =
    options.clientAddress ?? ((req: IncomingMessage) => addressKey(req.socket.remoteAddress ?? ''));
  const rates = { cfg, classes, rate, classRate, misses };
  const channel = createClassChannel(cfg, lab, classes, createActivityMeter(lab), shared);
  classes.attendedWhen((cls) => channel.count(cls).teachers > 0);
  let closing = false;

  return {
    handleRequest(req, res) {
      if (closing) {
        answerText(res, 503, 'The server is shutting down; try again in a moment.', { 'Retry-After': '5' });
        return;
      }
      handleClassRequest({ ...rates, clientAddress, address: options.address }, req, res).catch(
        (err: unknown) => {
          console.error(err);
          if (!res.headersSent)
            answerText(
              res,
              500,
              'The classroom failed on this request. This is a bug in Wire Lab: please report it.',
            );
          else res.destroy();
        },
      );
    },
    handleUpgrade(req, socket, head) {
      socket.on('error', () => socket.destroy()); // a reset mid-handshake must not crash the server
      let pathname = '';
      try {
        pathname = new URL(req.url ?? '/', 'http://class.invalid').pathname; // as routes.ts reads it
      } catch {
        // not a URL: refused below
      }
      const m = /^\/class\/([^/]+)\/ws$/.exec(pathname);
      if (!m) return refuseUpgrade(socket, 404, 'The class channel is /class/<code>/ws.');
      if (closing) return refuseUpgrade(socket, 503, 'The server is shutting down.', { 'Retry-After': '5' });
      // Only Wire Lab's own pages open the channel: not a learner's snippet (Origin: null), not another site.
      const origin = req.headers.origin;
      if (
        origin !== undefined &&
        origin !== `http://${req.headers.host}` &&
        origin !== `https://${req.headers.host}`
      ) {
        return refuseUpgrade(socket, 403, 'The class channel is opened by Wire Lab pages only.');
      }
      const code = codeInPath(m[1] ?? '');
      lookUpClass(rates, clientAddress(req), code).then(
        ({ refusal, cls }) => {
          if (socket.destroyed) return; // gone while the class was looked up
          if (closing)
            return refuseUpgrade(socket, 503, 'The server is shutting down.', { 'Retry-After': '5' });
          if (refusal) {
            return refuseUpgrade(socket, 429, refusal.text, { 'Retry-After': String(refusal.retryAfterS) });
          }
          channel.handleUpgrade(req, socket, head, cls);
        },
        (err: unknown) => {
          // Redis away: a refused handshake makes the page retry; a 4404 would make it forget the class.
          if (err instanceof StoreUnreachable)
            return refuseUpgrade(socket, 503, UNREACHABLE_TEXT, { 'Retry-After': '5' });
          console.error(err);
          refuseUpgrade(
            socket,
            500,
            'The classroom failed on this handshake. This is a bug in Wire Lab: please report it.',
          );
        },
      );
    },
    stats() {
      let learners = 0;
      for (const cls of classes.all()) learners += cls.learners.size;
      return { classes: classes.size, learners };
    },
    async resume() {
      const resumed = await classes.resume();
      if (resumed > 0)
        console.log(`Resumed ${resumed} class${resumed === 1 ? '' : 'es'} from ${cfg.dataDir}.`);
    },
    async close() {
      if (closing) return;
      closing = true;
      await channel.close();
      await classes.close();
      rate.close();
      classRate.close();
      misses.close();
    },
  };
}
