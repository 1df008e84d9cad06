/**
 * What processes sharing one Redis share of the lab (docs/scale.md "What is shared").
 *
 * nginx sends every request of a lab session to one process and every request of a class to one
 * process, but not the same one: a learner's session may live on process A while their class
 * lives on B. So:
 * - **Room feeds** are Redis Streams (room-feed.ts): the teacher's push on B reaches the learner's
 *   EventSource on A.
 * - **Bindings** of sessions to class rooms are kept in `wl:bind:<session>` (for two class idle
 *   times, renewed while the session is held) and announced on the channel `wl:binds`: the
 *   process holding the session applies them, and a process that sees a
 *   session first asks (`arrive`), so a learner whose process died is in the class room again on
 *   the next one.
 * - **Homes**: `wl:home:<session>` names the process that last held a session; one that takes a
 *   session over from another knows it moved (`movedFrom`), and the inspector says the old
 *   process's unsent capture is lost.
 * - **Activity**: each process writes what its class sessions are doing (`wl:act:<session>`, when
 *   it changed) so the class's process can show it on the dashboard (`sessionActivity`).
 * - **Bounds**: each process says how many sessions and rooms it counts (nodes.ts), so
 *   `maxSessions` and `maxRooms` hold across all of them.
 */
import type { Config } from '../config.ts';
import type { Lab, LabSharing, SessionActivity } from '../lab/index.ts';
import { createNodes } from './nodes.ts';
import type { SharedRedis } from './redis.ts';
import { createSharedFeed, type SharedFeed } from './room-feed.ts';

const BINDS = 'wl:binds';
const bindKey = (session: string) => `wl:bind:${session}`;
const homeKey = (session: string) => `wl:home:${session}`;
const activityKey = (session: string) => `wl:act:${session}`;

/** Claims the session's home for this process; answers the process before it and the bound room. */
const ARRIVE = `
local before = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local room = redis.call('GET', KEYS[2])
return { before or '', room or '' }`;

/** How long a request of a new session waits for Redis to say what it knows of it. */
const ARRIVE_WAIT_MS = 1_000;
/** A class session's message counts reach the dashboard on another process at most this late. */
const COUNTS_EVERY_MS = 5_000;
/** A session's home is written again this often while this process holds it. */
const HOME_REFRESH_MS = 10_000;
/** Sessions a process remembers having taken over from another (for the inspector's notice). */
const MAX_MOVED = 10_000;

export interface LabShare {
  /** For `createLab(cfg, { shared })`. */
  readonly hooks: LabSharing;
  /** Starts sharing what `lab` holds (call once, right after `createLab`). */
  attach(lab: Lab): void;
  /** The lab as the classroom sees it: bindings and activity reach sessions on every process. */
  forClassroom(lab: Lab): Lab;
  /** True when this process took `session` over from another process that held it. */
  movedFrom(session: string): boolean;
  close(): void;
}

export function createLabShare(cfg: Config, shared: SharedRedis): LabShare {
  const feeds = new Map<string, SharedFeed>();
  const nodes = createNodes(cfg, shared);
  let lab: Lab | null = null;
  /** Sessions this process took in (arrived or bound here), checked against the lab now and then. */
  const held = new Set<string>();
  const moved = new Map<string, number>();
  const arriving = new Map<string, Promise<void>>();
  /** Activity of sessions on other processes the dashboard asked for, and when it was asked. */
  const remote = new Map<string, { asked: number; activity: SessionActivity | null }>();
  const homeTtl = String(2 * cfg.sessionIdleMs);
  /** A binding outlives its class's idle time: a class that ended with its process unbinds nobody. */
  const bindTtl = 2 * cfg.classIdleMs;
  /** Rooms the classroom of this process bound sessions to, sessions here or not. */
  const boundHere = new Map<string, string>();

  const local = (session: string): boolean => lab?.sessionActivity(session) != null;
  const applyBinding = (session: string, room: string | null): void => {
    if (!lab || !local(session)) return;
    if ((lab.sessionActivity(session)?.room ?? null) === room) return;
    lab.bindRoom(session, room);
  };
  const onBinding = (raw: string): void => {
    try {
      const { session, room } = JSON.parse(raw) as { session: string; room: string | null };
      applyBinding(session, room);
    } catch {
      // not ours
    }
  };
  void shared.subscriber.subscribe(BINDS, onBinding).catch(() => {});

  const hooks: LabSharing = {
    roomFeed(code) {
      const feed = createSharedFeed(code, cfg, shared);
      const close = feed.close.bind(feed);
      feed.close = () => {
        if (feeds.get(code) === feed) feeds.delete(code);
        close();
      };
      feeds.set(code, feed);
      return feed;
    },
    elsewhere: () => nodes.elsewhere(),
    arrive(session) {
      const waiting = arriving.get(session);
      if (waiting) return waiting;
      const answer = shared.client
        .eval(ARRIVE, {
          keys: [homeKey(session), bindKey(session)],
          arguments: [shared.nodeId, homeTtl],
        })
        .then(
          (reply) => {
            const [before, room] = (reply as string[]).map(String);
            held.add(session);
            if (before && before !== shared.nodeId) {
              moved.set(session, Date.now());
              if (moved.size > MAX_MOVED) moved.delete(moved.keys().next().value as string);
            }
            if (room && lab) lab.bindRoom(session, room);
          },
          () => {
            // Redis refused the script: the session starts unbound, as on a process alone.
          },
        )
        .finally(() => arriving.delete(session));
      arriving.set(session, answer);
      // A slow Redis must not hold a page's request for long: it goes on, and the binding
      // follows when Redis answers.
      return Promise.race([answer, new Promise<void>((r) => setTimeout(r, ARRIVE_WAIT_MS).unref())]);
    },
  };

  /**
   * What was last written of each session's activity: its open connections and room, and when.
   * Those are written as they change (the dashboard shows who has what open); the counts that
   * move with every message (`started`, `delivered`) ride along at most every `COUNTS_EVERY_MS`,
   * which keeps a class of 3,000 from costing Redis 3,000 writes a second.
   */
  const written = new Map<string, { key: string; at: number }>();
  /**
   * Writes the activity of the class sessions this process holds when it changed (and all of it
   * every `HOME_REFRESH_MS`, with the sessions' homes, so neither expires while held).
   */
  const beat = (refresh: boolean): void => {
    if (!lab || !shared.up) return;
    const multi = shared.client.multi();
    let writes = 0;
    for (const session of held) {
      const activity = lab.sessionActivity(session);
      if (!activity) {
        held.delete(session);
        moved.delete(session);
        written.delete(session);
        continue;
      }
      if (refresh) {
        multi.pExpire(homeKey(session), Number(homeTtl));
        writes += 1;
      }
      if (activity.room === null) continue;
      if (refresh) {
        multi.pExpire(bindKey(session), bindTtl);
        writes += 1;
      }
      const key = JSON.stringify([activity.open, activity.room]);
      const last = written.get(session);
      const now = Date.now();
      if (!refresh && last && last.key === key && now - last.at < COUNTS_EVERY_MS) continue;
      written.set(session, { key, at: now });
      multi.set(activityKey(session), JSON.stringify(activity), { PX: 3 * HOME_REFRESH_MS });
      writes += 1;
    }
    if (writes > 0) multi.exec().catch(() => {});
  };
  const readRemote = (): void => {
    if (!shared.up || remote.size === 0) return;
    const now = Date.now();
    for (const [session, r] of remote) if (now - r.asked > 10 * cfg.classActivityMs) remote.delete(session);
    const sessions = [...remote.keys()];
    if (sessions.length === 0) return;
    shared.client.mGet(sessions.map(activityKey)).then(
      (values) => {
        sessions.forEach((session, i) => {
          const r = remote.get(session);
          const raw = values[i];
          if (r) r.activity = typeof raw === 'string' ? (JSON.parse(raw) as SessionActivity) : null;
        });
      },
      () => {},
    );
  };
  const activityTimer = setInterval(() => {
    beat(false);
    readRemote();
  }, cfg.classActivityMs);
  activityTimer.unref();
  const homeTimer = setInterval(() => beat(true), HOME_REFRESH_MS);
  homeTimer.unref();

  const offStatus = shared.onStatus((up) => {
    if (!up) return;
    // Redis is back: read what each mirror missed while it was away.
    for (const feed of feeds.values()) void feed.catchUp();
  });

  return {
    hooks,
    attach(it) {
      lab = it;
      nodes.start(() => it.counted());
    },
    forClassroom(it) {
      return {
        ...it,
        bindRoom(session, room) {
          if (local(session) || room === null) it.bindRoom(session, room);
          held.add(session);
          if (room === null) boundHere.delete(session);
          else boundHere.set(session, room);
          const multi = shared.client.multi();
          if (room === null) multi.del(bindKey(session));
          else multi.set(bindKey(session), room, { PX: bindTtl });
          multi.publish(BINDS, JSON.stringify({ session, room }));
          multi.exec().catch(() => {});
          return true;
        },
        // Commands on one connection run in order: the ping's answer means the bindings are in.
        // A Redis that is away does not hold a join for long; the binding follows when it is back.
        bindingsWritten: () =>
          Promise.race([
            shared.client.ping().then(
              () => {},
              () => {},
            ),
            new Promise<void>((r) => setTimeout(r, ARRIVE_WAIT_MS).unref()),
          ]),
        sessionActivity(session) {
          const here = it.sessionActivity(session);
          if (here) return here;
          const room = boundHere.get(session);
          if (room === undefined) return null;
          // On another process: what it last wrote, or nothing open yet (it has not written).
          const r = remote.get(session) ?? { asked: 0, activity: null };
          r.asked = Date.now();
          remote.set(session, r);
          return r.activity ?? { open: {}, started: {}, delivered: 0, room, lastUsed: 0 };
        },
      };
    },
    movedFrom: (session) => moved.has(session),
    close() {
      clearInterval(activityTimer);
      clearInterval(homeTimer);
      offStatus();
      nodes.close();
      for (const feed of [...feeds.values()]) feed.close();
      void shared.subscriber.unsubscribe(BINDS, onBinding).catch(() => {});
    },
  };
}
