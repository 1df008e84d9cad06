/**
 * Scenario 8, the scale comparison (`npm run bench -- --only scale`, docs/scale.md "Measured"): the
 * classroom load of bench/classroom.ts — a teacher pushing through the class channel to N learners
 * whose lab sessions read the class room over SSE, WebSocket and long poll, with the inspector and
 * class channels open — against each way of running Wire Lab (bench/deployment.ts): one process as
 * today, one process on Redis behind nginx, two processes on Redis behind nginx; at 300, 1,000 and
 * 3,000 learners. One case at a time, each on fresh processes, with the machine's load before and
 * after it: on a shared machine a figure means something only beside the load it was taken under.
 */
import { type ClassroomResult, runClassroom } from './classroom.ts';
import { type Deployment, LAYOUT_NAMES, type Layout, startDeployment } from './deployment.ts';
import { busyLoopShare } from './machine.ts';
import type { RedisKeyGroup } from './redis-process.ts';
import os from 'node:os';

export interface ScaleOptions {
  sizes: number[];
  layouts: Layout[];
  /** Seconds of pushes per case. */
  durationS: number;
  rate: number;
  /** Load processes holding the class. */
  procs: number;
  /** Bounds asked for on the command line (`--env`), for every Wire Lab process. */
  env: Record<string, string>;
  execArgv: string[];
  log: (text: string) => void;
}

export interface MachineLoad {
  /** 1, 5 and 15 minute load averages. */
  loadAverage: number[];
  /** Share of one core a busy loop got over half a second. */
  busyLoopShare: number;
}

export interface ScaleCase {
  learners: number;
  layout: Layout;
  name: string;
  startedAt: string;
  /** Bounds the Wire Lab processes ran with beyond the defaults. */
  env: Record<string, string>;
  before: MachineLoad;
  after: MachineLoad;
  nginx?: { source: string; changes: string[]; errors: Record<string, number> };
  result?: ClassroomResult;
  /** Wire Lab's keys in Redis at the end of the case, by kind (none without Redis). */
  redisKeys?: RedisKeyGroup[];
  error?: string;
}

export interface ScaleResult {
  sizes: number[];
  layouts: Layout[];
  durationS: number;
  rate: number;
  procs: number;
  cases: ScaleCase[];
}

const load = (): MachineLoad => ({
  loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
  busyLoopShare: busyLoopShare(),
});

/**
 * The class room's own tick (a message a second) off, as bench/classroom-load.ts has it: the feed
 * is the teacher's pushes only, so Redis's calls divide by pushes, and a class of 3,000 on this
 * shared machine is not already 15,000 deliveries a second behind while it is still connecting.
 */
const QUIET_ROOM = { WIRELAB_TICK_INTERVAL_MS: '60000' };

/** Bounds a class of `learners` needs beyond the defaults (which fit 500 learners, 2,000 sessions). */
export function boundsFor(learners: number): Record<string, string> {
  const env: Record<string, string> = {};
  if (learners > 500) env.WIRELAB_MAX_LEARNERS_PER_CLASS = String(learners);
  if (learners + 50 > 2000) env.WIRELAB_MAX_SESSIONS = String(learners + 50);
  return env;
}

export async function runScale(o: ScaleOptions): Promise<ScaleResult> {
  const cases: ScaleCase[] = [];
  for (const learners of o.sizes) {
    for (const layout of o.layouts) {
      const env = { ...QUIET_ROOM, ...boundsFor(learners), ...o.env };
      const name = LAYOUT_NAMES[layout];
      const before = load();
      const c: ScaleCase = {
        learners,
        layout,
        name,
        startedAt: new Date().toISOString(),
        env,
        before,
        after: before,
      };
      o.log(
        `scale: ${learners} learners, ${name}; load ${before.loadAverage.join(' / ')}, a busy loop gets ${before.busyLoopShare} of a core`,
      );
      let deployment: Deployment | undefined;
      try {
        const [result] = await runClassroom({
          servers: [
            {
              kind: 'wirelab',
              label: layout,
              env,
              execArgv: o.execArgv,
              start: async () => {
                const d = await startDeployment(layout, {
                  env,
                  execArgv: o.execArgv,
                  // Five connections a learner, each twice through nginx (client and upstream).
                  connections: learners * 5 * 2 + 1_000,
                });
                deployment = d;
                // What the class left in Redis, counted once its learners are gone and before it stops.
                return {
                  ...d,
                  stop: async () => {
                    c.redisKeys = await d.redisKeys().catch(() => undefined);
                    await d.stop();
                  },
                };
              },
            },
          ],
          mode: 'class',
          learners,
          durationS: o.durationS,
          rate: o.rate,
          windowS: 0,
          // Missing messages that have not moved for 10 s are lost (the final count says so) and
          // not waited for 30 s; a class of 3,000 saw gaps of over 3 s between arrivals.
          quietDrainMs: 10_000,
          procs: o.procs,
          inspector: true,
          log: o.log,
        });
        c.result = result;
        if (deployment?.nginx) c.nginx = deployment.nginx;
        if (result) {
          o.log(
            `scale: ${learners} learners, ${name}: broadcast p50 ${result.broadcast.p50.toFixed(0)} ms, p99 ${result.broadcast.p99.toFixed(0)} ms, lost ${result.broadcast.missing}`,
          );
        }
      } catch (err) {
        c.error = (err as Error).stack ?? String(err);
        o.log(`scale: ${learners} learners, ${name} failed: ${(err as Error).message}`);
      }
      c.after = load();
      cases.push(c);
    }
  }
  return {
    sizes: o.sizes,
    layouts: o.layouts,
    durationS: o.durationS,
    rate: o.rate,
    procs: o.procs,
    cases,
  };
}
