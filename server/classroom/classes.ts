/**
 * Classes: one teacher, a room of learners, and the lab room feed they share.
 *
 * A class has a join code (what learners type), a teacher key (what makes one the teacher) and a
 * lab room of its own under a code nobody types, so no made-up `room=` in a lesson can land in a
 * class. Joining binds the learner's lab session to that room (`lab.bindRoom`): their unchanged
 * snippets (`new EventSource('sse')`, `fetch('poll?since=…')`) then read the class feed. A class
 * ends when its teacher ends it, or after `classIdleMs` without anyone acting in it; it then
 * unbinds every session it bound and lets its room go.
 *
 * The classroom never reads a learner's capture: the teacher sees what the lab counts
 * (`lab.sessionActivity`) and what a learner hands in, nothing else.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { bound } from '../lab/bounds.ts';
import type { Lab } from '../lab/index.ts';
import { newJoinCode } from './join-code.ts';
import { newSecret, sameSecret } from './teacher-key.ts';

export interface Learner {
  /** 1, 2, 3… in join order: how the dashboard and hand-ins name a learner. */
  readonly id: number;
  /** `<id>.<secret>`: kept by the learner's browser; how its class channel says who it is. */
  readonly token: string;
  readonly name: string;
  /** Lab sessions (one per browser tab) bound to the class room, oldest first. */
  readonly sessions: string[];
  /** The lesson (slug) the learner's page shows, or null off the lessons. */
  lesson: string | null;
  /** Class channels open for this learner (one per tab). */
  online: number;
  /** Lessons whose exercise check passed. */
  readonly passed: Set<string>;
}

export interface HandIn {
  readonly id: number;
  /** The learner's id, and their name at the time. */
  readonly learner: number;
  readonly name: string;
  readonly lesson: string;
  readonly step: string;
  readonly code: string;
  /** ISO-8601 UTC. */
  readonly time: string;
}

export interface Class {
  readonly code: string;
  /** The lab room the class shares: `lab.rooms` code, not the join code. */
  readonly room: string;
  /** The teacher key. Never sent to learners. */
  readonly key: string;
  /** The address that created it (`maxClassesPerAddress`). */
  readonly creator: string;
  readonly created: number;
  lastActive: number;
  /** The lesson the teacher last brought everyone to. */
  lesson: string | null;
  readonly learners: Map<number, Learner>;
  /** The teacher's own lab sessions, bound too, so the projector's snippets hear the class. */
  readonly teacherSessions: string[];
  /** Newest last; at most `classHandInBytes` of code. */
  readonly handIns: HandIn[];
  ended: boolean;
}

export type Refusal = { ok: false; status: number; text: string };
export type Created = { ok: true; cls: Class } | Refusal;
export type Joined = { ok: true; learner: Learner } | Refusal;

export interface Classes {
  readonly size: number;
  /** A new class with a fresh code, key and room for `creator` (an address); refused past `maxClasses`, `maxClassesPerAddress` or `maxRooms`. */
  create(creator: string): Created;
  get(code: string): Class | undefined;
  /** Adds a learner named `name` and binds `session` (their tab) to the class room. */
  join(cls: Class, name: string, session: string): Joined;
  /** The learner whose token this is (the secret compared in constant time), or undefined. */
  learnerByToken(cls: Class, token: unknown): Learner | undefined;
  /** Binds one more tab of a learner (or of the teacher, with null) to the class room; false when the lab is full. */
  bind(cls: Class, learner: Learner | null, session: string): boolean;
  /** Keeps a learner's code for the teacher; replaces their earlier hand-in of the same step. */
  handIn(cls: Class, learner: Learner, lesson: string, step: string, code: string): HandIn;
  /** Removes a learner and unbinds their tabs. */
  leave(cls: Class, learner: Learner): void;
  /** Something happened in the class: it is not idle. */
  touch(cls: Class): void;
  /** Ends a class: unbinds its sessions, forgets it, tells `onEnd` listeners why. */
  end(cls: Class, why: string): void;
  /** Calls `fn` whenever a class ends (by its teacher, by idling, or at shutdown). */
  onEnd(fn: (cls: Class, why: string) => void): void;
  /** Ends classes idle past `classIdleMs`. */
  sweep(now?: number): void;
  all(): IterableIterator<Class>;
  close(): void;
}

/** Addresses of this machine itself. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** Creates the class table; it sweeps itself now and then. */
export function createClasses(cfg: Config, lab: Lab): Classes {
  const table = new Map<string, Class>();
  const heldRooms = new Map<Class, () => void>();
  const endListeners: Array<(cls: Class, why: string) => void> = [];
  // Book-keeping the dashboard never sees: bytes of kept hand-ins, and the next ids to give out.
  const handInBytes = new WeakMap<Class, number>();
  const nextIds = new WeakMap<Class, { learner: number; handIn: number }>();

  /** Unbinds a session from the class room, unless it has been bound elsewhere since. */
  const unbind = (cls: Class, session: string): void => {
    if (lab.sessionActivity(session)?.room === cls.room) lab.bindRoom(session, null);
  };

  /** Binds `session` and moves it to the end of `list`; unbinds the oldest beyond the bound. */
  const bindInto = (cls: Class, list: string[], session: string): boolean => {
    if (!lab.bindRoom(session, cls.room)) return false;
    const at = list.indexOf(session);
    if (at !== -1) list.splice(at, 1);
    list.push(session);
    while (list.length > cfg.classTabsPerLearner) {
      const oldest = list.shift();
      if (oldest !== undefined) unbind(cls, oldest);
    }
    return true;
  };

  const end = (cls: Class, why: string): void => {
    if (cls.ended) return;
    cls.ended = true;
    table.delete(cls.code);
    for (const learner of cls.learners.values()) for (const s of learner.sessions) unbind(cls, s);
    for (const s of cls.teacherSessions) unbind(cls, s);
    heldRooms.get(cls)?.();
    heldRooms.delete(cls);
    for (const fn of endListeners) fn(cls, why);
  };

  const sweep = (now = Date.now()): void => {
    for (const cls of [...table.values()]) {
      if (now - cls.lastActive > cfg.classIdleMs) {
        end(cls, `class ended: nobody used it for ${Math.round(cfg.classIdleMs / 60_000)} min`);
      }
    }
  };
  const timer = setInterval(sweep, Math.min(cfg.classIdleMs, 60_000));
  timer.unref();

  return {
    get size() {
      return table.size;
    },
    create(creator) {
      if (table.size >= cfg.maxClasses) sweep();
      // The server's own machine (where the teacher usually sits) may run any number of classes.
      const mine = [...table.values()].filter((c) => c.creator === creator).length;
      if (!LOOPBACK.test(creator) && mine >= cfg.maxClassesPerAddress) {
        const text = `${bound(cfg, 'maxClassesPerAddress')} reached: this computer already runs ${mine} classes. End one on its dashboard first.`;
        return { ok: false, status: 429, text };
      }
      if (table.size >= cfg.maxClasses) {
        const text = `${bound(cfg, 'maxClasses')} reached: this server runs as many classes as it takes. End a class you no longer use, or try again later.`;
        return { ok: false, status: 503, text };
      }
      let code = newJoinCode();
      while (table.has(code)) code = newJoinCode();
      // A room code nobody will type: 3–32 of A–Z a–z 0–9 (server/lab/rooms.ts).
      const room = `class${randomBytes(12).toString('hex')}`;
      const release = lab.rooms.hold(room);
      if (!release) {
        const text = `${bound(cfg, 'maxRooms')} reached: the lab has as many rooms as it takes. Try again later.`;
        return { ok: false, status: 503, text };
      }
      const now = Date.now();
      const cls: Class = {
        code,
        room,
        key: newSecret(),
        creator,
        created: now,
        lastActive: now,
        lesson: null,
        learners: new Map(),
        teacherSessions: [],
        handIns: [],
        ended: false,
      };
      table.set(code, cls);
      heldRooms.set(cls, release);
      handInBytes.set(cls, 0);
      nextIds.set(cls, { learner: 1, handIn: 1 });
      return { ok: true, cls };
    },
    get: (code) => table.get(code),
    join(cls, name, session) {
      if (cls.learners.size >= cfg.maxLearnersPerClass) {
        const text = `${bound(cfg, 'maxLearnersPerClass')} reached: this class is full. Ask your teacher to start a second class.`;
        return { ok: false, status: 503, text };
      }
      const ids = nextIds.get(cls) ?? { learner: 1, handIn: 1 };
      const id = ids.learner++;
      const learner: Learner = {
        id,
        token: `${id}.${newSecret()}`,
        name,
        sessions: [],
        lesson: null,
        online: 0,
        passed: new Set(),
      };
      if (!bindInto(cls, learner.sessions, session)) {
        const text = `${bound(cfg, 'maxSessions')} reached: the server has as many sessions as it takes. Try again in a minute.`;
        return { ok: false, status: 503, text };
      }
      cls.learners.set(id, learner);
      cls.lastActive = Date.now();
      return { ok: true, learner };
    },
    learnerByToken(cls, token) {
      if (typeof token !== 'string') return undefined;
      const id = Number(token.slice(0, token.indexOf('.')));
      const learner = Number.isSafeInteger(id) ? cls.learners.get(id) : undefined;
      return learner && sameSecret(learner.token, token) ? learner : undefined;
    },
    bind(cls, learner, session) {
      return bindInto(cls, learner ? learner.sessions : cls.teacherSessions, session);
    },
    handIn(cls, learner, lesson, step, code) {
      const ids = nextIds.get(cls) ?? { learner: 1, handIn: 1 };
      let bytes = handInBytes.get(cls) ?? 0;
      // A learner hands a step in once: a second hand-in of the same step replaces the first.
      const earlier = cls.handIns.findIndex(
        (h) => h.learner === learner.id && h.lesson === lesson && h.step === step,
      );
      if (earlier !== -1) bytes -= Buffer.byteLength(cls.handIns.splice(earlier, 1)[0]?.code ?? '');
      const handIn: HandIn = {
        id: ids.handIn++,
        learner: learner.id,
        name: learner.name,
        lesson,
        step,
        code,
        time: new Date().toISOString(),
      };
      cls.handIns.push(handIn);
      bytes += Buffer.byteLength(code);
      // Forget the oldest beyond classHandInBytes, but always keep the newest.
      while (cls.handIns.length > 1 && bytes > cfg.classHandInBytes) {
        bytes -= Buffer.byteLength(cls.handIns.shift()?.code ?? '');
      }
      handInBytes.set(cls, bytes);
      cls.lastActive = Date.now();
      return handIn;
    },
    leave(cls, learner) {
      for (const s of learner.sessions) unbind(cls, s);
      learner.sessions.length = 0;
      cls.learners.delete(learner.id);
      cls.lastActive = Date.now();
    },
    touch(cls) {
      cls.lastActive = Date.now();
    },
    end,
    onEnd(fn) {
      endListeners.push(fn);
    },
    sweep,
    all: () => table.values(),
    close() {
      clearInterval(timer);
      for (const cls of [...table.values()]) end(cls, 'server shutting down');
    },
  };
}
