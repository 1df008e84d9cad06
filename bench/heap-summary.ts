/**
 * Where a heap snapshot's memory is: self sizes summed by what holds them (a constructor's objects,
 * strings, arrays, compiled code…), biggest first. Snapshots come from the bench's servers
 * (ServerProcess.heapSnapshot) or from Node's `--heapsnapshot-signal` / `--heapsnapshot-near-heap-limit`.
 *
 *   node bench/heap-summary.ts <file.heapsnapshot> [top]
 */
import fs from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export function heapSummary(snap: Snapshot): { total: number; rows: Array<[string, number, number]> } {
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const sums = new Map<string, [number, number]>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType] ?? 0] ?? '?';
    const size = snap.nodes[i + iSize] ?? 0;
    total += size;
    // Objects by constructor; strings, code, arrays and the rest by type only.
    const key =
      type === 'object' || type === 'native' ? `${type} ${snap.strings[snap.nodes[i + iName] ?? 0]}` : type;
    const sum = sums.get(key) ?? [0, 0];
    sum[0] += size;
    sum[1] += 1;
    sums.set(key, sum);
  }
  const rows = [...sums].map(([k, [size, count]]) => [k, size, count] as [string, number, number]);
  rows.sort((a, b) => b[1] - a[1]);
  return { total, rows };
}

if (import.meta.main) {
  const [file, top = '30'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/heap-summary.ts <file.heapsnapshot> [top]');
    process.exit(2);
  }
  const { total, rows } = heapSummary(JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot);
  console.log(`heap: ${(total / 1048576).toFixed(1)} MB in the snapshot`);
  for (const [k, size, count] of rows.slice(0, Number(top))) {
    console.log(`  ${(size / 1048576).toFixed(2).padStart(8)} MB  ${String(count).padStart(8)} ×  ${k}`);
  }
}
