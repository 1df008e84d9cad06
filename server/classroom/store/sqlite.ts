/**
 * The class store in one SQLite file (`<WIRELAB_DATA_DIR>/classes.sqlite`), through Node's
 * built-in `node:sqlite`: no package, no server. A restarted server reads it back and resumes
 * every class.
 *
 * Cheap writes, because a class room's feed is written on every message: prepared statements,
 * WAL journal with `synchronous = NORMAL` (a commit appends to the log and does not wait for the
 * disk: SQLite docs, "Write-Ahead Logging" §Performance), and every write of one event-loop turn
 * in one transaction, committed at `setImmediate`. A killed process loses at most that turn;
 * a power cut may lose the last commits, never the file.
 *
 * `locking_mode = EXCLUSIVE`: this server holds the file while it runs (a second server pointed at
 * the same directory finds it locked and keeps its classes in memory), and WAL then needs no
 * shared-memory file beside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { ClassStore, HandInRecord, LearnerRecord, MessageRecord, StoredClass } from './types.ts';

/** The file in the data directory. */
export const STORE_FILE = 'classes.sqlite';
/** Bumped when the tables change; a file from a newer Wire Lab is not read. */
const SCHEMA_VERSION = 1;
/** How long start-up waits for a lock another process holds (ms). */
const LOCK_WAIT_MS = 1_000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS classes (code TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS learners (code TEXT, id INTEGER, record TEXT NOT NULL, PRIMARY KEY (code, id)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS hand_ins (code TEXT, id INTEGER, record TEXT NOT NULL, PRIMARY KEY (code, id)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS messages (code TEXT, id INTEGER, record TEXT NOT NULL, PRIMARY KEY (code, id)) WITHOUT ROWID;
`;

/**
 * Opens (or creates) the store in `dir`. Throws when it cannot be used: the directory cannot be
 * made, the file is not a database or is damaged, or another process holds it.
 */
export function openSqliteStore(dir: string, onProblem: (text: string) => void): ClassStore {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, STORE_FILE);
  const db = new DatabaseSync(file, { timeout: LOCK_WAIT_MS });
  try {
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.prepare('PRAGMA journal_mode = WAL').get();
    db.exec('PRAGMA synchronous = NORMAL');
    const check = db.prepare('PRAGMA quick_check').get() as { quick_check?: string } | undefined;
    if (check?.quick_check !== 'ok') throw new Error(`damaged (${check?.quick_check ?? 'no answer'})`);
    const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
    if (version > SCHEMA_VERSION) throw new Error(`written by a newer Wire Lab (schema ${version})`);
    // A write at once: it takes the file's lock for as long as this server runs.
    db.exec(`BEGIN IMMEDIATE; ${SCHEMA} PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT;`);
  } catch (err) {
    db.close();
    throw err;
  }
  return createSqliteStore(db, file, onProblem);
}

function createSqliteStore(db: DatabaseSync, file: string, onProblem: (text: string) => void): ClassStore {
  const sql = {
    putClass: db.prepare('INSERT OR REPLACE INTO classes (code, record) VALUES (?, ?)'),
    putLearner: db.prepare('INSERT OR REPLACE INTO learners (code, id, record) VALUES (?, ?, ?)'),
    deleteLearner: db.prepare('DELETE FROM learners WHERE code = ? AND id = ?'),
    putHandIn: db.prepare('INSERT OR REPLACE INTO hand_ins (code, id, record) VALUES (?, ?, ?)'),
    deleteHandIn: db.prepare('DELETE FROM hand_ins WHERE code = ? AND id = ?'),
    appendMessage: db.prepare('INSERT OR REPLACE INTO messages (code, id, record) VALUES (?, ?, ?)'),
    trimMessages: db.prepare('DELETE FROM messages WHERE code = ? AND id <= ?'),
    deleteClass: ['classes', 'learners', 'hand_ins', 'messages'].map((t) =>
      db.prepare(`DELETE FROM ${t} WHERE code = ?`),
    ),
  };
  let problem: string | null = null;
  let closed = false;
  // Writes of this event-loop turn, committed together at setImmediate.
  let pending: Array<[StatementSync, Array<string | number>]> = [];
  let flushing: NodeJS.Immediate | null = null;

  const flush = (): void => {
    flushing = null;
    const batch = pending;
    pending = [];
    if (batch.length === 0 || problem !== null) return;
    try {
      db.exec('BEGIN');
      for (const [statement, args] of batch) statement.run(...args);
      db.exec('COMMIT');
    } catch (err) {
      try {
        if (db.isTransaction) db.exec('ROLLBACK');
      } catch {
        // the file is in trouble already: reported below
      }
      problem = `${file}: ${(err as Error).message}`;
      onProblem(problem);
    }
  };
  const write = (statement: StatementSync, ...args: Array<string | number>): void => {
    if (problem !== null || closed) return;
    pending.push([statement, args]);
    flushing ??= setImmediate(flush);
  };

  return {
    kind: 'sqlite',
    durable: true,
    get problem() {
      return problem;
    },
    async load(): Promise<StoredClass[]> {
      const byCode = new Map<string, StoredClass>();
      const rows = (table: string) =>
        db
          .prepare(`SELECT code, record FROM ${table} ORDER BY code${table === 'classes' ? '' : ', id'}`)
          .all() as Array<{
          code: string;
          record: string;
        }>;
      for (const row of rows('classes')) {
        byCode.set(row.code, { record: JSON.parse(row.record), learners: [], handIns: [], messages: [] });
      }
      for (const row of rows('learners'))
        byCode.get(row.code)?.learners.push(JSON.parse(row.record) as LearnerRecord);
      for (const row of rows('hand_ins'))
        byCode.get(row.code)?.handIns.push(JSON.parse(row.record) as HandInRecord);
      for (const row of rows('messages'))
        byCode.get(row.code)?.messages.push(JSON.parse(row.record) as MessageRecord);
      return [...byCode.values()];
    },
    putClass(record) {
      write(sql.putClass, record.code, JSON.stringify(record));
    },
    deleteClass(code) {
      for (const statement of sql.deleteClass) write(statement, code);
    },
    putLearner(code, learner) {
      write(sql.putLearner, code, learner.id, JSON.stringify(learner));
    },
    deleteLearner(code, id) {
      write(sql.deleteLearner, code, id);
    },
    putHandIn(code, handIn) {
      write(sql.putHandIn, code, handIn.id, JSON.stringify(handIn));
    },
    deleteHandIns(code, ids) {
      for (const id of ids) write(sql.deleteHandIn, code, id);
    },
    appendMessage(code, message) {
      write(sql.appendMessage, code, message.id, JSON.stringify(message));
    },
    trimMessages(code, throughId) {
      write(sql.trimMessages, code, throughId);
    },
    async close() {
      if (closed) return;
      if (flushing) clearImmediate(flushing);
      flush();
      closed = true;
      try {
        db.close();
      } catch {
        // already closed, or the file went away: nothing more to keep
      }
    },
  };
}
