/**
 * Builds the native addon (server/native/malloc-trim) when the project is installed: `npm install`
 * and `npm ci` run it as the `postinstall` script, with npm's node-gyp and the C compiler of the
 * machine, against the Node headers npm is set to build addons against, else ones already on disk.
 *
 * The addon is optional: without glibc, a compiler or node-gyp, the build is skipped or fails,
 * this says so in one line, and the install goes on. The server then keeps working and says, when
 * it would have used it, that the memory a crowd left stays with the allocator.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onGlibc } from './malloc-trim.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'malloc-trim');

function main(): number {
  if (!onGlibc()) {
    console.log('malloc-trim: not built (glibc only); memory a crowd leaves stays with the allocator.');
    return 0;
  }
  const gypJs = process.env.npm_config_node_gyp;
  const [cmd, pre] = gypJs ? [process.execPath, [gypJs]] : ['node-gyp', []];
  const headers = process.env.npm_config_nodedir ? undefined : localHeaders();
  const args = [...pre, 'rebuild', '--directory', dir, ...(headers ? [`--nodedir=${headers}`] : [])];
  const run = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 180_000 });
  if (run.status === 0) {
    console.log('malloc-trim: built.');
    return 0;
  }
  const why = run.error?.message ?? `${run.stderr}`.trim().split('\n').slice(-3).join(' | ');
  console.warn(
    `malloc-trim: not built (${why || `exit ${run.status}`}); the server runs without it, and memory a crowd leaves stays with the allocator.`,
  );
  return 0;
}

/**
 * Node's headers already on disk, when npm is not set to build against some: those of the Node
 * running this, of the `node` dev dependency's binary package, or of a system-wide Node. Node-API
 * is the same in every version the project runs on, so any of them builds an addon that loads in
 * all; without any, node-gyp would download them.
 */
function localHeaders(): string | undefined {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const candidates = [
    dirname(dirname(process.execPath)),
    join(root, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`),
    '/usr/local',
    '/usr',
  ];
  return candidates.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
}

try {
  process.exitCode = main();
} catch (err) {
  // Never fail the install over an optional addon.
  console.warn(`malloc-trim: not built (${(err as Error).message}); the server runs without it.`);
  process.exitCode = 0;
}
