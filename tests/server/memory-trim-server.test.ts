/**
 * The real entry, started with `npm run serve`'s Node flags: once a crowd of connections has come
 * and gone, the server runs its one full collection and says so (server/memory-trim.ts).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { test } from 'node:test';
import { mallocTrim } from '../../server/native/malloc-trim.ts';
import { serveFlags } from '../../server/serve-flags.ts';
import { freeTcpPort } from '../helpers/ports.ts';

const connect = (port: number) =>
  new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });

test('after a crowd of connections leaves, the server collects once and logs what it gave back', async () => {
  assert.ok(serveFlags().includes('--expose-gc'), 'npm run serve passes --expose-gc');
  const port = await freeTcpPort();
  const child = spawn(process.execPath, [...serveFlags(), 'server/index.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      WIRELAB_DATA_DIR: ':memory:',
      WIRELAB_MEMORY_TRIM_DROP: '40',
      WIRELAB_MEMORY_TRIM_AFTER_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (t: string) => {
    out += t;
  });
  child.stderr.resume();
  const until = async (what: string, ok: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end || child.exitCode !== null) assert.fail(`${what}; the server printed:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await until('the server listens', () => /Wire Lab is running/.test(out), 30_000);
    const crowd = await Promise.all(Array.from({ length: 60 }, () => connect(port)));
    await new Promise((r) => setTimeout(r, 1_500)); // seen at its peak
    assert.doesNotMatch(out, /Memory:/, 'nothing while the crowd is there');
    for (const socket of crowd) socket.destroy();
    await until('the collection is logged', () => /Memory: \d+ of \d+ connections gone/.test(out), 20_000);
    assert.match(
      out,
      /Memory: (\d+) of \1 connections gone; collected in \d+ ms(, and the allocator (gave its free pages back in \d+ ms|had no free pages to give back))?, RSS \d+ → \d+ MiB\./,
    );
    if (mallocTrim().trim) {
      assert.match(out, /collected in \d+ ms, and the allocator /, 'the installed addon is asked');
      assert.doesNotMatch(out, /allocator keeps/);
    } else assert.match(out, /\(The allocator keeps its free pages: .+\.\)/, 'and says why not');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
  }
});
