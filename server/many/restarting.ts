/**
 * A child process kept running: started again when it dies, after a wait that doubles with each
 * death that comes soon after a start (1 s, 2 s, 4 s … 30 s) and starts over once it stayed up a
 * minute, so a process that crashes in a loop does not take the machine's CPU with it.
 */

const FIRST_WAIT_MS = 1_000;
const LONGEST_WAIT_MS = 30_000;
/** Up this long, a process counts as healthy again: its next death waits FIRST_WAIT_MS. */
const HEALTHY_MS = 60_000;

export interface Started {
  /** Its process id, for the operator's log. */
  readonly pid: number | undefined;
  /** Resolves once it serves; rejects if it never does. */
  readonly ready: Promise<void>;
  /** Resolves when it exits, with how. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Asks it to stop (it then exits, and `exited` resolves). */
  stop(): void;
  /** Makes it stop now. */
  kill(): void;
}

export interface Restarting {
  /** Stops it and restarts no more; resolves once it exited (SIGKILL after `graceMs`). */
  stop(graceMs: number): Promise<void>;
  /** Kills it at once, without waiting (for the launcher's own last moment). */
  killNow(): void;
}

/**
 * Keeps a child of `start()` running until `stop`. `first` is the child the caller started and
 * found ready; `say` gets one line for each death and restart.
 */
export function keepRunning(
  name: string,
  first: Started,
  start: () => Started,
  say: (line: string) => void,
): Restarting {
  let current: Started | null = first;
  let startedAt = Date.now();
  let wait = FIRST_WAIT_MS;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;

  const watch = (child: Started) => {
    void child.exited.then(({ code, signal }) => {
      if (stopping || current !== child) return;
      current = null;
      if (Date.now() - startedAt >= HEALTHY_MS) wait = FIRST_WAIT_MS;
      say(`${name} exited (${signal ?? `code ${code}`}): starting it again in ${wait / 1000} s.`);
      timer = setTimeout(again, wait);
      wait = Math.min(wait * 2, LONGEST_WAIT_MS);
    });
  };
  const again = () => {
    if (stopping) return;
    startedAt = Date.now();
    const child = start();
    current = child;
    watch(child);
    child.ready.then(
      () => {
        if (current === child) say(`${name} is back (pid ${child.pid}).`);
      },
      (err: unknown) => {
        say(`${name} did not start: ${err instanceof Error ? err.message : String(err)}`);
        child.kill(); // its exit (now, or already) brings the next try
      },
    );
  };
  watch(first);

  return {
    async stop(graceMs) {
      stopping = true;
      clearTimeout(timer);
      const child = current;
      current = null;
      if (!child) return;
      child.stop();
      const force = setTimeout(() => child.kill(), graceMs);
      await child.exited;
      clearTimeout(force);
    },
    killNow() {
      stopping = true;
      clearTimeout(timer);
      current?.kill();
    },
  };
}
