/** Wire Lab ÷ baseline, figure by figure, for one classroom run of both. */
import type { ClassroomResult } from './classroom.ts';
import { ratio } from './stats.ts';

export interface Ratios {
  /** Broadcast latency. */
  latencyP50: number;
  latencyP99: number;
  /** The pushed copies' p99 (SSE, WebSocket, class channel: no long poll). */
  pushedP99: number;
  /** Server CPU time per delivered message (the inverse of capacity). */
  cpuPerDelivery: number;
  /** Deliveries a second (1.0 when both delivered everything). */
  throughput: number;
  /** Peak RSS, RSS above each server's idle RSS, and RSS at the plateau (the run's second half). */
  rss: number;
  rssAboveIdle: number;
  plateauRss: number;
}

export function ratiosOf(w: ClassroomResult, b: ClassroomResult): Ratios {
  return {
    latencyP50: ratio(w.broadcast.p50, b.broadcast.p50),
    latencyP99: ratio(w.broadcast.p99, b.broadcast.p99),
    pushedP99: ratio(w.pushed?.p99 ?? Number.NaN, b.pushed?.p99 ?? Number.NaN),
    cpuPerDelivery: ratio(w.serverProcess.cpuMsPer1000, b.serverProcess.cpuMsPer1000),
    throughput: ratio(w.deliveriesPerS, b.deliveriesPerS),
    rss: ratio(w.serverProcess.peakRss, b.serverProcess.peakRss),
    rssAboveIdle: ratio(
      w.serverProcess.peakRss - w.serverProcess.idleRss,
      b.serverProcess.peakRss - b.serverProcess.idleRss,
    ),
    plateauRss: ratio(w.serverProcess.plateauRss, b.serverProcess.plateauRss),
  };
}
