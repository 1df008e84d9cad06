/**
 * CPU time and resident memory of any process on this machine, read from /proc (Linux only): how
 * the scale bench measures Redis and nginx, which cannot answer over IPC, and the Wire Lab
 * processes the same way so every row of its table is counted alike.
 *
 * proc(5): `/proc/<pid>/stat` fields 14 and 15 are utime and stime in clock ticks
 * (sysconf(_SC_CLK_TCK), 100 on Linux for x86 and arm); `/proc/<pid>/status` VmRSS is in kB.
 */
import fs from 'node:fs';

/** Clock ticks a second (`getconf CLK_TCK`): 100 on every Linux this runs on. */
const TICKS_PER_S = 100;

export interface ProcessUsage {
  /** user + system CPU time since the process started, µs (10 ms steps). */
  cpuUs: number;
  /** Resident set size, bytes. */
  rss: number;
}

/** The process's usage now, or null once it is gone. */
export function processUsage(pid: number): ProcessUsage | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of the whole line
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
    return { cpuUs: (ticks * 1e6) / TICKS_PER_S, rss: rssKb * 1024 };
  } catch {
    return null;
  }
}

/** The pids whose parent is `pid` (an nginx master's workers). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone between readdir and read
    }
  }
  return out;
}

/** Several processes counted as one (nginx: master and workers): CPU and RSS added up. */
export function groupUsage(pids: readonly number[]): ProcessUsage {
  let cpuUs = 0;
  let rss = 0;
  for (const pid of pids) {
    const u = processUsage(pid);
    if (!u) continue;
    cpuUs += u.cpuUs;
    rss += u.rss;
  }
  return { cpuUs, rss };
}

/**
 * The whole machine's busy CPU time (every core, every process: user, nice, system, irq, softirq,
 * steal; not idle or iowait) since boot, µs — proc(5) `/proc/stat`, first line — and the memory in
 * use (MemTotal − MemAvailable of `/proc/meminfo`): what the bench's own processes and everyone
 * else's took together.
 */
export function machineUsage(): ProcessUsage {
  try {
    const [, user, nice, system, , , irq, softirq, steal] = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .map(Number);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>((n, t) => n + (t ?? 0), 0);
    const meminfo = fs.readFileSync('/proc/meminfo', 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(meminfo)?.[1] ?? 0);
    return { cpuUs: (busy * 1e6) / TICKS_PER_S, rss: (kb('MemTotal') - kb('MemAvailable')) * 1024 };
  } catch {
    return { cpuUs: Number.NaN, rss: Number.NaN };
  }
}
