/**
 * Builds the site when there is no build or the sources are newer than it: what `npm start` and
 * `npm run start:many` do before they serve, so one command works on a fresh clone.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = path.join(root, 'dist', 'server', 'entry.mjs');
const sources = ['src', 'content', 'astro.config.mjs', 'package.json'];

/** Newest modification time under a file or folder, in ms (0 if it does not exist). */
function newest(p: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, name)));
  return max;
}

/** Runs `astro build` when needed; exits the process when the build fails. */
export function buildSiteIfStale(): void {
  const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
  const changed = Math.max(...sources.map((s) => newest(path.join(root, s))));
  if (built !== 0 && changed <= built) return;
  console.log(built === 0 ? 'No build yet: building the site…' : 'Sources changed: rebuilding the site…');
  const astro = path.join(root, 'node_modules', 'astro', 'bin', 'astro.mjs');
  const result = spawnSync(process.execPath, [astro, 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('The build failed; see above.');
    process.exit(result.status ?? 1);
  }
}
