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

/** Redis calls a second, the commands that carry the class first. */
function redisCalls(c: ScaleCase): string {
  const r = c.result?.redis;
  if (!r) return '–';
  const list = Object.entries(r.callsPerS)
    .filter(([cmd]) => cmd !== 'all' && cmd !== 'info' && cmd !== 'dbsize')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([cmd, n]) => `${cmd} ${n.toFixed(0)}`);
  return `${(r.callsPerS.all ?? 0).toFixed(0)}${list.length ? ` (${list.join(', ')})` : ''}`;
}

export function formatScale(s: ScaleResult): string[] {
  const out: string[] = [
    `Scale: the classroom load (${s.rate} msg/s for ${s.durationS} s a case, ${s.procs} load processes) against each way of running Wire Lab, one case at a time on fresh processes.`,
    "Machine load: 1-minute load average before → after the case (a busy loop's share of a core before → after).",
    '',
  ];
  const rows = [
    ['learners', 'deployment', 'connected', 'broadcast p50 / p99', 'lost', 'deliveries/s', 'machine load'],
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
      load(c),
    ]);
  }
  out.push(table(rows), '');

  const prow = [
    ['learners', 'deployment', 'process', 'CPU while pushing (1 core = 100 %)', 'RSS peak', 'sockets'],
  ];
  for (const c of s.cases) {
    const r = c.result;
    if (!r) continue;
    for (const [name, p] of Object.entries(r.parts ?? {})) {
      prow.push([
        String(c.learners),
        c.layout,
        name === 'machine' ? `machine (all processes; ${nproc} cores = ${nproc * 100} %)` : name,
        pct(p.cpuPct),
        mb(p.peakRss),
        p.sockets === undefined ? '' : String(p.sockets),
      ]);
    }
    prow.push([
      String(c.learners),
      c.layout,
      `load (${s.procs} processes)`,
      `${r.loadProcesses.cpuS.toFixed(1)} CPU s in all`,
      mb(r.loadProcesses.rss),
      '',
    ]);
  }
  out.push(table(prow));

  const rrow = [
    ['learners', 'deployment', 'Redis calls/s while pushing (top 5)', 'used_memory peak', 'keys'],
  ];
  for (const c of s.cases) {
    const r = c.result?.redis;
    if (!r) continue;
    rrow.push([String(c.learners), c.layout, redisCalls(c), mb(r.usedMemoryPeak), String(r.keys)]);
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
    const problems = Object.entries(c.result?.problems ?? {});
    if (problems.length > 0) {
      out.push('', `${c.learners} learners, ${c.layout}: learners saw`);
      for (const [k, n] of problems.slice(0, 6)) out.push(`  ${n} × ${k}`);
    }
    if (c.error) out.push('', `${c.learners} learners, ${c.layout} FAILED: ${c.error.split('\n')[0]}`);
  }
  return out;
}
