/**
 * The classroom scenario's part of the printed report: every figure as the median of the repeats
 * with their range beside it, `median [min–max]`, and the machine's load before each repeat — a
 * figure that moved more between repeats than the change being judged tells nothing about it.
 */
import type { ClassroomResult } from './classroom.ts';
import { TECHNIQUES } from './delivery.ts';
import type { LoopStalls } from './loop-stalls.ts';
import type { Machine } from './machine.ts';
import type { Ratios } from './ratios.ts';
import { median, mb, ms, table, times } from './stats.ts';

export interface ClassroomRepeat {
  wirelab: ClassroomResult;
  baseline: ClassroomResult;
  ratios: Ratios;
  /** More Wire Lab servers (`--variant`), measured in the same turns. */
  variants: Array<{ result: ClassroomResult; ratios: Ratios }>;
  /** The machine just before and just after this repeat. */
  before: Pick<Machine, 'loadAverage' | 'busyLoopShare'>;
  after: Pick<Machine, 'loadAverage' | 'busyLoopShare'>;
}

export interface ClassroomResults {
  repeats: ClassroomRepeat[];
  /** Bounds changed so the class fits (only past the defaults' class size), or asked for with --env. */
  env: Record<string, string>;
  /** The load processes' niceness (`--load-nice`); absent (0) in older results. */
  loadNice?: number;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spreadOf(values: number[]): Spread {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  return { min: Math.min(...finite), median: median(finite), max: Math.max(...finite) };
}

/** `median [min–max]` in the figure's own format; just the value when there was one repeat. */
function show(values: number[], fmt: (n: number) => string): string {
  const s = spreadOf(values);
  if (values.length < 2 || s.min === s.max) return fmt(s.median);
  return `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]`;
}

const n0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const n1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const mbShort = (n: number) => mb(n).replace(' MB', '');

export function formatClassroom(c: ClassroomResults): string[] {
  const first = c.repeats[0];
  if (!first) return [];
  const ws = c.repeats.map((r) => r.wirelab);
  const bs = c.repeats.map((r) => r.baseline);
  const w = first.wirelab;
  const out: string[] = [
    `Classroom: ${w.learners} learners, ${w.rate} msg/s, ${w.durationS} s per server in alternating turns, ` +
      `${c.repeats.length} repeat${c.repeats.length > 1 ? 's' : ''} (each a fresh pair of servers); ` +
      `Wire Lab via ${w.mode === 'class' ? 'the classroom API' : 'lab rooms'}. Each figure: median [min–max] over the repeats.`,
    `Machine before each repeat: load ${c.repeats.map((r) => r.before.loadAverage[0]?.toFixed(2)).join(', ')}; ` +
      `a busy loop got ${c.repeats.map((r) => r.before.busyLoopShare).join(', ')} of a core ` +
      `(after: ${c.repeats.map((r) => r.after.busyLoopShare).join(', ')}).` +
      (c.loadNice ? ` The load processes ran at niceness ${c.loadNice}.` : ''),
    '',
  ];
  const rows = [['technique', 'Wire Lab p50', 'p99', 'lost', 'baseline p50', 'p99', 'lost']];
  type Delivered = { p50: number; p99: number; missing: number };
  /** p50, p99 and lost over the repeats; `none` when this server has no such technique. */
  const three = (xs: Array<Delivered | undefined>, none: string[]): string[] =>
    xs[0]
      ? (['p50', 'p99', 'missing'] as const).map((k) =>
          show(
            xs.map((x) => x?.[k] ?? Number.NaN),
            k === 'missing' ? n0 : ms,
          ),
        )
      : none;
  for (const t of TECHNIQUES) {
    const wt = ws.map((x) => x.techniques[t]);
    const bt = bs.map((x) => x.techniques[t]);
    if (!wt[0] && !bt[0]) continue;
    rows.push([t, ...three(wt, ['–', '–', '–']), ...three(bt, ['– (no capture)', '–', ''])]);
  }
  rows.push([
    'broadcast',
    ...three(
      ws.map((x) => x.broadcast),
      [],
    ),
    ...three(
      bs.map((x) => x.broadcast),
      [],
    ),
  ]);
  out.push(table(rows), '');
  const ratios = c.repeats.map((r) => r.ratios);
  const sp = (x: ClassroomResult) => x.serverProcess;
  /** One figure of both servers, and of their ratio when there is one. */
  const row = (
    label: string,
    f: (x: ClassroomResult['serverProcess']) => number,
    fmt: (n: number) => string,
    r?: (x: Ratios) => number,
  ): string[] => [
    label,
    show(
      ws.map((x) => f(sp(x))),
      fmt,
    ),
    show(
      bs.map((x) => f(sp(x))),
      fmt,
    ),
    r ? show(ratios.map(r), times) : '',
  ];
  /** Two figures of each repeat in one cell, `a / b`; `empty` when there is none. */
  const both = <T>(
    items: T[],
    a: (t: T) => number,
    b: (t: T) => number,
    fmt: (n: number) => string,
    empty = '–',
  ) => (items.length === 0 ? empty : `${show(items.map(a), fmt)} / ${show(items.map(b), fmt)}`);
  const eld = (xs: ClassroomResult[]) =>
    both(
      xs.map((x) => sp(x).eld),
      (e) => e.p99,
      (e) => e.max,
      ms,
    );
  // A second timer's late ticks, split (bench/loop-stalls.ts); older results have none.
  const stalled = (xs: ClassroomResult[]) =>
    xs.flatMap((x) => (sp(x).stalls?.available ? [sp(x).stalls as LoopStalls] : []));
  const latestTick = (xs: ClassroomResult[]) => {
    const list = stalled(xs);
    if (list.length === 0) return '–';
    const of = (f: (s: LoopStalls) => number) => show(list.map(f), ms);
    // Results from before the time on a CPU was kept have only the first two.
    const ran = list.every((s) => Number.isFinite(s.ranAtMaxMs)) ? ` / ${of((s) => s.ranAtMaxMs)}` : ' / –';
    return `${of((s) => s.maxMs)} / ${of((s) => s.waitAtMaxMs)}${ran}`;
  };
  const ownMax = (xs: ClassroomResult[]) => {
    const list = stalled(xs);
    if (list.length === 0) return '–';
    const own = show(
      list.map((s) => s.ownMaxMs),
      ms,
    );
    // Results from before the time on a CPU was kept have the stretch alone.
    if (!list.every((s) => Number.isFinite(s.ranAtOwnMaxMs))) return own;
    return `${own} / ${show(
      list.map((s) => s.ranAtOwnMaxMs),
      ms,
    )}`;
  };
  const over50 = (xs: ClassroomResult[]) =>
    both(
      stalled(xs),
      (s) => s.over50,
      (s) => s.ownOver50,
      n0,
    );
  // Results written before the collector's pauses were sampled have none.
  const pauses = (xs: ClassroomResult[]) =>
    both(
      xs.flatMap((x) => sp(x).gc ?? []),
      (g) => g.maxMs,
      (g) => g.majorMaxMs,
      ms,
    );
  // Where /proc is (Linux): how many writes the server made and how many bytes they carried.
  const writes = (xs: ClassroomResult[]) =>
    both(
      xs.flatMap((x) => sp(x).writesPer1000 ?? []),
      (w) => w.calls,
      (w) => w.kb,
      n0,
    );
  const writeRatios = () =>
    both(
      c.repeats.flatMap((r) => {
        const w = r.wirelab.serverProcess.writesPer1000;
        const b = r.baseline.serverProcess.writesPer1000;
        return w && b ? [{ calls: w.calls / b.calls, kb: w.kb / b.kb }] : [];
      }),
      (p) => p.calls,
      (p) => p.kb,
      times,
      '',
    );
  out.push(
    table([
      ['server process', 'Wire Lab', 'baseline', 'Wire Lab ÷ baseline'],
      [
        'deliveries / s',
        show(
          ws.map((x) => x.deliveriesPerS),
          n0,
        ),
        show(
          bs.map((x) => x.deliveriesPerS),
          n0,
        ),
        show(
          ratios.map((r) => r.throughput),
          times,
        ),
      ],
      row(
        'CPU ms / 1000 deliveries',
        (x) => x.cpuMsPer1000,
        n1,
        (r) => r.cpuPerDelivery,
      ),
      row('CPU while pushing (1 core = 100 %)', (x) => x.cpuPct, n0),
      row('RSS idle, MB', (x) => x.idleRss, mbShort),
      row(
        'RSS at the plateau (second half), MB',
        (x) => x.plateauRss,
        mbShort,
        (r) => r.plateauRss,
      ),
      row(
        'RSS peak, MB',
        (x) => x.peakRss,
        mbShort,
        (r) => r.rss,
      ),
      ['event-loop delay p99 / max', eld(ws), eld(bs), ''],
      ['  a second timer: latest tick / waiting for a CPU / on one', latestTick(ws), latestTick(bs), ''],
      ['  own stretch (a tick late less its wait) / ran meanwhile', ownMax(ws), ownMax(bs), ''],
      ['  ticks > 50 ms late: all / by own work', over50(ws), over50(bs), ''],
      ['collector: longest pause / longest full one', pauses(ws), pauses(bs), ''],
      ['write calls / KB written per 1000 deliveries', writes(ws), writes(bs), writeRatios()],
    ]),
  );
  const variants = first.variants.map((_, i) =>
    c.repeats.map((r) => r.variants[i]).filter((v) => v !== undefined),
  );
  if (variants.length > 0) {
    const vrows = [['server', 'broadcast p99', 'CPU ms / 1000', 'RSS plateau', '÷ baseline: p99, CPU, RSS']];
    for (const runs of [c.repeats.map((r) => ({ result: r.wirelab, ratios: r.ratios })), ...variants]) {
      const v = runs[0]?.result;
      if (!v) continue;
      vrows.push([
        `${v.label} ${[...v.execArgv.filter((f) => f !== '--expose-gc'), ...Object.entries(v.env).map(([k, val]) => `${k}=${val}`)].join(' ')}`.trim(),
        show(
          runs.map((x) => x.result.broadcast.p99),
          ms,
        ),
        show(
          runs.map((x) => sp(x.result).cpuMsPer1000),
          n1,
        ),
        show(
          runs.map((x) => sp(x.result).plateauRss),
          mbShort,
        ),
        `${show(
          runs.map((x) => x.ratios.latencyP99),
          times,
        )}, ${show(
          runs.map((x) => x.ratios.cpuPerDelivery),
          times,
        )}, ${show(
          runs.map((x) => x.ratios.plateauRss),
          times,
        )}`,
      ]);
    }
    out.push('', table(vrows));
  }
  const problems: Record<string, number> = {};
  for (const x of ws) for (const [k, n] of Object.entries(x.problems)) problems[k] = (problems[k] ?? 0) + n;
  if (Object.keys(problems).length > 0) {
    out.push('', 'Wire Lab learners saw:');
    for (const [k, n] of Object.entries(problems).slice(0, 10)) out.push(`  ${n} × ${k}`);
  }
  return out;
}

/** The classroom's rows of the targets table: [target, measured, goal, met?]. */
export function classroomTargets(c: ClassroomResults): Array<[string, string, string, boolean | undefined]> {
  const ws = c.repeats.map((r) => r.wirelab);
  const ratios = c.repeats.map((r) => r.ratios);
  const n = ws[0]?.learners ?? 0;
  const lost = ws.map((x) => x.broadcast.missing + (x.techniques.inspector?.missing ?? 0));
  const plateau = spreadOf(ws.map((x) => x.serverProcess.plateauRss));
  const cpu = spreadOf(ratios.map((r) => r.cpuPerDelivery));
  const p99 = spreadOf(ratios.map((r) => r.latencyP99));
  const eldMax = spreadOf(ws.map((x) => x.serverProcess.eld.max));
  const ownStretches = ws.map((x) => x.serverProcess.stalls?.ownMaxMs ?? Number.NaN);
  return [
    [
      `${n} learners: messages lost (all repeats)`,
      String(lost.reduce((a, b) => a + b, 0)),
      '0',
      lost.every((x) => x === 0),
    ],
    [
      `${n} learners: RSS at the plateau, MB`,
      show(
        ws.map((x) => x.serverProcess.plateauRss),
        mbShort,
      ),
      '≤ 256',
      plateau.median <= 256 * 1048576,
    ],
    [
      'CPU per delivery, Wire Lab ÷ baseline',
      show(
        ratios.map((r) => r.cpuPerDelivery),
        times,
      ),
      '≤ ×1.30',
      cpu.median <= 1.3,
    ],
    [
      'broadcast p99, Wire Lab ÷ baseline',
      show(
        ratios.map((r) => r.latencyP99),
        times,
      ),
      '≤ ×1.20 (median)',
      p99.median <= 1.2,
    ],
    [
      'event-loop delay max while pushing',
      show(
        ws.map((x) => x.serverProcess.eld.max),
        ms,
      ),
      '≤ 50 ms',
      eldMax.max <= 50,
    ],
    ...(ws.every((x) => x.serverProcess.stalls?.available)
      ? [
          [
            "  the server's own longest stretch",
            show(ownStretches, ms),
            '≤ 50 ms',
            spreadOf(ownStretches).max <= 50,
          ] as [string, string, string, boolean],
        ]
      : []),
  ];
}
