/**
 * The real site for the browser scenarios: `node server/index.ts` from the build in `dist/` (with
 * the flags of `npm run serve`), on a free loopback port, in its own process (the bench tracks its
 * pid and stops it itself).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveFlags } from '../server/serve-flags.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface SiteServer {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  stop(): Promise<void>;
}

/**
 * Makes sure `dist/` holds a complete build: builds it (`npm run build`) when there is none, and
 * waits while someone else's build is writing it (the work tree is shared). Returns whether it built.
 */
export async function ensureBuild(log: (text: string) => void): Promise<boolean> {
  const complete = () =>
    fs.existsSync(`${root}dist/server/entry.mjs`) && fs.existsSync(`${root}dist/client/_astro`);
  for (let waited = 0; waited < 180_000; waited += 5_000) {
    const age = Date.now() - newest(`${root}dist`);
    if (complete() && age > 15_000) return false;
    if (!complete() && age > 60_000) break; // nobody is building: build it ourselves
    if (waited === 0) log('dist/ is being written (a build is running): waiting for it to finish…');
    await new Promise((r) => setTimeout(r, 5_000));
  }
  log('no complete build in dist/: building the site (npm run build)…');
  const astro = `${root}node_modules/astro/bin/astro.mjs`;
  const result = spawnSync(process.execPath, [astro, 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error('the site build failed');
  return true;
}

/** Newest modification time under a folder, ms (0 when it does not exist). */
function newest(dir: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of fs.readdirSync(dir)) max = Math.max(max, newest(`${dir}/${name}`));
  return max;
}

export async function startSite(env: Record<string, string> = {}): Promise<SiteServer> {
  const child: ChildProcess = spawn(process.execPath, [...serveFlags(), 'server/index.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      out += text;
      const m = /Local:\s+http:\/\/[^:]+:(\d+)\//.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) =>
      reject(new Error(`server/index.ts exited (${code}) before listening: ${out}`)),
    );
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    base: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
