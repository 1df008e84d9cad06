/**
 * A class and its learners as the class store keeps them (store/), and back: tokens and keys
 * stay hashes, a learner's passed lessons a list, and a taken-back class starts with nobody
 * online and its tabs not yet bound again (classes.ts binds them).
 */
import type { Class, Learner } from './class-model.ts';
import type { ClassRecord, HandInRecord, LearnerRecord } from './store/index.ts';

/** The counters a class record carries beside the class itself. */
export interface ClassCounters {
  nextLearner: number;
  nextHandIn: number;
}

export const classRecord = (cls: Class, k: ClassCounters): ClassRecord => ({
  code: cls.code,
  room: cls.room,
  keyHash: cls.keyHash,
  creator: cls.creator,
  created: cls.created,
  lastActive: cls.lastActive,
  lesson: cls.lesson,
  teacherSessions: [...cls.teacherSessions],
  nextLearner: k.nextLearner,
  nextHandIn: k.nextHandIn,
});

export const learnerRecord = (l: Learner): LearnerRecord => ({
  id: l.id,
  name: l.name,
  tokenHash: l.tokenHash,
  sessions: [...l.sessions],
  lesson: l.lesson,
  passed: [...l.passed],
});

/** A stored class, with its kept hand-ins, as a class with no learners yet and no tab bound. */
export const classFromRecord = (r: ClassRecord, handIns: readonly HandInRecord[]): Class => ({
  code: r.code,
  room: r.room,
  keyHash: r.keyHash,
  creator: r.creator,
  created: r.created,
  lastActive: r.lastActive,
  lesson: r.lesson,
  learners: new Map(),
  teacherSessions: [],
  handIns: [...handIns],
  ended: false,
});

/** A stored learner, offline, with no tab bound yet. */
export const learnerFromRecord = (l: LearnerRecord): Learner => ({
  id: l.id,
  tokenHash: l.tokenHash,
  name: l.name,
  sessions: [],
  lesson: l.lesson,
  online: 0,
  passed: new Set(l.passed),
});
