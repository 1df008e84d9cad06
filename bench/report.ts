/**
 * The bench's output: the results as JSON (bench/results/, ignored by git) and the table printed
 * at the end, with each target beside what was measured.
 */
import fs from 'node:fs';
import type { BrowserLatencyResult } from './browser-latency.ts';
import type { BurstResult } from './burst.ts';
import { formatBurst } from './burst-report.ts';
import { type ClassroomResults, classroomTargets, formatClassroom } from './classroom-report.ts';
import type { HandlersResult, StreamClassSide } from './learner-handlers.ts';
import type { Machine } from './machine.ts';
import type { PageWeightResult } from './page-weight.ts';
import type { SoakResult } from './soak.ts';
import type { ScaleResult } from './scale.ts';
import { formatScale } from './scale-report.ts';
import type { SseRecordsResult, StageResult } from './sse-records.ts';
import { kb, mb, ms, ratio, table, times } from './stats.ts';

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  /** Load and CPU share at the end: the machine may have changed during the run. */
  machineAtEnd: Pick<Machine, 'loadAverage' | 'busyLoopShare'>;
  command: string;
  /** The classroom against the baseline, repeated (each repeat a fresh pair of servers). */
  classroom?: ClassroomResults;
  browser?: BrowserLatencyResult;
  pageWeight?: PageWeightResult;
  soak?: SoakResult;
  /** A burst of connections, and the memory each server keeps two minutes after. */
  burst?: BurstResult;
  handlers?: HandlersResult;
  /** Scenario 8: the classroom load on one process, and on one and two behind nginx on Redis. */
  scale?: ScaleResult;
  /** What one SSE event costs each stage of the capture, in this process (`--only records`). */
  records?: SseRecordsResult;
  /** Scenarios that failed, and why. */
  failed: Record<string, string>;
}

/** Writes the results as `bench/results/bench-<time>.json` and `latest.json`; returns the first path. */
export function writeResults(results: BenchResults): string {
  const dir = new URL('./results/', import.meta.url);
  fs.mkdirSync(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
  const file = new URL(`bench-${stamp}.json`, dir);
  const text = `${JSON.stringify(results, null, 2)}\n`;
  fs.writeFileSync(file, text);
  fs.writeFileSync(new URL('latest.json', dir), text);
  return file.pathname;
}

const verdict = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'met' : 'MISSED');

export function formatResults(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `Wire Lab bench, ${r.startedAt}: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGB} GB, Node ${m.node}; ` +
      `load ${m.loadAverage.join(' / ')} → ${r.machineAtEnd.loadAverage.join(' / ')}; ` +
      `a busy loop got ${m.busyLoopShare} → ${r.machineAtEnd.busyLoopShare} of a core`,
  );

  const c = r.classroom;
  if (c) out.push('', ...formatClassroom(c));
  if (r.burst) out.push('', ...formatBurst(r.burst));

  if (r.soak) {
    const s = r.soak;
    out.push(
      '',
      `Soak: ${s.learners} learners, ${(s.durationS / 60).toFixed(0)} min: RSS ${mb(s.start.rss)} → ${mb(s.end.rss)}, ` +
        `heap after GC ${mb(s.start.heapUsed)} → ${mb(s.end.heapUsed)}, handles ${s.start.handles} → ${s.end.handles}; ` +
        `second half: RSS ${mb(s.rssPerMinuteLate)}/min, heap ${mb(s.heapPerMinuteLate)}/min; ` +
        `lost ${s.classroom.broadcast.missing}`,
    );
  }

  if (r.handlers) out.push('', ...formatHandlers(r.handlers));
  if (r.scale) out.push('', ...formatScale(r.scale));
  if (r.records) out.push('', ...formatRecords(r.records));

  // ---- against the targets
  const rows: string[][] = [['target', 'measured', 'goal', '']];
  if (r.browser) {
    const br = r.browser;
    rows.push(['Run → first byte shown, median', ms(br.median), '≤ 30 ms', verdict(br.median <= 30)]);
    rows.push(['Run → first byte shown, p95', ms(br.p95), '', '']);
    rows.push(['  first Run on a page, 2 s after the editor', ms(br.firstRun.total), '', '']);
    rows.push(['  Runs that started in the runner loaded ahead', `${br.spareRuns} of ${br.runs}`, '', '']);
    rows.push(['  click → runner page loaded, the others (median)', ms(br.parts.runnerLoaded), '', '']);
    rows.push(['  click → the code sends its request', ms(br.parts.requestSent), '', '']);
    rows.push(['  request sent → its bytes shown', ms(br.parts.requestToShown), '', '']);
  }
  if (r.pageWeight) {
    const p = r.pageWeight;
    rows.push([
      'lesson page JS before the editor (gzip)',
      kb(p.beforeEditor.jsGzip),
      '≤ 60 KB',
      verdict(p.beforeEditor.jsGzip <= 60 * 1024),
    ]);
    rows.push(['  CSS before the editor (gzip)', kb(p.beforeEditor.cssGzip), '', '']);
    rows.push([
      '  JS / CSS with the editor (gzip)',
      `${kb(p.withEditor.jsGzip)} / ${kb(p.withEditor.cssGzip)}`,
      '',
      '',
    ]);
    rows.push([
      'lesson text drawn (FCP, desktop / phone)',
      `${ms(p.desktop.fcp)} / ${ms(p.phone.fcp)}`,
      '',
      '',
    ]);
  }
  if (c)
    for (const [name, measured, goal, ok] of classroomTargets(c))
      rows.push([name, measured, goal, verdict(ok)]);
  if (r.burst) {
    const w = r.burst.sides.find((x) => x.server === 'wirelab');
    if (w) {
      rows.push([
        `RSS ${r.burst.afterS} s after ${r.burst.connections.toLocaleString('en')} connections ÷ before`,
        `${times(w.afterOverBefore)} (${mb(w.rssBefore)} → ${mb(w.rssAfter)})`,
        '≤ ×1.20',
        verdict(w.afterOverBefore <= 1.2),
      ]);
    }
  }
  if (r.handlers) {
    const h = r.handlers;
    rows.push([
      'handler first byte − time, median (p99)',
      `${signed(h.oneShot.diffP50)} (${signed(h.oneShot.diffP99)})`,
      '≤ +2 ms',
      verdict(h.oneShot.diffP50 <= 2),
    ]);
    rows.push([
      'handler first chunk − stream, median (p99)',
      `${signed(h.stream.diffP50)} (${signed(h.stream.diffP99)})`,
      '≤ +2 ms',
      verdict(h.stream.diffP50 <= 2),
    ]);
    rows.push([
      'memory per idle sandbox (RSS)',
      kb(h.memory.rssPerSandbox),
      '≤ 1 MiB',
      verdict(h.memory.rssPerSandbox <= 1048576),
    ]);
    const c = h.streamClass;
    rows.push([
      `${c.handler.sessions} handler streams: lost / late`,
      `${c.handler.lost} / ${c.handler.late}`,
      '0 / 0',
      verdict(c.handler.lost === 0 && c.handler.late === 0),
    ]);
  }
  if (r.records) {
    const m = r.records.model;
    rows.push([
      'inspector: decode one SSE event (model ÷ JSON.parse)',
      `${m.usPerRecord.toFixed(1)} µs, ${m.recordsPerSecond.toLocaleString('en')}/s (${times(r.records.modelOverParse)})`,
      '',
      '',
    ]);
  }
  if (r.soak) {
    const s = r.soak;
    const flat = Math.abs(s.heapPerMinuteLate) < 1048576; // under 1 MB a minute once the capture is full
    rows.push(['soak: heap after GC, second half', `${mb(s.heapPerMinuteLate)}/min`, 'flat', verdict(flat)]);
  }
  if (rows.length > 1) out.push('', table(rows));
  for (const [name, why] of Object.entries(r.failed)) out.push(`FAILED ${name}: ${why}`);
  return out.join('\n');
}

const signed = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : '−'}${ms(Math.abs(n))}` : '–');

/** The learners' handlers scenario: each figure beside the built-in endpoint's, measured in the same run. */
function formatHandlers(h: HandlersResult): string[] {
  const fb = (name: string, x: HandlersResult['oneShot']) => [
    name,
    `${ms(x.builtin.p50)} / ${ms(x.builtin.p99)}`,
    `${ms(x.handler.p50)} / ${ms(x.handler.p99)}`,
    `${signed(x.diffP50)} / ${signed(x.diffP99)} (paired median ${signed(x.pairedDiffP50)})`,
  ];
  const m = h.memory;
  const { builtin: b, handler: w }: Record<'builtin' | 'handler', StreamClassSide> = h.streamClass;
  return [
    `Learners' handlers (${h.sizes.ttfbSamples} pairs; ${m.sandboxes} sandboxes; ${w.sessions} sessions streaming ${h.sizes.streamS} s)`,
    table([
      ['first byte', 'built-in p50 / p99', 'handler p50 / p99', 'handler − built-in p50 / p99'],
      fb('one-shot: time', h.oneShot),
      fb('stream: first chunk', h.stream),
    ]),
    '',
    `Memory: RSS ${mb(m.rssIdle)} idle → ${mb(m.rssWarm)} with the workers started → ${mb(m.rssAfter)} with ${m.sandboxes} more sandboxes: ` +
      `${kb(m.rssPerSandbox)} RSS and ${kb(m.heapPerSandbox)} of the server thread's heap each${m.live ? '' : ' (NOT all still live)'}`,
    '',
    table([
      ['class streaming, 1 msg/s', 'built-in stream', 'handlers', 'handlers ÷ built-in'],
      ['clients connected', `${b.connected} of ${b.sessions}`, `${w.connected} of ${w.sessions}`, ''],
      [
        'messages received / lost / late',
        `${b.received} / ${b.lost} / ${b.late}`,
        `${w.received} / ${w.lost} / ${w.late}`,
        '',
      ],
      ['gap between messages p50 / p99 / max', lat3(b.gap), lat3(w.gap), ''],
      [
        'server RSS idle → peak',
        `${mb(b.idleRss)} → ${mb(b.peakRss)}`,
        `${mb(w.idleRss)} → ${mb(w.peakRss)}`,
        times(ratio(w.peakRss, b.peakRss)),
      ],
      [
        'server CPU ms a second (user+sys)',
        b.cpuMsPerS.toFixed(1),
        w.cpuMsPerS.toFixed(1),
        times(ratio(w.cpuMsPerS, b.cpuMsPerS)),
      ],
      ['event-loop delay p99', ms(b.eldP99), ms(w.eldP99), ''],
    ]),
  ];
}

/** The SSE-record scenario: µs per event at each stage, and the browser's part against JSON.parse. */
function formatRecords(r: SseRecordsResult): string[] {
  const row = (name: string, s: StageResult) => [
    name,
    s.usPerRecord.toFixed(2),
    s.recordsPerSecond.toLocaleString('en'),
    s.rounds.map((x) => x.toFixed(1)).join(' '),
  ];
  const h = r.modelHeap;
  return [
    `One SSE event through the capture (${r.events.toLocaleString('en')} events of ${r.eventBytes} bytes, median of ${r.model.rounds.length} rounds, this process)`,
    table([
      ['stage', 'µs / event', 'events / s', 'rounds (µs)'],
      row('server: tap + store', r.tap),
      row('server: encode for the inspector', r.encode),
      row('browser: JSON.parse of the frames (baseline)', r.parse),
      row('browser: model + dissector', r.model),
    ]),
    `model ÷ JSON.parse ${times(r.modelOverParse)}; the model allocates ${kb(h.allocated)} per event ` +
      `and spends ${h.gcUs.toFixed(1)} µs per event collecting garbage`,
  ];
}

const lat3 = (s: { p50: number; p99: number; max: number }) => `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}`;
