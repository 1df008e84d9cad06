/**
 * A load process: holds a share of the class's simulated learners (bench/learner.ts) and tells the
 * bench, over IPC, when they are all connected and what they received.
 *
 *   parent → child  {cmd: 'start', target, first, count, expected}
 *   child → parent  {type: 'ready', ready, failed, ms}
 *   parent → child  {cmd: 'report', sent}  child → parent  {type: 'report', …LearnersReport}
 *   parent → child  {cmd: 'stop'}          (closes every connection, exits)
 */
import { randomBytes } from 'node:crypto';
import { Delivery, type DeliveryReport, TECHNIQUES, type Technique } from './delivery.ts';
import { Learner, type Target } from './learner.ts';

export type ToLearners =
  | { cmd: 'start'; target: Target; first: number; count: number; expected: number }
  | { cmd: 'report'; sent: number }
  | { cmd: 'stop' };

export interface LearnersReport {
  techniques: Partial<Record<Technique, DeliveryReport>>;
  /** This process's CPU time (µs) and RSS: is the load generator itself the bottleneck? */
  cpuUs: number;
  rss: number;
  /** A few distinct problems, with how often each happened. */
  problems: Record<string, number>;
}

export type FromLearners =
  | { type: 'ready'; ready: number; failed: number; ms: number; firstError?: string }
  | ({ type: 'report' } & LearnersReport);

/** Learners opened at once while connecting (each opens 4–5 connections). */
const CONNECT_CONCURRENCY = 16;
/** A learner whose connections are not all up after this long counts as failed to connect. */
const START_TIMEOUT_MS = 60_000;

const learners: Learner[] = [];
const problems = new Map<string, number>();
let deliveries: Record<Technique, Delivery> | undefined;
let target: Target | undefined;
const send = (m: FromLearners) => process.send?.(m);

function problem(text: string): void {
  // Group by kind: numbers (ports, ids) out.
  const key = text.replace(/\d{3,}/g, 'N').slice(0, 120);
  if (problems.size < 50 || problems.has(key)) problems.set(key, (problems.get(key) ?? 0) + 1);
}

async function start(m: Extract<ToLearners, { cmd: 'start' }>): Promise<void> {
  const t0 = performance.now();
  target = m.target;
  const tallies = Object.fromEntries(
    TECHNIQUES.map((t) => [t, new Delivery(m.expected, t === 'inspector')]),
  ) as Record<Technique, Delivery>;
  deliveries = tallies;
  let ready = 0;
  let failed = 0;
  let firstError: string | undefined;
  let next = m.first;
  const end = m.first + m.count;
  const worker = async () => {
    while (next < end) {
      const index = next++;
      const session = `bench${index}x${randomBytes(9).toString('base64url')}`;
      const learner = new Learner(index, session, m.target, { deliveries: tallies, problem });
      learners.push(learner);
      let late: NodeJS.Timeout | undefined;
      try {
        // A connection that never comes up (refused without an answer, a class another process
        // does not know) fails this learner rather than holding the whole class.
        await Promise.race([
          learner.start(),
          new Promise<never>((_, reject) => {
            late = setTimeout(
              () =>
                reject(new Error(`not up after ${START_TIMEOUT_MS / 1000} s: ${learner.pending.join(', ')}`)),
              START_TIMEOUT_MS,
            );
          }),
        ]);
        ready += 1;
      } catch (err) {
        failed += 1;
        firstError ??= (err as Error).message;
        learner.stop();
      } finally {
        clearTimeout(late);
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  send({ type: 'ready', ready, failed, ms: performance.now() - t0, ...(firstError ? { firstError } : {}) });
}

function report(sent: number): LearnersReport {
  const ids = learners.map((l) => l.index);
  const techniques: Partial<Record<Technique, DeliveryReport>> = {};
  for (const t of TECHNIQUES) {
    if (t === 'class' && target?.mode === 'room') continue; // no class channel with bare rooms
    if (t === 'inspector' && (target?.mode === 'baseline' || !target?.inspector)) continue; // no capture shown
    const d = deliveries?.[t];
    if (d) techniques[t] = d.report(ids, sent);
  }
  const cpu = process.cpuUsage();
  return {
    techniques,
    cpuUs: cpu.user + cpu.system,
    rss: process.memoryUsage().rss,
    problems: Object.fromEntries(problems),
  };
}

process.on('message', (m: ToLearners) => {
  if (m.cmd === 'start') void start(m);
  else if (m.cmd === 'report') send({ type: 'report', ...report(m.sent) });
  else if (m.cmd === 'stop') {
    for (const l of learners) l.stop();
    setImmediate(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
