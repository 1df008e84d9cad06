/**
 * Why a timer was late: a 10 ms timer of its own, and at each tick the main thread's scheduler
 * counters (`/proc/thread-self/schedstat`: ns on a CPU, ns runnable but waiting for one). Of each
 * tick's lateness, the time the thread sat on a run queue was the machine's (another process held
 * the core); the rest is the process's own — its code, the collector, a blocking call. The
 * event-loop delay's maximum is the worst of both; `ownMaxMs` is the worst of the second alone,
 * over every tick, which is what the server's code can change.
 *
 * Linux only: elsewhere (or without /proc) `available` is false and nothing is measured.
 */
import fs from 'node:fs';

export interface LoopStalls {
  available: boolean;
  /**
   * The latest tick: how late, ms; how much of it the thread waited for a CPU; and how long it ran
   * on one since the tick before (its own work: ≈ the lateness plus what it did in the 10 ms before,
   * less any time the machine's hypervisor took the core, which shows in neither).
   */
  maxMs: number;
  waitAtMaxMs: number;
  ranAtMaxMs: number;
  /**
   * The most any tick was late less its own run-queue wait, ms (not always the latest tick's): the
   * longest the process held its own loop.
   */
  ownMaxMs: number;
  /**
   * How long the thread ran on a CPU in that tick's interval, ms: near `ownMaxMs` + 10 when its own
   * code held the loop, far under it when the thread slept (a blocking call, a page fault on disk)
   * or the hypervisor held the core.
   */
  ranAtOwnMaxMs: number;
  /** Ticks more than 50 ms late, and those more than 50 ms late by the process's own doing. */
  over50: number;
  ownOver50: number;
  ticks: number;
}

const TICK_MS = 10;
const STALL_MS = 50;

export function watchLoopStalls(): { read(): LoopStalls; reset(): void } {
  let fd: number | undefined;
  try {
    fd = fs.openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    fd = undefined;
  }
  const buf = Buffer.alloc(96);
  /** ns on a CPU and ns waiting on a run queue so far (`[0, 0]` without the file). */
  const counters = (into: [number, number]): void => {
    if (fd === undefined) return;
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const [ran = '0', waited = '0'] = buf.toString('latin1', 0, n).split(' ');
    into[0] = Number(ran);
    into[1] = Number(waited);
  };
  const empty = (): LoopStalls => ({
    available: fd !== undefined,
    maxMs: 0,
    waitAtMaxMs: 0,
    ranAtMaxMs: 0,
    ownMaxMs: 0,
    ranAtOwnMaxMs: 0,
    over50: 0,
    ownOver50: 0,
    ticks: 0,
  });
  let stalls = empty();
  let last = performance.now();
  const before: [number, number] = [0, 0];
  const now: [number, number] = [0, 0];
  counters(before);
  if (fd !== undefined) {
    setInterval(() => {
      const at = performance.now();
      counters(now);
      const lateMs = Math.max(0, at - last - TICK_MS);
      const ranMs = (now[0] - before[0]) / 1e6;
      const waitMs = Math.min(lateMs, (now[1] - before[1]) / 1e6);
      const ownMs = lateMs - waitMs;
      last = at;
      before[0] = now[0];
      before[1] = now[1];
      stalls.ticks += 1;
      if (lateMs > stalls.maxMs) {
        stalls.maxMs = lateMs;
        stalls.waitAtMaxMs = waitMs;
        stalls.ranAtMaxMs = ranMs;
      }
      if (ownMs > stalls.ownMaxMs) {
        stalls.ownMaxMs = ownMs;
        stalls.ranAtOwnMaxMs = ranMs;
      }
      if (lateMs > STALL_MS) stalls.over50 += 1;
      if (ownMs > STALL_MS) stalls.ownOver50 += 1;
    }, TICK_MS).unref();
  }
  return {
    read: () => ({ ...stalls }),
    reset: () => {
      stalls = empty();
    },
  };
}

/** Several processes' or turns' stalls as one: the latest tick of all, the counts added up. */
export function worstStalls(list: LoopStalls[]): LoopStalls {
  const latest = list.reduce<LoopStalls | undefined>((a, s) => (a && a.maxMs >= s.maxMs ? a : s), undefined);
  const ownest = list.reduce<LoopStalls | undefined>(
    (a, s) => (a && a.ownMaxMs >= s.ownMaxMs ? a : s),
    undefined,
  );
  return {
    available: list.length > 0 && list.every((s) => s.available),
    maxMs: latest?.maxMs ?? 0,
    waitAtMaxMs: latest?.waitAtMaxMs ?? 0,
    ranAtMaxMs: latest?.ranAtMaxMs ?? 0,
    ownMaxMs: ownest?.ownMaxMs ?? 0,
    ranAtOwnMaxMs: ownest?.ranAtOwnMaxMs ?? 0,
    over50: list.reduce((n, s) => n + s.over50, 0),
    ownOver50: list.reduce((n, s) => n + s.ownOver50, 0),
    ticks: list.reduce((n, s) => n + s.ticks, 0),
  };
}
