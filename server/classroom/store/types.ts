/**
 * The class store: where classes live so that a restarted server resumes them (docs/classroom.md,
 * "What is stored"). One small interface, several backends: in memory (`memory.ts`), one SQLite
 * file on disk (`sqlite.ts`), Redis shared by several processes (`redis.ts`, which adds what
 * sharing needs: loading one class on demand, counting classes over every process). `classes.ts`
 * is its only caller.
 *
 * Writes return nothing and never throw: a backend that cannot write says so once (`problem`) and
 * goes on as memory does, so a full disk never takes a class down. Only reads are asynchronous
 * (`load` once at start-up), so Redis's writes are queued over the network.
 */

/** A class, as stored. Secrets are stored as their SHA-256, never as themselves. */
export interface ClassRecord {
  readonly code: string;
  /** Its lab room (`lab.rooms` code). */
  readonly room: string;
  /** SHA-256 of the teacher key, hex. */
  readonly keyHash: string;
  readonly creator: string;
  /** `Date.now()` values. */
  readonly created: number;
  readonly lastActive: number;
  readonly lesson: string | null;
  /** The teacher's lab sessions bound to the class room, oldest first. */
  readonly teacherSessions: readonly string[];
  /** The next learner id and hand-in id to give out (ids are never reused). */
  readonly nextLearner: number;
  readonly nextHandIn: number;
}

export interface LearnerRecord {
  readonly id: number;
  readonly name: string;
  /** SHA-256 of the whole token (`<id>.<secret>`), hex. */
  readonly tokenHash: string;
  /** Lab sessions bound to the class room, oldest first. */
  readonly sessions: readonly string[];
  readonly lesson: string | null;
  /** Lessons whose exercise check passed. */
  readonly passed: readonly string[];
}

export interface HandInRecord {
  readonly id: number;
  /** The learner's id, and their name at the time. */
  readonly learner: number;
  readonly name: string;
  readonly lesson: string;
  readonly step: string;
  readonly code: string;
  /** The learner's request handler, on a step where they write the server too (lessons 12–15). */
  readonly server?: string;
  /** ISO-8601 UTC. */
  readonly time: string;
}

/** A room feed message as stored: the lab's `FeedMessage`, id and all. */
export interface MessageRecord {
  readonly id: number;
  readonly type: 'tick' | 'chat' | 'push';
  readonly time: string;
  readonly data: unknown;
}

/** Everything stored of one class, as `load` gives it back. */
export interface StoredClass {
  readonly record: ClassRecord;
  readonly learners: LearnerRecord[];
  /** Oldest first. */
  readonly handIns: HandInRecord[];
  /** The class room's kept messages, oldest first. */
  readonly messages: MessageRecord[];
}

export interface ClassStore {
  /** `memory`, `sqlite` or `redis`: for the start-up line and the tests (`isSharedStore` tells Redis). */
  readonly kind: string;
  /** Whether classes outlive this process. */
  readonly durable: boolean;
  /** Why classes are not kept on disk though they were meant to be (a bad data file), or null. */
  readonly problem: string | null;
  /** Every stored class, at start-up. */
  load(): Promise<StoredClass[]>;
  /** Creates or replaces a class's record. */
  putClass(record: ClassRecord): void;
  /** Forgets a class and everything of it (learners, hand-ins, messages). */
  deleteClass(code: string): void;
  /** Creates or replaces a learner of a class. */
  putLearner(code: string, learner: LearnerRecord): void;
  deleteLearner(code: string, id: number): void;
  putHandIn(code: string, handIn: HandInRecord): void;
  deleteHandIns(code: string, ids: readonly number[]): void;
  /** Keeps one more message of the class room. */
  appendMessage(code: string, message: MessageRecord): void;
  /** Forgets the class room's messages with ids up to `throughId`. */
  trimMessages(code: string, throughId: number): void;
  /** Writes what is pending and lets the file go. */
  close(): Promise<void>;
}
