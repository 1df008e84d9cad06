/**
 * The class store's interface, the same checks for every backend: what is put is loaded back as
 * it was put, replaced, deleted and trimmed as asked. The disk backend is loaded back from a new
 * connection to its file, as a restarted server would.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { createMemoryStore } from '../../server/classroom/store/memory.ts';
import { openSqliteStore } from '../../server/classroom/store/sqlite.ts';
import type { ClassRecord, ClassStore, LearnerRecord } from '../../server/classroom/store/types.ts';

interface Backend {
  name: string;
  open(): ClassStore;
  /** The store as the next start of the server finds it. */
  reopen(store: ClassStore): Promise<ClassStore>;
}

const noProblem = (text: string) => assert.fail(`the store reported a problem: ${text}`);
const backends: Backend[] = [
  { name: 'memory', open: () => createMemoryStore(), reopen: async (store) => store },
  {
    name: 'sqlite',
    open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wirelab-store-'));
      after(() => fs.rmSync(dir, { recursive: true, force: true }));
      dirs.set(this, dir);
      return openSqliteStore(dir, noProblem);
    },
    async reopen(store) {
      await store.close();
      return openSqliteStore(dirs.get(this) ?? '', noProblem);
    },
  },
];
const dirs = new WeakMap<Backend, string>();

const cls = (code: string, over: Partial<ClassRecord> = {}): ClassRecord => ({
  code,
  room: `class${code.toLowerCase()}000000000000000000`,
  keyHash: 'ab'.repeat(32),
  creator: '192.168.1.20',
  created: 1_000,
  lastActive: 2_000,
  lesson: null,
  teacherSessions: ['teacherTab0001'],
  nextLearner: 3,
  nextHandIn: 2,
  ...over,
});
const learner = (id: number, over: Partial<LearnerRecord> = {}): LearnerRecord => ({
  id,
  name: `Learner ${id}`,
  tokenHash: 'cd'.repeat(32),
  sessions: [`learnerTab000${id}`],
  lesson: '06-server-sent-events',
  passed: [],
  ...over,
});
const message = (id: number, text = `m${id}`) => ({
  id,
  type: 'push' as const,
  time: new Date(id * 1000).toISOString(),
  data: { from: 'teacher', text },
});

for (const backend of backends) {
  describe(`the ${backend.name} class store`, () => {
    test('loads back a class with its learners, hand-ins and room messages, in order', async () => {
      let store = backend.open();
      store.putClass(cls('B8K4QZ'));
      store.putLearner('B8K4QZ', learner(2, { name: '李雷' }));
      store.putLearner('B8K4QZ', learner(1, { passed: ['01-reading-the-wire'] }));
      store.putHandIn('B8K4QZ', {
        id: 1,
        learner: 1,
        name: 'Learner 1',
        lesson: '06-server-sent-events',
        step: 'listen',
        code: "new EventSource('sse')",
        time: '2026-12-06T04:00:00.000Z',
      });
      // A step where the learner writes the server too: the handler is kept beside the page's code.
      store.putHandIn('B8K4QZ', {
        id: 2,
        learner: 2,
        name: '李雷',
        lesson: '13-write-an-sse-endpoint',
        step: 'hello',
        code: "fetch('hello')",
        server: "export default (req, res) => res.end('你好')",
        time: '2026-12-06T04:01:00.000Z',
      });
      for (const id of [1, 2, 3]) store.appendMessage('B8K4QZ', message(id));
      store = await backend.reopen(store);
      const loaded = await store.load();
      assert.equal(loaded.length, 1);
      const [c] = loaded;
      assert.deepEqual(c?.record, cls('B8K4QZ'));
      assert.deepEqual(c?.learners, [
        learner(1, { passed: ['01-reading-the-wire'] }),
        learner(2, { name: '李雷' }),
      ]);
      assert.deepEqual(
        c?.handIns.map((h) => [h.id, h.code, h.server]),
        [
          [1, "new EventSource('sse')", undefined],
          [2, "fetch('hello')", "export default (req, res) => res.end('你好')"],
        ],
      );
      assert.deepEqual(c?.messages, [message(1), message(2), message(3)]);
      await store.close();
    });

    test('a put replaces; deletes and trims forget only what they name', async () => {
      let store = backend.open();
      store.putClass(cls('AAAAAA'));
      store.putClass(cls('CCCCCC'));
      store.putClass(cls('AAAAAA', { lesson: '08-websocket-handshake', lastActive: 9_000 }));
      store.putLearner('AAAAAA', learner(1));
      store.putLearner('AAAAAA', learner(1, { sessions: ['learnerTab0001', 'learnerTab0002'] }));
      store.putLearner('AAAAAA', learner(2));
      store.deleteLearner('AAAAAA', 2);
      for (const id of [1, 2, 3]) {
        const h = { id, learner: 1, name: 'L', lesson: 'x', step: `s${id}`, code: `c${id}`, time: 't' };
        store.putHandIn('AAAAAA', h);
      }
      store.deleteHandIns('AAAAAA', [1, 3]);
      for (const id of [1, 2, 3, 4, 5]) store.appendMessage('AAAAAA', message(id));
      store.trimMessages('AAAAAA', 3);
      store.putLearner('CCCCCC', learner(1));
      store.appendMessage('CCCCCC', message(1));
      store.deleteClass('CCCCCC');
      store = await backend.reopen(store);
      const loaded = await store.load();
      assert.deepEqual(
        loaded.map((c) => c.record.code),
        ['AAAAAA'],
      );
      const [a] = loaded;
      assert.equal(a?.record.lesson, '08-websocket-handshake');
      assert.equal(a?.record.lastActive, 9_000);
      assert.deepEqual(a?.learners, [learner(1, { sessions: ['learnerTab0001', 'learnerTab0002'] })]);
      assert.deepEqual(
        a?.handIns.map((h) => h.id),
        [2],
      );
      assert.deepEqual(
        a?.messages.map((m) => m.id),
        [4, 5],
      );
      await store.close();
    });
  });
}
