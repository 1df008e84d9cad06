/**
 * Numbers for the bench: a latency histogram that several processes can fill and one can merge,
 * percentiles of small samples, and how to print them.
 *
 * The histogram keeps counts in buckets 1 % wide on a log scale (1 µs to ~100 s in ~1,850
 * buckets), so a percentile read from it is within 1 % of the true value, it costs the same for
 * ten samples or ten million, and it crosses an IPC channel as a plain array.
 */

/** Bucket width: each bucket's upper bound is 1 % above the one before. */
const GROWTH = Math.log(1.01);
/** 100 s in µs: anything slower lands in the last bucket. */
const MAX_US = 100_000_000;
const BUCKETS = Math.ceil(Math.log(MAX_US) / GROWTH) + 2;

/** A histogram's contents, as sent between processes. */
export interface HistogramData {
  counts: number[];
  count: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
}

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  private sumMs = 0;
  private minMs = Number.POSITIVE_INFINITY;
  private maxMs = 0;

  /** Records one value, in milliseconds. */
  record(ms: number): void {
    const us = Math.max(ms * 1000, 1);
    const i = Math.min(BUCKETS - 1, Math.ceil(Math.log(us) / GROWTH));
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.count += 1;
    this.sumMs += ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** Adds another histogram's contents (from another process) to this one. */
  merge(data: HistogramData): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] = (this.counts[i] ?? 0) + (data.counts[i] ?? 0);
    this.count += data.count;
    this.sumMs += data.sumMs;
    if (data.count > 0) {
      this.minMs = Math.min(this.minMs, data.minMs);
      this.maxMs = Math.max(this.maxMs, data.maxMs);
    }
  }

  /** The value below which `p` (0–100) percent of the samples lie, in ms (within 1 %); NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    if (p >= 100) return this.maxMs;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.maxMs, Math.max(this.minMs, Math.exp(i * GROWTH) / 1000));
    }
    return this.maxMs;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: this.count === 0 ? Number.NaN : this.maxMs,
      mean: this.count === 0 ? Number.NaN : this.sumMs / this.count,
    };
  }

  toJSON(): HistogramData {
    return {
      counts: Array.from(this.counts),
      count: this.count,
      sumMs: this.sumMs,
      minMs: this.count === 0 ? 0 : this.minMs,
      maxMs: this.maxMs,
    };
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** The `p`-th percentile (0–100) of a small sample, nearest rank; NaN when empty. */
export function percentileOf(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export const median = (values: readonly number[]): number => percentileOf(values, 50);

/** `a ÷ b`, or NaN when either is missing or b is 0. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN;
}

/** Milliseconds, with as many decimals as they deserve. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value < 10) return `${value.toFixed(2)} ms`;
  if (value < 100) return `${value.toFixed(1)} ms`;
  return `${Math.round(value)} ms`;
}

export function mb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : '–';
}

export function kb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KB` : '–';
}

export function times(value: number): string {
  return Number.isFinite(value) ? `×${value.toFixed(2)}` : '–';
}

/** Rows as aligned columns. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
