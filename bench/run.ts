/**
 * `npm run bench`: Wire Lab's benchmarks (docs/performance.md). Measures, never asserts: prints a
 * table with each target beside what was measured, and writes the whole result as JSON under
 * bench/results/ (ignored by git).
 *
 *   npm run bench                        classroom (300 learners, 120 s a server, 3 repeats) + a 10,000-connection
 *                                        burst + Run → first byte + page weight + learners' handlers against the
 *                                        built-in endpoints
 *   npm run bench -- --quick             everything small: the classroom once for 20 s, a 2,000-connection burst…
 *   npm run bench -- --full              the classroom for 300 s a server (each server lives 10 min)
 *   npm run bench -- --learners 3000     a bigger class (bounds raised to fit it)
 *   npm run bench -- --only classroom    one or more of: classroom, burst, browser, weight, handlers, records, scale
 *   npm run bench -- --only scale        the class on 1 process, and on 1 and 2 behind nginx on Redis,
 *                                        at 300, 1,000 and 3,000 learners (not in the default run)
 *   npm run bench -- --soak              only the soak: 100 learners for 10 min
 *   npm run bench -- --profile           the servers write CPU profiles to bench/results/profiles/
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { runBrowserLatency } from './browser-latency.ts';
import { runBurst } from './burst.ts';
import { runClassroom, type ServerSpec } from './classroom.ts';
import { HANDLER_SIZES, runLearnerHandlers } from './learner-handlers.ts';
import { busyLoopShare, machine } from './machine.ts';
import { LAYOUTS, type Layout } from './deployment.ts';
import { runPageWeight } from './page-weight.ts';
import { type BenchResults, formatResults, writeResults } from './report.ts';
import { ratiosOf } from './ratios.ts';
import type { ClassroomRepeat } from './classroom-report.ts';
import { ensureBuild, startSite } from './site-server.ts';
import { runScale } from './scale.ts';
import { runSoak } from './soak.ts';
import { runSseRecords } from './sse-records.ts';

const { values: args } = parseArgs({
  options: {
    learners: { type: 'string' },
    duration: { type: 'string' },
    repeats: { type: 'string' },
    full: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    rate: { type: 'string', default: '10' },
    turn: { type: 'string', default: '5' },
    procs: { type: 'string', default: '2' },
    'load-nice': { type: 'string', default: '19' },
    mode: { type: 'string', default: 'class' },
    runs: { type: 'string', default: '20' },
    loads: { type: 'string', default: '5' },
    only: { type: 'string' },
    soak: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    env: { type: 'string', multiple: true },
    'no-inspector': { type: 'boolean', default: false },
    variant: { type: 'string', multiple: true },
    sizes: { type: 'string' },
    connections: { type: 'string' },
    layouts: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(
    [
      'npm run bench -- [options]',
      '  --learners N   learners in the class (default 300; 100 with --soak; at most 3000)',
      '  --duration S   seconds of pushes per server (default 120; 20 with --quick; 300 with --full;',
      '                 600 with --soak; scale: 10 a case, 5 with --quick)',
      '  --repeats N    classroom runs, each a fresh pair of servers (default 3; 1 with --quick)',
      '  --full         the classroom for 300 s per server',
      '  --quick        everything small: the classroom once for 20 s; a 2,000-connection burst watched',
      '                 for 30 s; handlers: 50 sessions and sandboxes, 8 s streams, 100 pairs;',
      '                 records: 2,000 events; scale: 300 learners only, 5 s a case',
      '  --connections N  the burst: connections at once (default 10000; 2000 with --quick)',
      '  --rate R       teacher messages a second (default 10)',
      '  --turn S       servers take turns of S seconds (default 5; 0: one after the other)',
      '  --procs P      load processes per class (default 2)',
      "  --load-nice N  the classroom: the load processes' niceness (0–19, default 19): they yield a",
      '                 core to the servers, as learners on their own machines do; 0: they compete',
      '  --mode M       class (the classroom API, default) or room (lab rooms: room=<code>)',
      '  --runs N       Runs timed in the browser (default 20)',
      '  --loads N      cold page loads for paint timing (default 5)',
      '  --only LIST    classroom,burst,browser,weight,handlers,records,scale (default: all but scale)',
      '  --sizes LIST   scale: class sizes (default 300,1000,3000; 300 with --quick)',
      '  --layouts LIST scale: single,redis-1,redis-2 (default: all three)',
      '  --soak         only the soak (Wire Lab, memory and handles over time)',
      '  --profile      servers write --cpu-prof profiles to bench/results/profiles/',
      '  --env K=V      a bound for the Wire Lab server (server/config.ts), e.g. --env WIRELAB_CAPTURE_BYTES_TOTAL=33554432',
      '  --no-inspector learners open no inspector channel: what streaming the capture costs',
      '  --variant N:A,B  one more Wire Lab server, named N, taking turns with the others; each A is a',
      '                 Node flag (--max-semi-space-size=64), a bound (WIRELAB_TICK_INTERVAL_MS=60000)',
      '                 no-inspector, or inspector-v2 (its learners read version 2 of the inspector)',
    ].join('\n'),
  );
  process.exit(0);
}

const log = (text: string) => console.log(`· ${text}`);
// Stopped with Ctrl-C or a signal: exit, so the processes a scenario started are stopped by their
// 'exit' hooks (bench/deployment.ts) rather than left on their ports.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const int = (value: string | undefined, fallback: number, min: number, max: number, name: string): number => {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}.`);
    process.exit(2);
  }
  return n;
};

const soak = args.soak;
const learners = int(args.learners, soak ? 100 : 300, 1, 3000, 'learners');
const durationS = int(
  args.duration,
  soak ? 600 : args.full ? 300 : args.quick ? 20 : 120,
  1,
  3600,
  'duration',
);
const repeats = int(args.repeats, args.quick ? 1 : 3, 1, 20, 'repeats');
const rate = int(args.rate, 10, 1, 20, 'rate'); // the class channel takes 20 messages a second
const turnS = int(args.turn, 5, 0, 3600, 'turn');
const procs = int(args.procs, 2, 1, 16, 'procs');
const loadNice = int(args['load-nice'], 19, 0, 19, 'load-nice');
const runs = int(args.runs, 20, 1, 1000, 'runs');
const loads = int(args.loads, 5, 1, 100, 'loads');
const mode = args.mode === 'room' ? 'room' : 'class';
const only = new Set(
  (args.only ?? 'classroom,burst,browser,weight,handlers,records').split(',').map((s) => s.trim()),
);
const execArgv = args.profile
  ? ['--cpu-prof', `--cpu-prof-dir=${new URL('./results/profiles/', import.meta.url).pathname}`]
  : [];

/** `--variant name:--flag,KEY=VALUE,no-inspector,inspector-v2` → one more Wire Lab server to compare. */
function variant(text: string): ServerSpec {
  const [label, list = ''] = text.split(/:(.*)/s);
  const spec: ServerSpec = { kind: 'wirelab', label: label ?? text, env: {}, execArgv: [] };
  for (const arg of list.split(',').filter(Boolean)) {
    if (arg === 'no-inspector') spec.inspector = false;
    else if (arg === 'inspector-v2') spec.inspectorVersion = 2;
    else if (arg.startsWith('--')) spec.execArgv?.push(arg);
    else if (/^[A-Z_]+=/.test(arg)) {
      const [key = '', value = ''] = arg.split(/=(.*)/s);
      if (spec.env) spec.env[key] = value;
    } else {
      console.error(`--variant ${text}: "${arg}" is not a --flag, KEY=VALUE, no-inspector or inspector-v2.`);
      process.exit(2);
    }
  }
  return spec;
}
const variants = (args.variant ?? []).map(variant);

const sizes = (args.sizes ?? (args.quick ? '300' : '300,1000,3000'))
  .split(',')
  .map((n) => int(n.trim(), 300, 1, 3000, 'sizes'));
const layouts = (args.layouts ?? LAYOUTS.join(',')).split(',').map((name) => {
  const layout = name.trim() as Layout;
  if (!LAYOUTS.includes(layout)) {
    console.error(`--layouts: "${name}" is not one of ${LAYOUTS.join(', ')}.`);
    process.exit(2);
  }
  return layout;
});

// The default bounds fit a class of 500 and 2,000 sessions: a bigger class gets room, and says so.
// Every bound changed is printed and kept in the results.
const env: Record<string, string> = {};
if (learners > 500) env.WIRELAB_MAX_LEARNERS_PER_CLASS = String(learners);
if (learners + 50 > 2000) env.WIRELAB_MAX_SESSIONS = String(learners + 50);
for (const pair of args.env ?? []) {
  const [key, value] = pair.split('=');
  if (!key?.startsWith('WIRELAB_') || value === undefined) {
    console.error(`--env ${pair}: expected WIRELAB_<BOUND>=<value> (server/config.ts).`);
    process.exit(2);
  }
  env[key] = value;
}

/** Only the bounds asked for with --env (the scale and burst scenarios size their own). */
const askedEnv = Object.fromEntries((args.env ?? []).map((pair) => pair.split(/=(.*)/s) as [string, string]));

const results: BenchResults = {
  startedAt: new Date().toISOString(),
  finishedAt: '',
  machine: machine(),
  machineAtEnd: { loadAverage: [], busyLoopShare: Number.NaN },
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  failed: {},
};
log(
  `${results.machine.nproc} CPUs, load ${results.machine.loadAverage.join(' / ')}, a busy loop gets ${results.machine.busyLoopShare} of a core` +
    (Object.keys(env).length ? `; bounds raised for the class: ${JSON.stringify(env)}` : ''),
);

/** Runs one scenario; a failure is reported and the others still run. */
async function scenario(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    results.failed[name] = (err as Error).stack ?? String(err);
    console.error(`${name} failed:`, err);
  }
}

if (soak) {
  await scenario('soak', async () => {
    log(`soak: ${learners} learners, ${durationS} s, ${rate} msg/s`);
    results.soak = await runSoak({ learners, durationS, rate, procs, mode, env, execArgv, log });
  });
} else {
  if (only.has('classroom')) {
    await scenario('classroom', async () => {
      log(
        `classroom: ${learners} learners on Wire Lab and on the baseline, ${durationS} s each in turns of ${turnS} s, ${repeats} repeat${repeats > 1 ? 's' : ''}`,
      );
      const done: ClassroomRepeat[] = [];
      results.classroom = { repeats: done, env, loadNice };
      for (let i = 0; i < repeats; i++) {
        const before = {
          loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
          busyLoopShare: busyLoopShare(),
        };
        const [wirelab, baseline, ...others] = await runClassroom({
          servers: [
            { kind: 'wirelab', env, execArgv },
            { kind: 'baseline', execArgv },
            ...variants.map((v) => ({
              ...v,
              env: { ...env, ...v.env },
              execArgv: [...execArgv, ...(v.execArgv ?? [])],
            })),
          ],
          mode,
          learners,
          durationS,
          rate,
          windowS: turnS,
          procs,
          loadNice,
          inspector: !args['no-inspector'],
          log,
        });
        if (!wirelab || !baseline) throw new Error('a server gave no result');
        const after = {
          loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
          busyLoopShare: busyLoopShare(),
        };
        const ratios = ratiosOf(wirelab, baseline);
        done.push({
          wirelab,
          baseline,
          ratios,
          variants: others.map((v) => ({ result: v, ratios: ratiosOf(v, baseline) })),
          before,
          after,
        });
        log(
          `repeat ${i + 1} of ${repeats}: broadcast p99 ${wirelab.broadcast.p99.toFixed(1)} / ${baseline.broadcast.p99.toFixed(1)} ms, ` +
            `CPU per delivery ×${ratios.cpuPerDelivery.toFixed(2)}, RSS at the plateau ${(wirelab.serverProcess.plateauRss / 1048576).toFixed(0)} MB, ` +
            `lost ${wirelab.broadcast.missing} / ${baseline.broadcast.missing}`,
        );
      }
    });
  }
  if (only.has('burst')) {
    await scenario('burst', async () => {
      const connections = int(args.connections, args.quick ? 2_000 : 10_000, 100, 20_000, 'connections');
      const afterS = args.quick ? 30 : 120;
      log(
        `burst: ${connections} connections at once on each server, then ${afterS} s for the memory to come back`,
      );
      results.burst = await runBurst({ connections, afterS, procs, env: askedEnv, execArgv, log });
    });
  }
  if (only.has('scale')) {
    await scenario('scale', async () => {
      const scaleDurationS = int(args.duration, args.quick ? 5 : 10, 1, 3600, 'duration');
      log(
        `scale: ${sizes.join(', ')} learners × ${layouts.join(', ')}, ${scaleDurationS} s of pushes a case`,
      );
      results.scale = await runScale({
        sizes,
        layouts,
        durationS: scaleDurationS,
        rate,
        procs,
        env: askedEnv,
        execArgv,
        log,
      });
      for (const c of results.scale.cases) {
        if (c.error) results.failed[`scale ${c.learners} ${c.layout}`] = c.error;
      }
    });
  }
  if (only.has('handlers')) {
    await scenario('handlers', async () => {
      const sizes = HANDLER_SIZES[args.quick ? 'quick' : 'full'];
      log(
        `handlers: learners' handlers against the built-in endpoints (${sizes.sessions} sessions, ${sizes.sandboxes} sandboxes, ${sizes.streamS} s streams)`,
      );
      results.handlers = await runLearnerHandlers({ sizes, env, log });
    });
  }
  if (only.has('records')) {
    await scenario('records', async () => {
      const events = args.quick ? 2_000 : 10_000;
      log(`records: ${events} SSE events through the tap, the inspector's encoding and the browser's model`);
      results.records = runSseRecords(events);
    });
  }
  if (only.has('browser') || only.has('weight')) {
    await scenario('site', async () => {
      await ensureBuild(log);
      const site = await startSite();
      try {
        if (only.has('browser')) {
          await scenario('browser', async () => {
            results.browser = await runBrowserLatency(site.base, runs, log);
          });
        }
        if (only.has('weight')) {
          await scenario('weight', async () => {
            results.pageWeight = await runPageWeight(site.base, loads, log);
          });
        }
      } finally {
        await site.stop();
      }
    });
  }
}

results.finishedAt = new Date().toISOString();
const atEnd = machine();
results.machineAtEnd = { loadAverage: atEnd.loadAverage, busyLoopShare: atEnd.busyLoopShare };
const file = writeResults(results);
console.log(`\n${formatResults(results)}\n\nResults: ${file}`);
process.exit(Object.keys(results.failed).length > 0 ? 1 : 0);
