/**
 * Starts Wire Lab from a build: `node server/index.ts` (or `npm run serve`).
 * `npm start` goes through `server/start.ts`, which builds first when needed.
 * Both npm scripts pass `--max-semi-space-size=16`: under a class's load V8 would otherwise grow
 * its young generation to 128 MB; `--heap-growing-percent=50`: V8 would otherwise let the old
 * generation grow to as much as four times what survived its last collection, 381 MB of RSS for a
 * class of 300 against 256 MB with it (docs/performance.md); and `--expose-gc`, so that once a
 * crowd has left the server can give its memory back (server/memory-trim.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { createWireLabServer, type WireLabServer } from './app.ts';
import { config } from './config.ts';
import type { SiteHandler } from './routes.ts';
import { StartRefused } from './shared/redis.ts';

const entry = new URL('../dist/server/entry.mjs', import.meta.url);
const clientDir = fileURLToPath(new URL('../dist/client/', import.meta.url));

export async function main(): Promise<WireLabServer> {
  if (!fs.existsSync(entry)) {
    console.error('No build found in dist/. Run `npm run build` first (or `npm start`, which builds).');
    process.exit(1);
  }
  const { handler } = (await import(entry.href)) as { handler: SiteHandler };
  const lab = await createWireLabServer({ site: handler, clientDir });
  printUrls(lab);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: closing streams and connections…`);
    const force = setTimeout(() => process.exit(1), config.shutdownGraceMs + 3_000);
    force.unref();
    lab.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return lab;
}

/** Prints where to open the site: this machine, and the LAN addresses to share with a class. */
function printUrls(lab: WireLabServer): void {
  const lines = [`Wire Lab is running.`, `  Local:   http://localhost:${lab.port}/`];
  if (config.host === '0.0.0.0' || config.host === '::') {
    for (const list of Object.values(os.networkInterfaces())) {
      for (const nic of list ?? []) {
        if (nic.internal) continue;
        if (nic.family === 'IPv4')
          lines.push(`  Network: http://${nic.address}:${lab.port}/   ← share with the class`);
      }
    }
  } else {
    lines.push(`  Network: not exposed. Use HOST=0.0.0.0 npm start to open it to a classroom LAN.`);
  }
  console.log(lines.join('\n'));
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    // A start refused for a reason the operator can fix (Redis not answering) is one line.
    console.error(
      err instanceof StartRefused ? err.message : err instanceof Error ? (err.stack ?? err.message) : err,
    );
    process.exit(1);
  });
}
