/**
 * The class store in memory: what a server started with `WIRELAB_DATA_DIR=:memory:` uses, and
 * what the server falls back to when its data file cannot be used. Nothing outlives the process.
 * Records are copied in and out, so it behaves as a store on disk does (tests run both through
 * the same checks, `tests/server/class-store.test.ts`).
 */
import type {
  ClassRecord,
  ClassStore,
  HandInRecord,
  LearnerRecord,
  MessageRecord,
  StoredClass,
} from './types.ts';

interface Entry {
  record: ClassRecord;
  learners: Map<number, LearnerRecord>;
  handIns: Map<number, HandInRecord>;
  messages: MessageRecord[];
}

/** A memory store; `problem` says why a disk store was wanted and could not be had. */
export function createMemoryStore(problem: string | null = null): ClassStore {
  const classes = new Map<string, Entry>();

  return {
    kind: 'memory',
    durable: false,
    problem,
    async load(): Promise<StoredClass[]> {
      return [...classes.values()].map((e) => ({
        record: structuredClone(e.record),
        learners: [...e.learners.values()].sort((a, b) => a.id - b.id).map((l) => structuredClone(l)),
        handIns: [...e.handIns.values()].sort((a, b) => a.id - b.id),
        messages: [...e.messages],
      }));
    },
    putClass(record) {
      const entry = classes.get(record.code);
      if (entry) entry.record = structuredClone(record);
      else
        classes.set(record.code, {
          record: structuredClone(record),
          learners: new Map(),
          handIns: new Map(),
          messages: [],
        });
    },
    deleteClass(code) {
      classes.delete(code);
    },
    putLearner(code, learner) {
      classes.get(code)?.learners.set(learner.id, structuredClone(learner));
    },
    deleteLearner(code, id) {
      classes.get(code)?.learners.delete(id);
    },
    putHandIn(code, handIn) {
      classes.get(code)?.handIns.set(handIn.id, { ...handIn });
    },
    deleteHandIns(code, ids) {
      const entry = classes.get(code);
      for (const id of ids) entry?.handIns.delete(id);
    },
    appendMessage(code, message) {
      // Feed messages are never changed once appended: the same object is kept.
      classes.get(code)?.messages.push(message);
    },
    trimMessages(code, throughId) {
      const entry = classes.get(code);
      if (!entry) return;
      const first = entry.messages.findIndex((m) => m.id > throughId);
      entry.messages.splice(0, first === -1 ? entry.messages.length : first);
    },
    async close() {
      classes.clear();
    },
  };
}
