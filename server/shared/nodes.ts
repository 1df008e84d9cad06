/**
 * The processes sharing one Redis, and what each counts against the server-wide bounds.
 *
 * Every `nodeBeatMs` a process writes what it counts (`Counted`: sessions, rooms, and the
 * addresses holding many of them or of connections) under its id in the hash `wl:nodes`, and
 * reads everyone's: `maxSessions`, `maxRooms` and the per-address shares then hold for the sum,
 * not per process (sessions.ts and rooms.ts add `elsewhere()` to their own counts). An address
 * holding less than a sixteenth of a share on a process is not listed, so the sum can miss up to
 * that much per process: a share stays a share, give or take a few. A process that stopped
 * beating (it died) is dropped after five beats and counts no more. While Redis is away the last
 * figures read stay: a bound is then as exact as it was a moment ago.
 */
import type { Config } from '../config.ts';
import type { Counted } from '../lab/index.ts';
import type { SharedRedis } from './redis.ts';

const NODES = 'wl:nodes';

export interface Nodes {
  /** Begins beating with what `counted` says this process holds. */
  start(counted: () => Counted): void;
  /** What the other live processes count. */
  elsewhere(): Counted;
  /** Processes beating now, this one included. */
  alive(): number;
  close(): void;
}

export function createNodes(cfg: Pick<Config, 'nodeBeatMs'>, shared: SharedRedis): Nodes {
  let others: Counted = { sessions: 0, rooms: 0, heavy: {} };
  let live = 1;
  let timer: NodeJS.Timeout | undefined;
  const staleMs = 5 * cfg.nodeBeatMs;

  const beat = (counted: () => Counted): void => {
    if (!shared.up) return;
    const now = Date.now();
    shared.client
      .multi()
      .hSet(NODES, shared.nodeId, JSON.stringify({ ...counted(), at: now }))
      .hGetAll(NODES)
      .exec()
      .then((replies) => {
        const all = (replies[1] ?? {}) as unknown as Record<string, string>;
        const sum = { sessions: 0, rooms: 0, heavy: {} as Record<string, [number, number, number]> };
        let n = 1;
        const gone: string[] = [];
        for (const [id, raw] of Object.entries(all)) {
          if (id === shared.nodeId) continue;
          try {
            const c = JSON.parse(raw) as Counted & { at: number };
            if (now - c.at > staleMs) {
              gone.push(id);
              continue;
            }
            sum.sessions += c.sessions;
            sum.rooms += c.rooms;
            for (const [address, [s, r, n]] of Object.entries(c.heavy ?? {})) {
              const [s0, r0, n0] = sum.heavy[address] ?? [0, 0, 0];
              sum.heavy[address] = [s0 + s, r0 + r, n0 + n];
            }
            n += 1;
          } catch {
            gone.push(id);
          }
        }
        others = sum;
        live = n;
        if (gone.length > 0) shared.client.hDel(NODES, gone).catch(() => {});
      })
      .catch(() => {});
  };

  return {
    start(counted) {
      beat(counted);
      timer = setInterval(() => beat(counted), cfg.nodeBeatMs);
      timer.unref();
    },
    elsewhere: () => others,
    alive: () => live,
    close() {
      clearInterval(timer);
      if (shared.up) shared.client.hDel(NODES, shared.nodeId).catch(() => {});
    },
  };
}
