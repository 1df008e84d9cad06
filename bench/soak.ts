/**
 * Scenario 5: the soak. A class (100 learners by default) on Wire Lab for ten minutes, the teacher
 * pushing all along; the server's memory and open handles are sampled after a full GC every turn.
 * Flat means: once the capture has filled its budget (captureBytesTotal), memory stops growing,
 * and handles go back to where they were after streams end and reconnect (maxStreamMessages,
 * maxStreamMs) and long polls come and go.
 */
import { type ClassroomResult, runClassroom, type TimedSample } from './classroom.ts';

export interface SoakResult {
  learners: number;
  durationS: number;
  samples: Array<Pick<TimedSample, 'atS' | 'rss' | 'heapUsed' | 'external' | 'arrayBuffers' | 'handleCount'>>;
  start: { rss: number; heapUsed: number; handles: number };
  end: { rss: number; heapUsed: number; handles: number };
  /** Growth per minute over the second half of the soak (least squares), bytes. */
  rssPerMinuteLate: number;
  heapPerMinuteLate: number;
  classroom: ClassroomResult;
}

export async function runSoak(o: {
  learners: number;
  durationS: number;
  rate: number;
  procs: number;
  mode: 'class' | 'room';
  env: Record<string, string>;
  execArgv: string[];
  log: (t: string) => void;
}): Promise<SoakResult> {
  const samples: SoakResult['samples'] = [];
  const [classroom] = await runClassroom({
    servers: [{ kind: 'wirelab', env: o.env, execArgv: o.execArgv }],
    mode: o.mode,
    learners: o.learners,
    durationS: o.durationS,
    rate: o.rate,
    windowS: 30,
    procs: o.procs,
    gcSamples: true,
    onSample: (_kind, s) => {
      samples.push({
        atS: s.atS,
        rss: s.rss,
        heapUsed: s.heapUsed,
        external: s.external,
        arrayBuffers: s.arrayBuffers,
        handleCount: s.handleCount,
      });
      o.log(
        `soak ${s.atS.toFixed(0).padStart(4)} s: RSS ${(s.rss / 1048576).toFixed(0)} MB, heap ${(s.heapUsed / 1048576).toFixed(0)} MB, external ${(s.external / 1048576).toFixed(0)} MB, handles ${s.handleCount}`,
      );
    },
    log: o.log,
  });
  if (!classroom) throw new Error('the soak ran no class');
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last) throw new Error('the soak took no samples');
  const late = samples.filter((s) => s.atS >= last.atS / 2);
  return {
    learners: o.learners,
    durationS: o.durationS,
    samples,
    start: { rss: first.rss, heapUsed: first.heapUsed, handles: first.handleCount },
    end: { rss: last.rss, heapUsed: last.heapUsed, handles: last.handleCount },
    rssPerMinuteLate: slopePerMinute(late.map((s) => [s.atS, s.rss])),
    heapPerMinuteLate: slopePerMinute(late.map((s) => [s.atS, s.heapUsed])),
    classroom,
  };
}

/** Least-squares slope of (seconds, bytes) points, in bytes per minute. */
function slopePerMinute(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : (num / den) * 60;
}
