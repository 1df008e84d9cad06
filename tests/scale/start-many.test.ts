/**
 * `npm run start:many` (server/many.ts), run as an operator would: it refuses in one line without
 * Redis, serves through nginx with N processes, starts again a process that was killed, and leaves
 * nothing behind on SIGTERM.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { freePort, portIsFree } from '../../server/many/port.ts';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.ts';

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** The launcher, on the Node that runs the tests, with `env` on top of ours (minus any Redis URL). */
function launch(args: string[], env: Record<string, string>) {
  const { WIRELAB_REDIS_URL: _ignored, ...ours } = process.env;
  const child = spawn(process.execPath, ['server/many.ts', ...args], {
    env: { ...ours, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const waiters: Array<() => void> = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (text: string) => {
      out += text;
      for (const w of waiters.splice(0)) w();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => out,
    /** Resolves with the output once `pattern` matches it (fails after `ms`, with the output). */
    async waitFor(pattern: RegExp, ms = 60_000): Promise<RegExpMatchArray> {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = pattern.exec(out);
        if (m) return m;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no ${pattern} in the launcher's output:\n${out}`);
        }
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
  };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('without WIRELAB_REDIS_URL it says so in one line and exits 1', async () => {
  const run = launch(['--processes', '2'], {});
  assert.equal(await run.exited, 1);
  assert.match(
    run.output(),
    /^start:many needs WIRELAB_REDIS_URL \(e\.g\. redis:\/\/127\.0\.0\.1:6379\)[^\n]*\n$/,
  );
});

test('it serves through nginx from N processes, starts again one that was killed, and stops everything on SIGTERM', {
  timeout: 180_000,
}, async () => {
  const redis: RedisServer = await startRedisServer();
  try {
    const port = await freePort();
    let first = await freePort();
    while (!(await portIsFree(first + 1))) first = await freePort();
    // --no-build: the suite runs after `npm run build`; a rebuild here would change dist/ under
    // the other test files' processes.
    const run = launch(['--processes', '2', '--first-port', String(first), '--no-build'], {
      PORT: String(port),
      WIRELAB_REDIS_URL: redis.url,
      WIRELAB_DATA_DIR: ':memory:',
      WIRELAB_SHUTDOWN_GRACE_MS: '200',
    });
    const banner = await run.waitFor(
      /Processes: \[1\] port (\d+) pid (\d+), \[2\] port (\d+) pid (\d+); nginx pid (\d+)/,
    );
    assert.deepEqual([banner[1], banner[3]], [String(first), String(first + 1)]);
    const [one, two, nginx] = [banner[2], banner[4], banner[5]].map(Number) as [number, number, number];
    const page = await fetch(`http://127.0.0.1:${port}/en/`);
    assert.equal(page.status, 200);
    await page.arrayBuffer();

    process.kill(one, 'SIGKILL');
    const back = await run.waitFor(/process \[1\] \(port \d+\) is back \(pid (\d+)\)/);
    const again = Number(back[1]);
    assert.notEqual(again, one);
    const direct = await fetch(`http://127.0.0.1:${first}/en/`);
    assert.equal(direct.status, 200, 'the process started again serves on its port');
    await direct.arrayBuffer();

    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    for (const pid of [again, two, nginx])
      assert.equal(alive(pid), false, `pid ${pid} outlived the launcher`);
    assert.equal(await portIsFree(port), true, "nginx's port is free again");
  } finally {
    await redis.stop();
  }
});
