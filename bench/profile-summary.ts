/**
 * Where a server's CPU went: the self time of a `--cpu-prof` profile (npm run bench -- --profile)
 * summed by function and by part of the code (the capture, the inspector, the lab, ws, Node's
 * own, the garbage collector…).
 *
 *   node bench/profile-summary.ts bench/results/profiles/CPU.….cpuprofile [top]
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  byPart: Array<[string, number]>;
  byFunction: Array<[string, number]>;
}

/** The part of the code a frame belongs to, from its URL. */
function partOf(url: string, name: string): string {
  if (name === '(garbage collector)') return 'garbage collector';
  if (name === '(idle)' || name === '(program)') return name;
  const m = /\/(server|bench)\/([^/]+)(?:\/([^/]+))?/.exec(url);
  if (m && !url.includes('node_modules'))
    return m[3] && !m[3].includes('.') ? `${m[1]}/${m[2]}` : `${m[1]}/${m[2]}`.replace(/\.ts$/, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] ?? 'node_modules';
  if (url.startsWith('node:') || url === '') return 'node';
  return 'other';
}

export function summarize(profile: Profile): ProfileSummary {
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries())
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const byPart = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const part = partOf(url, functionName);
    byPart.set(part, (byPart.get(part) ?? 0) + us);
    const file = url.replace(/^.*\/(server|bench|node_modules)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([k, us]) => [k, us / 1000] as [string, number]);
  return { totalMs: total / 1000, byPart: sorted(byPart), byFunction: sorted(byFunction) };
}

if (import.meta.main) {
  const [file, top = '25'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  const s = summarize(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile);
  const pct = (ms: number) => `${((ms / s.totalMs) * 100).toFixed(1).padStart(5)} %`;
  console.log(`CPU (not idle): ${(s.totalMs / 1000).toFixed(1)} s\n\nby part:`);
  for (const [k, ms] of s.byPart.slice(0, 20)) console.log(`  ${pct(ms)}  ${k}`);
  console.log('\nby function (self time):');
  for (const [k, ms] of s.byFunction.slice(0, Number(top))) console.log(`  ${pct(ms)}  ${k}`);
}
