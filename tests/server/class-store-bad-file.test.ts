/**
 * A data file the class store cannot use — not a database, locked by another process, in a
 * directory that cannot be made — never stops the server: it says so in one line on stderr and
 * on the teacher's dashboard, keeps classes in memory, and everything else works.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test, type TestContext } from 'node:test';
import { STORE_FILE } from '../../server/classroom/store/sqlite.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { channel, createClass, join } from './class-harness.ts';

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wirelab-bad-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts a server on `dataDir` and checks it runs classes in memory, having said why once. */
async function assertRunsInMemory(t: TestContext, dataDir: string, why: RegExp): Promise<void> {
  const errors = t.mock.method(console, 'error', () => {});
  const s = await startTestServer({ dataDir, tickIntervalMs: 3_600_000, classRequestsPerSecond: 1_000 });
  const lines = errors.mock.calls.map((c) => String(c.arguments[0]));
  errors.mock.restore();
  assert.equal(lines.length, 1, `one line on stderr, got:\n${lines.join('\n')}`);
  assert.match(lines[0] ?? '', /^Class store: cannot use .*classes\.sqlite: /);
  assert.match(lines[0] ?? '', why);
  assert.match(lines[0] ?? '', /kept in memory only/);

  // Nothing else is lost: a class starts, a learner joins, the teacher hears of the problem.
  const { code, key } = await createClass(s.url);
  const teacher = await channel(s.url, code, { role: 'teacher', key });
  const welcome = await teacher.next('welcome');
  assert.match(String(welcome.storeProblem), why);
  await join(s.url, code, 'Ada', newSessionId());
  teacher.send({ type: 'push', text: 'still here' });
  assert.equal((await teacher.next('pushed')).text, 'still here');
  assert.equal((await fetch(`${s.url}/lab/${newSessionId()}/time`)).status, 200);
  teacher.close();
  await s.close();
}

test('a data file of random bytes: the server starts, says so once, and keeps classes in memory', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, STORE_FILE);
  const junk = randomBytes(64 * 1024);
  fs.writeFileSync(file, junk);
  await assertRunsInMemory(t, dir, /not a database/);
  assert.deepEqual(fs.readFileSync(file), junk, 'the file is left as it was');
});

test('a data directory that cannot be made (its parent is a file): the server starts in memory', async (t) => {
  // Tests run as root, whom chmod does not stop: a path under a regular file can never be a directory.
  const parent = path.join(tempDir(), 'a-file');
  fs.writeFileSync(parent, 'not a directory');
  await assertRunsInMemory(t, path.join(parent, 'data'), /data directory is a file/);
});

test('a data file another process holds locked: the server starts in memory', async (t) => {
  const dir = tempDir();
  const holder = new DatabaseSync(path.join(dir, STORE_FILE));
  holder.exec('CREATE TABLE other (x); BEGIN EXCLUSIVE; INSERT INTO other VALUES (1);');
  try {
    await assertRunsInMemory(t, dir, /locked/);
  } finally {
    holder.exec('ROLLBACK');
    holder.close();
  }
});
