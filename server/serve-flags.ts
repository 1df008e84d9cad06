/**
 * The Node flags `npm run serve` starts the server with, read from package.json, so whatever else
 * starts a Wire Lab process (`npm run start:many`, the bench, tests of the real entry) runs it the
 * same way: `"serve": "node --a --b server/index.ts"` → `['--a', '--b']`.
 */
import fs from 'node:fs';

export function serveFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = (pkg.scripts.serve ?? '').split(/\s+/);
  return words.slice(words.indexOf('node') + 1).filter((w) => w.startsWith('--'));
}
