/**
 * What a class is, as the rest of the classroom sees it (classes.ts keeps the table of them):
 * its learners, its hand-ins, and what the table does with them.
 */
import type { HandInRecord } from './store/index.ts';

export interface Learner {
  /** 1, 2, 3… in join order: how the dashboard and hand-ins name a learner. */
  readonly id: number;
  /** SHA-256 of the token (`<id>.<secret>`), which only the learner's browser keeps. */
  readonly tokenHash: string;
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

/** A hand-in is kept exactly as the store keeps it. */
export type HandIn = HandInRecord;

export interface Class {
  readonly code: string;
  /** The lab room the class shares: `lab.rooms` code, not the join code. */
  readonly room: string;
  /** SHA-256 of the teacher key; the key itself went to the teacher's browser only. */
  readonly keyHash: string;
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
/** `key`: the teacher key, answered once and never kept. */
export type Created = { ok: true; cls: Class; key: string } | Refusal;
/** `token`: the learner's token, answered once and never kept. */
export type Joined = { ok: true; learner: Learner; token: string } | Refusal;

export interface Classes {
  readonly size: number;
  /** Why classes are not kept on disk though they were meant to be, or null (`ClassStore.problem`). */
  readonly storeProblem: string | null;
  /** Takes back the classes the store kept (a restart): rebinds their sessions, restores their room feeds. Returns how many. */
  resume(): Promise<number>;
  /**
   * A new class with a fresh code, key and room for `creator` (an address); refused past
   * `maxClasses`, `maxClassesPerAddress` or `maxRooms` (counted over every process in shared
   * mode). Rejects with `StoreUnreachable` when Redis is away in shared mode.
   */
  create(creator: string): Promise<Created>;
  /** The class this process holds with this code. */
  get(code: string): Class | undefined;
  /**
   * The class with this code: the one held here, or in shared mode one loaded from Redis (this
   * process holds it from then on). Rejects with `StoreUnreachable` when Redis is away.
   */
  fetch(code: string): Promise<Class | undefined>;
  /** Whether `key` is the class's teacher key (compared in constant time). */
  isTeacher(cls: Class, key: unknown): boolean;
  /** Adds a learner named `name` and binds `session` (their tab) to the class room. */
  join(cls: Class, name: string, session: string): Joined;
  /** The learner whose token this is (compared in constant time), or undefined. */
  learnerByToken(cls: Class, token: unknown): Learner | undefined;
  /** Binds one more tab of a learner (or of the teacher, with null) to the class room; false when the lab is full. */
  bind(cls: Class, learner: Learner | null, session: string): boolean;
  /** The teacher brought everyone to `lesson`. */
  bring(cls: Class, lesson: string): void;
  /** The learner's page shows `lesson` (null: not a lesson). */
  showing(cls: Class, learner: Learner, lesson: string | null): void;
  /** The learner passed the exercise check of `lesson`. */
  passed(cls: Class, learner: Learner, lesson: string): void;
  /**
   * Keeps a learner's code for the teacher (`server`: their handler, on a step that has one);
   * replaces their earlier hand-in of the same step.
   */
  handIn(cls: Class, learner: Learner, lesson: string, step: string, code: string, server?: string): HandIn;
  /** Removes a learner and unbinds their tabs. */
  leave(cls: Class, learner: Learner): void;
  /** Something happened in the class: it is not idle. */
  touch(cls: Class): void;
  /** Ends a class: unbinds its sessions, forgets it (in the store too), tells `onEnd` listeners why. */
  end(cls: Class, why: string): void;
  /**
   * Resolves once the sessions bound so far read the class room wherever they live (processes
   * sharing Redis); at once on a process alone. A learner's page runs nothing before.
   */
  bindingsWritten(): Promise<void>;
  /** Calls `fn` whenever a class ends (by its teacher or by idling). */
  onEnd(fn: (cls: Class, why: string) => void): void;
  /** Shared mode: calls `fn` when another process holds a class now and this copy is let go. */
  onDrop(fn: (cls: Class, why: string) => void): void;
  /** Ends classes idle past `classIdleMs`, and empty unattended ones past `emptyClassIdleMs`. */
  sweep(now?: number): void;
  /** Tells the sweep which classes have a teacher's dashboard open (class-channel.ts). */
  attendedWhen(fn: (cls: Class) => boolean): void;
  all(): IterableIterator<Class>;
  /** Stops, keeping every class in the store for the next start. */
  close(): Promise<void>;
}
