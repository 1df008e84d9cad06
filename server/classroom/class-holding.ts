/**
 * Shared mode (`WIRELAB_REDIS_URL`, docs/scale.md): which process holds which class.
 *
 * nginx sends every request and channel of a class to one process (`hash class:<code>`), but
 * `POST /class` may land on another, and a process going down or coming back moves codes. So a
 * process loads a class from Redis when a request names one it does not hold (`load`), and says
 * so; a process that held it before lets its copy go (its channels close 1012 and reconnect,
 * through nginx, to the holder). One process at a time holds a class, so no out-of-date copy
 * writes over newer data. What was said while Redis was away is read back from Redis when it
 * returns (the `holder` field), and the idle sweep asks Redis before it ends a class (`idle`).
 *
 * Classes are counted over every process in Redis (`create`: `maxClasses`, `maxClassesPerAddress`).
 */
import type { Config } from '../config.ts';
import { bound } from '../lab/bounds.ts';
import type { Class, Created } from './class-model.ts';
import { classRecord } from './class-records.ts';
import { newJoinCode } from './join-code.ts';
import type { RedisClassStore, StoredClass } from './store/index.ts';

/** What classes.ts lends: its table and what it does to a class. */
export interface HoldingParts {
  cfg: Config;
  store: RedisClassStore;
  table: ReadonlyMap<string, Class>;
  /** Puts a stored class in the table as a copy (`resumed`), or says why not. */
  resumeOne(stored: StoredClass, now: number): 'resumed' | 'idle' | 'full';
  /** Opens a new class's room and puts it in the table; false: the lab has no room. */
  place(cls: Class): boolean;
  /** Lets this copy go (another process holds the class); nothing stored changes. */
  drop(cls: Class): void;
  /** Ends a class; `elsewhere`: another process ended it already. */
  end(cls: Class, why: string, elsewhere?: boolean): void;
  /** The reason a class ends for idling. */
  idleEnd(): string;
  /** Creators `maxClassesPerAddress` does not limit (the server's own machine). */
  unlimited(creator: string): boolean;
  /** A class whose `lastActive` is this old (ms) no longer counts against the bounds. */
  staleMs: number;
}

export interface ClassHolding {
  /** Loads a class from Redis and holds it from now on; undefined: none. Rejects with `StoreUnreachable`. */
  load(code: string): Promise<Class | undefined>;
  /** A new class, admitted by Redis over every process; `fresh` makes one for a code. */
  create(fresh: (code: string) => { cls: Class; key: string }): Promise<Created>;
  /**
   * The sweep found `cls` idle here. Another process may have kept it busy since (nginx moved
   * its code while this process was away): ends it only if Redis has nothing fresher, else lets
   * this copy go. While Redis is away, the next sweep decides.
   */
  idle(cls: Class, why: string): Promise<void>;
}

export function createClassHolding(parts: HoldingParts): ClassHolding {
  const { cfg, store, table } = parts;
  /** Classes being loaded, so that two requests at once load one copy. */
  const loading = new Map<string, Promise<Class | undefined>>();

  const load = async (code: string): Promise<Class | undefined> => {
    const stored = await store.loadClass(code);
    const held = table.get(code);
    if (held) return held; // made or loaded here meanwhile
    if (!stored) return undefined;
    if (parts.resumeOne(stored, Date.now()) === 'idle') {
      // Its process died before it could end it.
      store.endClass(code, parts.idleEnd());
      return undefined;
    }
    const cls = table.get(code);
    if (cls) store.holdClass(code);
    return cls;
  };

  // What the other processes say about classes this process holds a copy of.
  store.onNews((news) => {
    const cls = table.get(news.code);
    if (!cls) return;
    if (news.event === 'held') parts.drop(cls);
    else parts.end(cls, news.why ?? 'class ended', true);
  });
  // News published while Redis was away never came: what Redis keeps says it.
  store.onReconnect(() => {
    for (const cls of [...table.values()]) {
      store
        .peekClass(cls.code)
        .then((stored) => {
          if (cls.ended) return;
          if (!stored) parts.end(cls, 'class ended', true);
          else if (stored.holder !== store.node) parts.drop(cls);
        })
        .catch(() => {}); // away again: checked at the next return
    }
  });

  return {
    load(code) {
      let pending = loading.get(code);
      if (!pending) {
        pending = load(code).finally(() => loading.delete(code));
        loading.set(code, pending);
      }
      return pending;
    },
    async create(fresh) {
      for (;;) {
        const code = newJoinCode();
        if (table.has(code)) continue;
        const { cls, key } = fresh(code);
        const admitted = await store.admitClass(classRecord(cls, { nextLearner: 1, nextHandIn: 1 }), {
          maxClasses: cfg.maxClasses,
          maxPerAddress: parts.unlimited(cls.creator) ? null : cfg.maxClassesPerAddress,
          staleMs: parts.staleMs,
        });
        if (!admitted.ok && admitted.bound === 'code taken') continue; // another process has it
        if (!admitted.ok) {
          if (admitted.bound === 'maxClassesPerAddress') {
            const text = `${bound(cfg, 'maxClassesPerAddress')} reached: this computer already runs ${admitted.count} classes. End one on its dashboard first.`;
            return { ok: false, status: 429, text };
          }
          const text = `${bound(cfg, 'maxClasses')} reached: this server runs as many classes as it takes. End a class you no longer use, or try again later.`;
          return { ok: false, status: 503, text };
        }
        if (!parts.place(cls)) {
          store.endClass(code, 'the lab had no room for it');
          const text = `${bound(cfg, 'maxRooms')} reached: the lab has as many rooms as it takes. Try again later.`;
          return { ok: false, status: 503, text };
        }
        return { ok: true, cls, key };
      }
    },
    async idle(cls, why) {
      let stored: Awaited<ReturnType<RedisClassStore['peekClass']>>;
      try {
        stored = await store.peekClass(cls.code);
      } catch {
        return;
      }
      if (cls.ended) return;
      if (stored && (stored.lastActive > cls.lastActive || stored.holder !== store.node)) parts.drop(cls);
      else parts.end(cls, why);
    },
  };
}
