/** The burst scenario's part of the printed report. */
import type { BurstResult } from './burst.ts';
import { mb, table, times } from './stats.ts';

export function formatBurst(r: BurstResult): string[] {
  const rows = [
    [
      'server',
      'connections up',
      'RSS before',
      'peak',
      `${r.afterS} s after`,
      'after ÷ before',
      'heap before → after',
    ],
  ];
  for (const s of r.sides) {
    rows.push([
      s.server,
      `${s.connected * (s.connections / s.learners)} of ${s.connections} in ${(s.connectMs / 1000).toFixed(1)} s`,
      mb(s.rssBefore),
      mb(s.rssPeak),
      mb(s.rssAfter),
      times(s.afterOverBefore),
      `${mb(s.heapBefore)} → ${mb(s.heapAfter)}`,
      `${mb(s.rssAfterGc)}, ${mb(s.heapAfterGc)}`,
    ]);
  }
  const w = r.sides.find((s) => s.server === 'wirelab');
  const trail = w
    ? `Wire Lab's RSS every 10 s after: ${w.samples.map((s) => mb(s.rss).replace(' MB', '')).join(', ')} MB`
    : '';
  return [
    `Burst: ${r.connections.toLocaleString('en')} connections at once on each server (simulated learners, each from its own address), 5 s of pushes, then all closed`,
    table(rows),
    ...(trail ? [trail] : []),
  ];
}
