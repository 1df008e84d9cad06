/**
 * Chooses the class store: Redis when the server shares one with other processes
 * (`WIRELAB_REDIS_URL`, docs/scale.md); else from `WIRELAB_DATA_DIR` (config `dataDir`):
 * `:memory:` keeps classes in memory only, any other value is a directory for the SQLite file
 * (docs/classroom.md).
 *
 * A data file that cannot be used (not a database, damaged, locked by another process, a
 * directory that cannot be made or written) never stops the server: it says so in one line on
 * stderr, and on the teacher's dashboard (`problem`), and keeps classes in memory.
 */
import path from 'node:path';
import { createMemoryStore } from './memory.ts';
import type { SharedRedis } from '../../shared/redis.ts';
import { createRedisStore, type RedisClassStore, type RedisStoreOptions } from './redis.ts';
import { openSqliteStore, STORE_FILE } from './sqlite.ts';
import type { ClassStore } from './types.ts';

export type { ClassRecord, ClassStore, HandInRecord, LearnerRecord, StoredClass } from './types.ts';
export { type RedisClassStore, StoreUnreachable } from './redis.ts';

/** Whether `store` is the Redis store several processes share. */
export const isSharedStore = (store: ClassStore): store is RedisClassStore => store.kind === 'redis';

/** The value of `dataDir` that asks for no file at all. */
export const IN_MEMORY = ':memory:';

/** Opens the store `dataDir` names; `report` gets the one line to print when it is not usable. */
export function openClassStore(
  dataDir: string,
  report: (line: string) => void = (line) => console.error(line),
  shared: { redis: SharedRedis; options: RedisStoreOptions } | null = null,
): ClassStore {
  if (shared) return createRedisStore(shared.redis, { log: report, ...shared.options });
  if (dataDir === IN_MEMORY) return createMemoryStore();
  const file = path.join(dataDir, STORE_FILE);
  const onProblem = (text: string) =>
    report(`Class store: ${text}. New changes to classes are kept in memory only until a restart.`);
  try {
    return openSqliteStore(dataDir, onProblem);
  } catch (err) {
    const problem = `${file}: ${reason(err)}`;
    report(
      `Class store: cannot use ${problem}. Classes are kept in memory only and end when the server stops; fix or move the file (WIRELAB_DATA_DIR) and restart to keep them.`,
    );
    return createMemoryStore(problem);
  }
}

/** What went wrong, in a few words. */
function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { errstr?: string };
  if (e.code === 'ENOTDIR' || e.code === 'EEXIST') return 'the data directory is a file, or is inside one';
  if (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS')
    return 'the data directory cannot be written';
  return e.message ?? String(err);
}
