/**
 * One Wire Lab process behind the proxy: `node server/index.ts` on a port of 127.0.0.1, started by
 * the launcher (server/many.ts) and by the tests' stack of processes, on the Node that runs them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitForPort } from './port.ts';
import { serveFlags } from '../serve-flags.ts';

const entry = fileURLToPath(new URL('../index.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

export interface WireLabProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** Resolves once it accepts connections; rejects with its last words if it exits first. */
  readonly ready: Promise<void>;
  /** Resolves when it exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What it printed on stderr lately. */
  stderr(): string;
}

export interface WireLabProcessOptions {
  /** Added to this process's environment (PORT and HOST are set here). */
  readonly env?: Record<string, string>;
  /** Each line it prints, on stdout or stderr (default: dropped; stderr is kept for `stderr()`). */
  readonly output?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Node's flags before the entry (npm run serve's flags by default). */
  readonly nodeFlags?: readonly string[];
}

export function spawnWireLab(port: number, options: WireLabProcessOptions = {}): WireLabProcess {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? serveFlags()), entry], {
    cwd: root,
    env: { ...process.env, ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const lines = (stream: 'stdout' | 'stderr') => {
    let partial = '';
    return (text: string) => {
      if (stream === 'stderr') stderr = (stderr + text).slice(-8_000);
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) options.output?.(line, stream);
    };
  };
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', lines('stdout'));
  child.stderr?.on('data', lines('stderr'));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const died = exited.then(({ code, signal }) => {
    throw new Error(
      `Wire Lab on port ${port} exited at start (${signal ?? `code ${code}`}): ${stderr.trim() || 'no message'}`,
    );
  });
  died.catch(() => {});
  // The build is loaded and the class store read before it listens: 60 s for a busy machine.
  const alive = () => child.exitCode === null && child.signalCode === null;
  const ready = Promise.race([waitForPort(port, 60_000, alive), died]);
  ready.catch(() => {}); // the caller awaits it; a start given up on must not crash the launcher
  return { port, child, ready, exited, stderr: () => stderr };
}
