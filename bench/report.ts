/**
 * The bench's output: the results as JSON (bench/results/, ignored by git) and the table printed
 * at the end, with each target beside what was measured.
 */
import fs from 'node:fs';
import type { BrowserLatencyResult } from './browser-latency.ts';
import type { ClassroomResult } from './classroom.ts';
import type { HandlersResult, StreamClassSide } from './learner-handlers.ts';
import { TECHNIQUES } from './delivery.ts';
import type { Machine } from './machine.ts';
import type { PageWeightResult } from './page-weight.ts';
import type { SoakResult } from './soak.ts';
import type { ScaleResult } from './scale.ts';
import { formatScale } from './scale-report.ts';
import type { SseRecordsResult, StageResult } from './sse-records.ts';
import { kb, mb, ms, ratio, table, times } from './stats.ts';

export interface Ratios {
  /** Wire Lab ÷ baseline, broadcast latency. */
  latencyP50: number;
  latencyP99: number;
  /** Wire Lab ÷ baseline, server CPU time per delivered message (the inverse of capacity). */
  cpuPerDelivery: number;
  /** Wire Lab ÷ baseline, deliveries a second (1.0 when both delivered everything). */
  throughput: number;
  /** Wire Lab ÷ baseline, peak RSS, and RSS above each server's idle RSS. */
  rss: number;
  rssAboveIdle: number;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  /** Load and CPU share at the end: the machine may have changed during the run. */
  machineAtEnd: Pick<Machine, 'loadAverage' | 'busyLoopShare'>;
  command: string;
  classroom?: {
    wirelab: ClassroomResult;
    baseline: ClassroomResult;
    ratios: Ratios;
    /** Bounds changed so the class fits (only past the defaults' class size), or asked for with --env. */
    env: Record<string, string>;
    /** More Wire Lab servers (`--variant`), measured in the same turns. */
    variants: Array<{ result: ClassroomResult; ratios: Ratios }>;
  };
  browser?: BrowserLatencyResult;
  pageWeight?: PageWeightResult;
  soak?: SoakResult;
  handlers?: HandlersResult;
  /** Scenario 8: the classroom load on one process, and on one and two behind nginx on Redis. */
  scale?: ScaleResult;
  /** What one SSE event costs each stage of the capture, in this process (`--only records`). */
  records?: SseRecordsResult;
  /** Scenarios that failed, and why. */
  failed: Record<string, string>;
}

export function ratiosOf(w: ClassroomResult, b: ClassroomResult): Ratios {
  return {
    latencyP50: ratio(w.broadcast.p50, b.broadcast.p50),
    latencyP99: ratio(w.broadcast.p99, b.broadcast.p99),
    cpuPerDelivery: ratio(w.serverProcess.cpuMsPer1000, b.serverProcess.cpuMsPer1000),
    throughput: ratio(w.deliveriesPerS, b.deliveriesPerS),
    rss: ratio(w.serverProcess.peakRss, b.serverProcess.peakRss),
    rssAboveIdle: ratio(
      w.serverProcess.peakRss - w.serverProcess.idleRss,
      b.serverProcess.peakRss - b.serverProcess.idleRss,
    ),
  };
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

const pct = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} %` : '–');
const lat = (s: { p50: number; p95: number; p99: number }) => `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}`;
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
  if (c) {
    const { wirelab: w, baseline: b } = c;
    out.push(
      '',
      `Classroom: ${w.learners} learners (${w.connected} + ${b.connected} connected), ${w.rate} msg/s, ` +
        `${w.durationS} s per server in alternating turns; Wire Lab via ${w.mode === 'class' ? 'the classroom API' : 'lab rooms'}`,
    );
    const rows = [['technique', 'Wire Lab p50 / p95 / p99', 'lost', 'baseline p50 / p95 / p99', 'lost']];
    for (const t of TECHNIQUES) {
      const wt = w.techniques[t];
      const bt = b.techniques[t];
      if (!wt && !bt) continue;
      rows.push([
        t,
        wt ? lat(wt) : '–',
        wt ? String(wt.missing) : '–',
        bt ? lat(bt) : '– (no capture)',
        bt ? String(bt.missing) : '',
      ]);
    }
    rows.push([
      'broadcast',
      lat(w.broadcast),
      String(w.broadcast.missing),
      lat(b.broadcast),
      String(b.broadcast.missing),
    ]);
    out.push(table(rows), '');
    const s = (x: ClassroomResult) => x.serverProcess;
    out.push(
      table([
        ['server process', 'Wire Lab', 'baseline', 'Wire Lab ÷ baseline'],
        [
          'deliveries / s',
          w.deliveriesPerS.toFixed(0),
          b.deliveriesPerS.toFixed(0),
          times(c.ratios.throughput),
        ],
        [
          'CPU ms / 1000 deliveries',
          s(w).cpuMsPer1000.toFixed(1),
          s(b).cpuMsPer1000.toFixed(1),
          times(c.ratios.cpuPerDelivery),
        ],
        ['CPU while pushing (1 core = 100 %)', pct(s(w).cpuPct), pct(s(b).cpuPct), ''],
        [
          'RSS idle → peak',
          `${mb(s(w).idleRss)} → ${mb(s(w).peakRss)}`,
          `${mb(s(b).idleRss)} → ${mb(s(b).peakRss)}`,
          `${times(c.ratios.rss)} (above idle ${times(c.ratios.rssAboveIdle)})`,
        ],
        [
          'event-loop delay p50 / p99 / max',
          `${ms(s(w).eld.p50)} / ${ms(s(w).eld.p99)} / ${ms(s(w).eld.max)}`,
          `${ms(s(b).eld.p50)} / ${ms(s(b).eld.p99)} / ${ms(s(b).eld.max)}`,
          '',
        ],
        [
          'load processes CPU s, RSS',
          `${w.loadProcesses.cpuS.toFixed(1)} s, ${mb(w.loadProcesses.rss)}`,
          `${b.loadProcesses.cpuS.toFixed(1)} s, ${mb(b.loadProcesses.rss)}`,
          '',
        ],
      ]),
    );
    if (c.variants.length > 0) {
      const vrows = [
        ['server', 'broadcast p50 / p95 / p99', 'lost', 'CPU ms / 1000', 'RSS peak', '÷ baseline: CPU, RSS'],
      ];
      for (const x of [{ result: w, ratios: c.ratios }, ...c.variants]) {
        const v = x.result;
        vrows.push([
          `${v.label} ${[...v.execArgv.filter((f) => f !== '--expose-gc'), ...Object.entries(v.env).map(([k, val]) => `${k}=${val}`)].join(' ')}`.trim(),
          lat(v.broadcast),
          String(v.broadcast.missing),
          v.serverProcess.cpuMsPer1000.toFixed(1),
          mb(v.serverProcess.peakRss),
          `${times(x.ratios.cpuPerDelivery)}, ${times(x.ratios.rss)}`,
        ]);
      }
      out.push('', table(vrows));
    }
    const eldP99 = Math.max(w.serverProcess.eld.p99, b.serverProcess.eld.p99);
    const busy = Math.min(r.machine.busyLoopShare, r.machineAtEnd.busyLoopShare) < 0.8;
    if (eldP99 > 100 || busy) {
      const why = busy
        ? `the machine was busy with other work (a busy loop got ${r.machine.busyLoopShare} → ${r.machineAtEnd.busyLoopShare} of a core)`
        : `the servers could not keep up with this class (event-loop delay p99 ${ms(eldP99)})`;
      out.push(
        '',
        `NOTE: ${why}: the latencies above are mostly time spent waiting — for a CPU, or behind the`,
        'messages before — in the servers and the load processes alike. Compare lost messages, CPU per',
        'delivery and memory; compare latencies only between runs where neither happened.',
      );
    }
    const problems = { ...w.problems };
    if (Object.keys(problems).length > 0) {
      out.push('', 'Wire Lab learners saw:');
      for (const [k, n] of Object.entries(problems).slice(0, 10)) out.push(`  ${n} × ${k}`);
    }
  }

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
  if (c) {
    const w = c.wirelab;
    const n = w.learners;
    rows.push([
      `${n} learners: broadcast p99`,
      ms(w.broadcast.p99),
      '≤ 50 ms',
      verdict(w.broadcast.p99 <= 50),
    ]);
    rows.push([
      `${n} learners: messages lost`,
      String(w.broadcast.missing + (w.techniques.inspector?.missing ?? 0)),
      '0',
      verdict(w.broadcast.missing === 0 && (w.techniques.inspector?.missing ?? 0) === 0),
    ]);
    rows.push([
      `${n} learners: server RSS peak`,
      mb(w.serverProcess.peakRss),
      '≤ 256 MB',
      verdict(w.serverProcess.peakRss <= 256 * 1048576),
    ]);
    rows.push([
      'capture cost: CPU per delivery',
      times(c.ratios.cpuPerDelivery),
      '≤ ×1.20',
      verdict(c.ratios.cpuPerDelivery <= 1.2),
    ]);
    rows.push([
      'capture cost: broadcast p99',
      times(c.ratios.latencyP99),
      '≤ ×1.20',
      verdict(c.ratios.latencyP99 <= 1.2),
    ]);
    rows.push(['capture cost: peak RSS', times(c.ratios.rss), '≤ ×1.20', verdict(c.ratios.rss <= 1.2)]);
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
