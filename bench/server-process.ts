/**
 * The bench's handle on a server under test running in its own process (bench/server-entry.ts):
 * start it, ask it for its numbers, stop it.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { serveFlags } from '../server/serve-flags.ts';
import type { FromServer, ServerKind, ServerSample, ToServer } from './server-entry.ts';

export interface ServerProcess {
  readonly kind: ServerKind;
  readonly pid: number;
  /** The Node flags it runs with. */
  readonly execArgv: string[];
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  sample(gc?: boolean): Promise<ServerSample>;
  /** Restarts the event-loop delay histogram. */
  reset(): Promise<void>;
  heapSnapshot(file: string): Promise<string>;
  stop(): Promise<void>;
}

export interface ServerStartOptions {
  /** Environment overrides (bounds, server/config.ts). */
  env?: Record<string, string>;
  /** Extra Node flags, e.g. `--cpu-prof --cpu-prof-dir=bench/results/profiles`. */
  execArgv?: string[];
  /** The port to listen on (default: a free one). */
  port?: number;
}

export async function startServer(
  kind: ServerKind,
  options: ServerStartOptions = {},
): Promise<ServerProcess> {
  // The flags of `npm run serve` (the bench measures the server as it is run; they include
  // --expose-gc, which the burst's after-GC figures need).
  const execArgv = [...serveFlags(), ...(options.execArgv ?? [])];
  const child: ChildProcess = fork(
    new URL('./server-entry.ts', import.meta.url),
    [kind, String(options.port ?? 0)],
    {
      env: { ...process.env, ...options.env },
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const waiting = new Map<string, (m: FromServer) => void>();
  const ready = new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${code}) before it was ready`)));
    waiting.set('ready', (m) => resolve((m as { port: number }).port));
  });
  child.on('message', (m: FromServer) => {
    const fn = waiting.get(m.type);
    waiting.delete(m.type);
    fn?.(m);
  });
  const ask = <T extends FromServer>(cmd: ToServer, answer: T['type']): Promise<T> =>
    new Promise((resolve) => {
      waiting.set(answer, (m) => resolve(m as T));
      child.send(cmd);
    });
  const port = await ready;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return {
    kind,
    pid: child.pid ?? 0,
    execArgv,
    base: `http://127.0.0.1:${port}`,
    async sample(gc = false) {
      const { type: _, ...sample } = await ask<{ type: 'sample' } & ServerSample>(
        { cmd: 'sample', gc },
        'sample',
      );
      return sample;
    },
    async reset() {
      await ask({ cmd: 'reset' }, 'reset');
    },
    async heapSnapshot(file) {
      return (
        await ask<{ type: 'heap-snapshot'; file: string }>({ cmd: 'heap-snapshot', file }, 'heap-snapshot')
      ).file;
    },
    async stop() {
      if (child.connected) child.send({ cmd: 'stop' } satisfies ToServer);
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
