/**
 * Classes: one teacher, a room of learners, and the lab room feed they share.
 *
 * A class has a join code (what learners type), a teacher key (what makes one the teacher) and a
 * lab room of its own under a code nobody types, so no made-up `room=` in a lesson can land in a
 * class. Joining binds the learner's lab session to that room (`lab.bindRoom`): their unchanged
 * snippets (`new EventSource('sse')`, `fetch('poll?since=…')`) then read the class feed. A class
 * ends when its teacher ends it, or after `classIdleMs` without anyone acting in it (a class
 * nobody ever joined, with no dashboard open: after `emptyClassIdleMs`); it then unbinds every
 * session it bound and lets its room go.
 *
 * Everything of a class goes to the class store (`store/`) as it changes, and a restarted server
 * resumes from it (`resume`): classes, learners, the bindings of their lab sessions, the class
 * room's messages with their ids, hand-ins and progress. Keys and tokens are stored as hashes.
 *
 * Shared mode (`WIRELAB_REDIS_URL`, docs/scale.md): the store is Redis and several processes serve
 * classes; the table is this process's copy of the classes it holds, loaded when a request names
 * one (`fetch`; which process holds which: class-holding.ts). The lab's bindings are shared and
 * outlive any process, so a loaded class binds nothing again; its room's messages live in the
 * lab's Redis stream, so the classroom keeps none.
 *
 * The classroom never reads a learner's capture: the teacher sees what the lab counts
 * (`lab.sessionActivity`) and what a learner hands in, nothing else.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { bound } from '../lab/bounds.ts';
import type { Lab } from '../lab/index.ts';
import type { Class, Classes, HandIn, Learner } from './class-model.ts';
import { classFromRecord, classRecord, learnerFromRecord, learnerRecord } from './class-records.ts';
import { createClassHolding } from './class-holding.ts';
import { newJoinCode } from './join-code.ts';
import { isSharedStore, type ClassStore, type StoredClass } from './store/index.ts';
import { matchesHash, newSecret, secretHash } from './teacher-key.ts';

/** Addresses of this machine itself. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
/**
 * `lastActive` is written at most this often (ms) when nothing else of the class changes: every
 * channel message touches the class, and idling is measured in hours (`classIdleMs`), so after a
 * restart a class may end up to this much early.
 */
const ACTIVE_WRITE_MS = 60_000;
/** Why a class copy is dropped when another process holds the class now (shared mode). */
const MOVED = 'the class moved to another server process: reconnect';
/** The store forgets room messages past `feedKeep` once every this many appends. */
const TRIM_EVERY = 64;

/** Bytes of code a hand-in keeps: the page's and the handler's, as UTF-8. */
const sizeOf = (h: HandIn): number =>
  Buffer.byteLength(h.code) + (h.server === undefined ? 0 : Buffer.byteLength(h.server));

/** Per-class book-keeping the dashboard never sees. */
interface Keeping {
  /** Releases the class room. */
  release: () => void;
  /** Stops writing the room's messages to the store. */
  unobserve: () => void;
  /** Bytes of kept hand-ins. */
  handInBytes: number;
  nextLearner: number;
  nextHandIn: number;
  /** The `lastActive` last written. */
  writtenActive: number;
}

/** Creates the class table over `store`; it sweeps itself now and then. */
export function createClasses(cfg: Config, lab: Lab, store: ClassStore): Classes {
  const table = new Map<string, Class>();
  const keeping = new Map<Class, Keeping>();
  const endListeners: Array<(cls: Class, why: string) => void> = [];
  const dropListeners: Array<(cls: Class, why: string) => void> = [];
  /** The Redis store in shared mode, else null. */
  const shared = isSharedStore(store) ? store : null;

  const saveClass = (cls: Class): void => {
    const k = keeping.get(cls);
    if (!k || cls.ended) return;
    k.writtenActive = cls.lastActive;
    store.putClass(classRecord(cls, k));
  };
  const saveLearner = (cls: Class, learner: Learner): void => {
    if (!cls.ended && cls.learners.get(learner.id) === learner)
      store.putLearner(cls.code, learnerRecord(learner));
  };

  /**
   * Holds the class room and keeps its messages in the store as they are appended; `restored`:
   * the messages an earlier life of the server kept, put back with their ids. False: `maxRooms`.
   */
  const openRoom = (
    cls: Class,
    k: Omit<Keeping, 'release' | 'unobserve'>,
    restored: StoredClass['messages'],
  ) => {
    const release = lab.rooms.hold(cls.room);
    const feed = lab.rooms.get(cls.room);
    if (!release || !feed) return false;
    if (shared) {
      // The lab keeps the room's messages in its Redis stream, for every process.
      keeping.set(cls, { ...k, release, unobserve: () => {} });
      return true;
    }
    feed.restore(restored);
    let appended = 0;
    const unobserve = feed.observe((m) => {
      store.appendMessage(cls.code, m);
      appended += 1;
      if (appended % TRIM_EVERY === 0 && m.id > cfg.feedKeep)
        store.trimMessages(cls.code, m.id - cfg.feedKeep);
    });
    keeping.set(cls, { ...k, release, unobserve });
    return true;
  };

  /** Unbinds a session from the class room, unless it has been bound elsewhere since. */
  const unbind = (cls: Class, session: string): void => {
    if (lab.sessionActivity(session)?.room === cls.room) lab.bindRoom(session, null);
  };

  /** Binds `session` and moves it to the end of `list`; unbinds the oldest beyond the bound. */
  const bindInto = (cls: Class, list: string[], session: string): boolean => {
    if (!lab.bindRoom(session, cls.room)) return false;
    const at = list.indexOf(session);
    if (at === list.length - 1 && at !== -1) return true; // nothing changed: nothing to write
    if (at !== -1) list.splice(at, 1);
    list.push(session);
    while (list.length > cfg.classTabsPerLearner) {
      const oldest = list.shift();
      if (oldest !== undefined) unbind(cls, oldest);
    }
    return true;
  };

  /** Lets go of this process's copy of a class: its room hold, its table entry. */
  const letGo = (cls: Class): void => {
    cls.ended = true; // a copy let go writes nothing more
    if (table.get(cls.code) === cls) table.delete(cls.code);
    const k = keeping.get(cls);
    k?.unobserve();
    k?.release();
    keeping.delete(cls);
  };

  /** `elsewhere`: another process ended it, and unbound its sessions in the lab's shared table. */
  const end = (cls: Class, why: string, elsewhere = false): void => {
    if (cls.ended) return;
    if (!elsewhere) {
      if (shared) shared.endClass(cls.code, why);
      else store.deleteClass(cls.code);
      for (const learner of cls.learners.values()) for (const s of learner.sessions) unbind(cls, s);
      for (const s of cls.teacherSessions) unbind(cls, s);
    }
    letGo(cls);
    for (const fn of endListeners) fn(cls, why);
  };

  /** Shared mode: another process holds the class now; nothing stored changes. */
  const drop = (cls: Class): void => {
    if (cls.ended) return;
    letGo(cls);
    for (const fn of dropListeners) fn(cls, MOVED);
  };

  const idleEnd = () => `class ended: nobody used it for ${Math.round(cfg.classIdleMs / 60_000)} min`;
  const emptyEnd = () =>
    `class ended: nobody joined it in ${Math.round(cfg.emptyClassIdleMs / 60_000)} min and no dashboard was open`;
  let attended: (cls: Class) => boolean = () => false;
  /** Never joined, nothing handed in, no dashboard open: a class made and left. */
  const forgotten = (cls: Class) => cls.learners.size === 0 && cls.handIns.length === 0 && !attended(cls);
  const sweep = (now = Date.now()): void => {
    for (const cls of [...table.values()]) {
      let why: string | null = null;
      if (now - cls.lastActive > cfg.classIdleMs) why = idleEnd();
      else if (now - cls.lastActive > cfg.emptyClassIdleMs && forgotten(cls)) why = emptyEnd();
      if (why === null) continue;
      if (holding) void holding.idle(cls, why);
      else end(cls, why);
    }
  };
  const timer = setInterval(sweep, Math.min(cfg.classIdleMs, cfg.emptyClassIdleMs, 60_000));
  timer.unref();

  /** A stored class as a copy in the table (sessions bound again unless shared: the lab's table keeps them). */
  const resumeOne = (stored: StoredClass, now: number): 'resumed' | 'idle' | 'full' => {
    const r = stored.record;
    if (now - r.lastActive > cfg.classIdleMs) return 'idle';
    if (table.has(r.code)) return 'full';
    const cls = classFromRecord(r, stored.handIns);
    const handInBytes = cls.handIns.reduce((n, h) => n + sizeOf(h), 0);
    const k = {
      handInBytes,
      nextLearner: r.nextLearner,
      nextHandIn: r.nextHandIn,
      writtenActive: r.lastActive,
    };
    if (!openRoom(cls, k, stored.messages)) return 'full';
    table.set(cls.code, cls);
    // Each tab bound before is bound again, so `new EventSource('sse')` reconnecting hears the class.
    // In shared mode the lab's bindings are in Redis and outlive any process: they are only listed.
    const rebind = (list: string[], sessions: readonly string[]) => {
      if (shared) list.push(...sessions);
      else for (const s of sessions) bindInto(cls, list, s);
    };
    rebind(cls.teacherSessions, r.teacherSessions);
    for (const l of stored.learners) {
      const learner = learnerFromRecord(l);
      rebind(learner.sessions, l.sessions);
      cls.learners.set(learner.id, learner);
    }
    return 'resumed';
  };

  /** A class as new, with its teacher key. */
  const fresh = (code: string, creator: string): { cls: Class; key: string } => {
    // A room code nobody will type: 3–32 of A–Z a–z 0–9 (server/lab/rooms.ts).
    const room = `class${randomBytes(12).toString('hex')}`;
    const now = Date.now();
    const key = newSecret();
    const cls: Class = {
      code,
      room,
      keyHash: secretHash(key),
      creator,
      created: now,
      lastActive: now,
      lesson: null,
      learners: new Map(),
      teacherSessions: [],
      handIns: [],
      ended: false,
    };
    return { cls, key };
  };

  // Shared mode: which process holds which class (class-holding.ts).
  const holding =
    shared &&
    createClassHolding({
      cfg,
      store: shared,
      table,
      resumeOne,
      place(cls) {
        const now = cls.created;
        if (!openRoom(cls, { handInBytes: 0, nextLearner: 1, nextHandIn: 1, writtenActive: now }, []))
          return false;
        table.set(cls.code, cls);
        return true;
      },
      drop,
      end,
      idleEnd,
      unlimited: (creator) => LOOPBACK.test(creator),
      staleMs: cfg.classIdleMs + ACTIVE_WRITE_MS,
    });

  return {
    get size() {
      return table.size;
    },
    get storeProblem() {
      return store.problem;
    },
    async resume() {
      // Shared mode: classes are loaded when a request names them (`fetch`).
      if (shared) return 0;
      const now = Date.now();
      let resumed = 0;
      for (const stored of await store.load()) {
        const outcome = resumeOne(stored, now);
        if (outcome === 'resumed') resumed += 1;
        // It ended while the server was down: forgotten, as a running server would have.
        else if (outcome === 'idle') store.deleteClass(stored.record.code);
      }
      return resumed;
    },
    async create(creator) {
      if (holding) return holding.create((code) => fresh(code, creator));
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
      const { cls, key } = fresh(code, creator);
      const now = cls.created;
      if (!openRoom(cls, { handInBytes: 0, nextLearner: 1, nextHandIn: 1, writtenActive: now }, [])) {
        const text = `${bound(cfg, 'maxRooms')} reached: the lab has as many rooms as it takes. Try again later.`;
        return { ok: false, status: 503, text };
      }
      table.set(code, cls);
      saveClass(cls);
      return { ok: true, cls, key };
    },
    get: (code) => table.get(code),
    fetch(code) {
      const held = table.get(code);
      if (held || !holding) return Promise.resolve(held);
      return holding.load(code);
    },
    isTeacher: (cls, key) => matchesHash(cls.keyHash, key),
    join(cls, name, session) {
      if (cls.learners.size >= cfg.maxLearnersPerClass) {
        const text = `${bound(cfg, 'maxLearnersPerClass')} reached: this class is full. Ask your teacher to start a second class.`;
        return { ok: false, status: 503, text };
      }
      const k = keeping.get(cls);
      if (!k) return { ok: false, status: 404, text: 'This class has ended.' };
      const id = k.nextLearner;
      const token = `${id}.${newSecret()}`;
      const learner: Learner = {
        id,
        tokenHash: secretHash(token),
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
      k.nextLearner += 1;
      cls.learners.set(id, learner);
      cls.lastActive = Date.now();
      saveClass(cls);
      saveLearner(cls, learner);
      return { ok: true, learner, token };
    },
    learnerByToken(cls, token) {
      if (typeof token !== 'string') return undefined;
      const id = Number(token.slice(0, token.indexOf('.')));
      const learner = Number.isSafeInteger(id) ? cls.learners.get(id) : undefined;
      return learner && matchesHash(learner.tokenHash, token) ? learner : undefined;
    },
    bind(cls, learner, session) {
      const list = learner ? learner.sessions : cls.teacherSessions;
      const before = list.join(' ');
      if (!bindInto(cls, list, session)) return false;
      if (list.join(' ') !== before) {
        if (learner) saveLearner(cls, learner);
        else saveClass(cls);
      }
      return true;
    },
    bring(cls, lesson) {
      cls.lesson = lesson;
      saveClass(cls);
    },
    showing(cls, learner, lesson) {
      if (learner.lesson === lesson) return;
      learner.lesson = lesson;
      saveLearner(cls, learner);
    },
    passed(cls, learner, lesson) {
      if (learner.passed.has(lesson)) return;
      learner.passed.add(lesson);
      saveLearner(cls, learner);
    },
    handIn(cls, learner, lesson, step, code, server) {
      const k = keeping.get(cls) ?? { handInBytes: 0, nextHandIn: 1 };
      const forgotten: number[] = [];
      // A learner hands a step in once: a second hand-in of the same step replaces the first.
      const earlier = cls.handIns.findIndex(
        (h) => h.learner === learner.id && h.lesson === lesson && h.step === step,
      );
      if (earlier !== -1) {
        const [gone] = cls.handIns.splice(earlier, 1);
        if (gone) {
          k.handInBytes -= sizeOf(gone);
          forgotten.push(gone.id);
        }
      }
      const handIn: HandIn = {
        id: k.nextHandIn++,
        learner: learner.id,
        name: learner.name,
        lesson,
        step,
        code,
        ...(server === undefined ? {} : { server }),
        time: new Date().toISOString(),
      };
      cls.handIns.push(handIn);
      k.handInBytes += sizeOf(handIn);
      // Forget the oldest beyond classHandInBytes, but always keep the newest.
      while (cls.handIns.length > 1 && k.handInBytes > cfg.classHandInBytes) {
        const gone = cls.handIns.shift();
        if (!gone) break;
        k.handInBytes -= sizeOf(gone);
        forgotten.push(gone.id);
      }
      cls.lastActive = Date.now();
      if (!cls.ended) {
        if (forgotten.length > 0) store.deleteHandIns(cls.code, forgotten);
        store.putHandIn(cls.code, handIn);
      }
      saveClass(cls);
      return handIn;
    },
    leave(cls, learner) {
      for (const s of learner.sessions) unbind(cls, s);
      learner.sessions.length = 0;
      cls.learners.delete(learner.id);
      cls.lastActive = Date.now();
      if (!cls.ended) store.deleteLearner(cls.code, learner.id);
      saveClass(cls);
    },
    touch(cls) {
      cls.lastActive = Date.now();
      const k = keeping.get(cls);
      if (k && cls.lastActive - k.writtenActive >= ACTIVE_WRITE_MS) saveClass(cls);
    },
    end,
    onEnd(fn) {
      endListeners.push(fn);
    },
    onDrop(fn) {
      dropListeners.push(fn);
    },
    sweep,
    bindingsWritten: () => lab.bindingsWritten?.() ?? Promise.resolve(),
    attendedWhen(fn) {
      attended = fn;
    },
    all: () => table.values(),
    async close() {
      clearInterval(timer);
      // Not ended: a stopped server keeps its classes for the next start. Their lab sessions and
      // rooms go with the lab, which closes beside the classroom.
      // The last lastActive too. Shared mode writes that alone: everything else went out as it changed.
      for (const cls of table.values()) {
        if (shared) shared.touchClass(cls.code, cls.lastActive);
        else saveClass(cls);
      }
      for (const k of keeping.values()) k.unobserve();
      keeping.clear();
      table.clear();
      await store.close();
    },
  };
}
