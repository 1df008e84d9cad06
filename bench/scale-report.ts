/**
 * The scale comparison's tables (bench/scale.ts): for each class size, each way of running Wire
 * Lab side by side — what the learners got, what each process spent, what Redis did — each row
 * with the machine's load when it was taken.
 */
import os from 'node:os';
import type { ScaleCase, ScaleResult } from './scale.ts';
import { kb, mb, ms, table } from './stats.ts';

const nproc = os.availableParallelism();
const pct = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? `${n.toFixed(0)} %` : '–');
const load = (c: ScaleCase) =>
  `${c.before.loadAverage[0]} → ${c.after.loadAverage[0]} (${c.before.busyLoopShare} → ${c.after.busyLoopShare})`;

/**
 * Redis calls per second of pushing, the most frequent first (a Lua script's own calls count too:
 * `eval` 1 with the `incr`, `xadd` and `publish` it makes).
 */
function redisCalls(c: ScaleCase, seconds: number): string {
  const r = c.result?.redis;
  if (!r) return '–';
  const list = Object.entries(r.calls)
    .filter(([cmd]) => cmd !== 'all')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([cmd, n]) => `${cmd} ${(n / seconds).toFixed(0)}`);
  return `${((r.calls.all ?? 0) / seconds).toFixed(0)}${list.length ? ` (${list.join(', ')})` : ''}`;
}

/** CPU time per 1,000 deliveries (broadcast): Wire Lab's processes together, and nginx's beside. */
function cpuPer1000(r: NonNullable<ScaleCase['result']>): string {
  const deliveries = r.deliveriesPerS * (r.sent / r.rate);
  const nginx = r.parts?.nginx?.cpuS;
  const per = (cpuS: number) => ((cpuS * 1e6) / deliveries).toFixed(1);
  return `${r.serverProcess.cpuMsPer1000.toFixed(1)}${nginx === undefined ? '' : ` (+ ${per(nginx)})`}`;
}

export function formatScale(s: ScaleResult): string[] {
  const out: string[] = [
    `Scale: the classroom load (${s.rate} msg/s for ${s.durationS} s a case, ${s.procs} load processes) against each way of running Wire Lab, one case at a time on fresh processes.`,
    "Machine load: 1-minute load average before → after the case (a busy loop's share of a core before → after).",
    'CPU: CPU time from the first push until every message had arrived, per second of pushing (100 % = one core kept busy):',
    'above 100 % a process needs more than a core for this class, and its learners wait.',
    '',
  ];
  const rows = [
    [
      'learners',
      'deployment',
      'connected',
      'broadcast p50 / p99',
      'lost',
      'deliveries/s',
      'CPU ms / 1000 deliveries: Wire Lab (+ nginx)',
      'machine load',
    ],
  ];
  for (const c of s.cases) {
    const r = c.result;
    rows.push([
      String(c.learners),
      c.name,
      r ? `${r.connected}${r.connectFailed ? ` (${r.connectFailed} failed)` : ''}` : 'FAILED',
      r ? `${ms(r.broadcast.p50)} / ${ms(r.broadcast.p99)}` : '–',
      r ? String(r.broadcast.missing) : '–',
      r ? r.deliveriesPerS.toFixed(0) : '–',
      r ? cpuPer1000(r) : '–',
      load(c),
    ]);
  }
  out.push(table(rows), '');

  const prow = [['learners', 'deployment', 'process', 'CPU per s of pushing', 'RSS peak', 'sockets']];
  for (const c of s.cases) {
    const r = c.result;
    if (!r) continue;
    for (const [name, p] of Object.entries(r.parts ?? {})) {
      prow.push([
        String(c.learners),
        c.layout,
        name === 'machine' ? `machine (all processes, busy share; ${nproc} cores = ${nproc * 100} %)` : name,
        // The machine: its share over the case (it cannot be busier than its cores).
        name === 'machine' ? pct(p.cpuPct) : pct((p.cpuS / s.durationS) * 100),
        mb(p.peakRss),
        p.sockets === undefined ? '' : String(p.sockets),
      ]);
    }
    prow.push([
      String(c.learners),
      c.layout,
      `load (${s.procs} processes)`,
      `${r.loadProcesses.cpuS.toFixed(1)} CPU s (connecting too)`,
      mb(r.loadProcesses.rss),
      '',
    ]);
  }
  out.push(table(prow));

  const rrow = [
    ['learners', 'deployment', 'Redis calls per s of pushing (most frequent)', 'used_memory peak', 'keys'],
  ];
  for (const c of s.cases) {
    const r = c.result?.redis;
    if (!r) continue;
    rrow.push([
      String(c.learners),
      c.layout,
      redisCalls(c, s.durationS),
      mb(r.usedMemoryPeak),
      String(r.keys),
    ]);
  }
  if (rrow.length > 1) out.push('', table(rrow));

  const krow = [
    ['learners', 'deployment', 'Redis keys at the end', 'count', 'entries', 'memory', 'per entry'],
  ];
  for (const c of s.cases) {
    for (const g of c.redisKeys ?? []) {
      krow.push([
        String(c.learners),
        c.layout,
        `${g.pattern} (${g.type})`,
        String(g.count),
        String(g.entries),
        kb(g.bytes),
        g.entries > 0 ? `${(g.bytes / g.entries).toFixed(0)} B` : '–',
      ]);
    }
  }
  if (krow.length > 1) out.push('', table(krow));

  const sources = [...new Set(s.cases.flatMap((c) => (c.nginx ? [c.nginx.source] : [])))];
  for (const source of sources) {
    const changes = s.cases.find((c) => c.nginx?.source === source)?.nginx?.changes ?? [];
    out.push('', `nginx: ${source}, rendered for the run: ${changes.join('; ') || 'unchanged'}`);
  }
  for (const c of s.cases) {
    const t = c.result?.teacher;
    if (t && (t.closes.length > 0 || t.unsent > 0)) {
      const closes = t.closes.map((x) => `after push ${x.atSeq}: ${x.code} ${x.reason}`.trim()).join('; ');
      out.push(
        '',
        `${c.learners} learners, ${c.layout}: the teacher's class channel closed (${closes}); ${t.unsent} pushes not sent`,
      );
    }
    const nginxSaid = Object.entries(c.nginx?.errors ?? {});
    if (nginxSaid.length > 0) {
      out.push('', `${c.learners} learners, ${c.layout}: nginx's error log said`);
      for (const [k, n] of nginxSaid.slice(0, 6)) out.push(`  ${n} × ${k}`);
    }
    const problems = Object.entries(c.result?.problems ?? {});
    if (problems.length > 0) {
      out.push('', `${c.learners} learners, ${c.layout}: learners saw`);
      for (const [k, n] of problems.slice(0, 6)) out.push(`  ${n} × ${k}`);
    }
    if (c.error) out.push('', `${c.learners} learners, ${c.layout} FAILED: ${c.error.split('\n')[0]}`);
  }
  return out;
}

// `npm exec -- node bench/scale-report.ts bench/results/bench-<time>.json`: the tables again.
if (import.meta.main) {
  const fs = await import('node:fs');
  const file = process.argv[2];
  const results = file ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { scale?: ScaleResult }) : {};
  if (!results.scale) {
    console.error('usage: node bench/scale-report.ts <a bench results file with a scale run>');
    process.exit(2);
  }
  console.log(formatScale(results.scale).join('\n'));
}
