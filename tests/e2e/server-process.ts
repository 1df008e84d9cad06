/**
 * A Wire Lab server in a process of a test's own (not the shared webServer), for tests that stop
 * and start it: the real entry, `node server/index.ts`, on the Node that runs the test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type APIRequestContext, expect } from '@playwright/test';

export { freeTcpPort as freePort } from '../helpers/ports.ts';

export interface ServerProcess {
  readonly child: ChildProcess;
  /** What it printed on stderr so far (for a failing test's message). */
  readonly stderr: () => string;
}

/** Starts the server on `port` with `env` added, and waits until it serves a page. */
export async function startServer(
  port: number,
  request: APIRequestContext,
  env: Record<string, string>,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['server/index.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr += text;
  });
  await expect
    .poll(
      async () => {
        try {
          return (await request.get(`http://127.0.0.1:${port}/en/`, { timeout: 2_000 })).status();
        } catch {
          return 0;
        }
      },
      { timeout: 30_000, intervals: [100, 250, 500] },
    )
    .toBe(200);
  return { child, stderr: () => stderr };
}

/** Ends the server with SIGKILL (a crash: no goodbye to anyone) and waits until it is gone. */
export async function killServer(server: ServerProcess | null): Promise<void> {
  const child = server?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}
