/**
 * The machine the numbers came from, and how busy it was: numbers from a shared 2-core machine
 * only mean something beside these.
 */
import os from 'node:os';

export interface Machine {
  nproc: number;
  cpu: string;
  memoryGB: number;
  node: string;
  platform: string;
  /** 1, 5 and 15 minute load averages. */
  loadAverage: number[];
  /**
   * Share of one core a busy loop in this process got over half a second (1.0: a whole core).
   * Well under 1 means other work on the machine takes the CPU our processes would need.
   */
  busyLoopShare: number;
}

export function machine(): Machine {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
    busyLoopShare: busyLoopShare(),
  };
}

/** Spins for 500 ms of wall time and returns the CPU time it got, as a share of one core. */
export function busyLoopShare(): number {
  const before = process.cpuUsage();
  const until = performance.now() + 500;
  while (performance.now() < until);
  const used = process.cpuUsage(before);
  return Math.round(((used.user + used.system) / 500_000) * 100) / 100;
}
