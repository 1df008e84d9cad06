/**
 * A class on one machine: N simulated learners (default 300) in one class, each holding what a
 * learner's page holds while the teacher pushes — an SSE stream, a lab WebSocket and a long-poll
 * loop, all on their own lab session bound to the class room (joined through the class API, so
 * their snippets name no room). The teacher pushes `--rate` messages a second for `--seconds`
 * through the class channel; the script prints the delivery latency p50/p95/p99 per technique
 * and how many messages never arrived.
 *
 *   npm exec -- node bench/classroom-load.ts [--learners 300] [--seconds 20] [--rate 10]
 *
 * The server runs in a child process (this script's clients do not share its event loop); the
 * teacher and learners run here, so send and receive times come from one clock. Each learner
 * connects from its own loopback address (127.0.x.y), as each laptop in a classroom has its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values: args } = parseArgs({
  options: {
    learners: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '10' },
    /** Learners joining at once while the class fills. */
    batch: { type: 'string', default: '25' },
  },
});
const LEARNERS = Number(args.learners);
const SECONDS = Number(args.seconds);
const RATE = Number(args.rate);
const BATCH = Number(args.batch);
/** After the last push, how long stragglers have to arrive before they count as lost. */
const GRACE_MS = 3_000;
const TECHNIQUES = ['sse', 'ws', 'poll'] as const;
type Technique = (typeof TECHNIQUES)[number];

// ---- the server, in its own process

const root = fileURLToPath(new URL('..', import.meta.url));
const SERVER = `
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createWireLabServer } from './server/app.ts';
const s = await createWireLabServer({ host: '0.0.0.0', port: 0 });
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
console.log(JSON.stringify({ port: s.port }));
let peak = 0;
setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 250).unref();
process.on('message', () => process.send?.({ rss: process.memoryUsage().rss, peak, loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6 }));
process.on('SIGTERM', () => s.close().then(() => process.exit(0)));
`;

function startServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: {
      ...process.env,
      // No class rate is raised: joins take from the class's own bucket, sized for 500 in 10 s.
      WIRELAB_MAX_LEARNERS_PER_CLASS: String(Math.max(500, LEARNERS)),
      WIRELAB_MAX_SESSIONS: String(Math.max(2_000, LEARNERS * 2)),
      // One class message a second ticks too: keep the room feed to the teacher's pushes.
      WIRELAB_TICK_INTERVAL_MS: '60000',
      // The class store on disk, as `npm start` has it, in a directory of this run's own
      // (WIRELAB_DATA_DIR=:memory: to compare without it).
      WIRELAB_DATA_DIR:
        process.env.WIRELAB_DATA_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'wirelab-bench-')),
    },
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
    child.stdout?.setEncoding('utf8');
    child.stdout?.once('data', (line: string) =>
      resolve({ child, port: (JSON.parse(line) as { port: number }).port }),
    );
  });
}

// ---- bookkeeping

const sentAt = new Map<number, number>();
/** Per technique: latency (ms) of each first arrival; and which (learner, seq) pairs arrived. */
const latencies: Record<Technique, number[]> = { sse: [], ws: [], poll: [] };
const seen: Record<Technique, Set<string>> = { sse: new Set(), ws: new Set(), poll: new Set() };
const trouble: Record<Technique, { errors: number; reconnects: number }> = {
  sse: { errors: 0, reconnects: 0 },
  ws: { errors: 0, reconnects: 0 },
  poll: { errors: 0, reconnects: 0 },
};
let stopping = false;

/** Finds the teacher's `bench <seq>` marks in any text and records their arrival. */
function arrived(technique: Technique, learner: number, text: string): void {
  const t = performance.now();
  for (const m of text.matchAll(/bench (\d+)/g)) {
    const seq = Number(m[1]);
    const key = `${learner}:${seq}`;
    if (seen[technique].has(key)) continue;
    seen[technique].add(key);
    const sent = sentAt.get(seq);
    if (sent !== undefined) latencies[technique].push(t - sent);
  }
}

// ---- one learner

const address = (i: number) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;

function request(
  url: string,
  options: http.RequestOptions,
  body?: string,
): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function learner(i: number, base: string, code: string): Promise<void> {
  const session = `load${randomBytes(12).toString('base64url')}`;
  const localAddress = address(i);
  const body = JSON.stringify({ name: `Learner ${i + 1}`, session });
  const joined = await request(
    `${base}/class/${code}/join`,
    { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } },
    body,
  );
  if (joined.status !== 201) throw new Error(`join ${i}: ${joined.status} ${joined.text.trim()}`);
  const lab = `${base}/lab/${session}`;
  await Promise.all([
    sse(i, lab, localAddress, 0),
    ws(i, lab, localAddress, undefined),
    poll(i, lab, localAddress),
  ]);
}

/** EventSource: one long response; on its end, again with Last-Event-ID after 1 s. */
function sse(i: number, lab: string, localAddress: string, lastId: number): Promise<void> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastId) headers['last-event-id'] = String(lastId);
    let last = lastId;
    const again = () => {
      resolve();
      if (stopping) return;
      trouble.sse.reconnects += 1;
      setTimeout(() => void sse(i, lab, localAddress, last), 1_000);
    };
    const req = http.get(`${lab}/sse`, { headers, localAddress, agent: false }, (res) => {
      if (res.statusCode !== 200) trouble.sse.errors += 1;
      resolve();
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        const end = buffer.lastIndexOf('\n\n');
        if (end === -1) return;
        const events = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const m of events.matchAll(/^id: (\d+)$/gm)) last = Number(m[1]);
        arrived('sse', i, events);
      });
      res.on('end', again);
      res.on('error', () => {});
    });
    req.on('error', () => {
      if (!stopping) trouble.sse.errors += 1;
      again();
    });
  });
}

/** The lab's `ws`: JSON frames; on a close, again with `since=` after 1 s. */
function ws(i: number, lab: string, localAddress: string, since: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    let last = since;
    const socket = new WebSocket(`${lab.replace('http', 'ws')}/ws${since ? `?since=${since}` : ''}`, {
      localAddress,
      perMessageDeflate: false,
    });
    socket.on('open', resolve);
    socket.on('message', (data) => {
      const text = String(data);
      const id = /^\{"id":(\d+)/.exec(text);
      if (id) last = Number(id[1]);
      arrived('ws', i, text);
    });
    socket.on('error', () => {
      if (!stopping) trouble.ws.errors += 1;
    });
    socket.on('close', () => {
      resolve();
      if (stopping) return;
      trouble.ws.reconnects += 1;
      setTimeout(() => void ws(i, lab, localAddress, last), 1_000);
    });
    sockets.add(socket);
  });
}
const sockets = new Set<WebSocket>();

/** Long polling: ask, get the messages after `since` (or a 204), ask again at once. Resolves once polling. */
async function poll(i: number, lab: string, localAddress: string): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const news = await request(`${lab}/news`, { agent, localAddress });
  const since = (JSON.parse(news.text) as { last: number }).last;
  void pollLoop(i, lab, localAddress, agent, since);
}

async function pollLoop(
  i: number,
  lab: string,
  localAddress: string,
  agent: http.Agent,
  from: number,
): Promise<void> {
  let since = from;
  while (!stopping) {
    try {
      const res = await request(`${lab}/poll?since=${since}`, { agent, localAddress });
      if (res.status === 200) {
        since = (JSON.parse(res.text) as { last: number }).last;
        arrived('poll', i, res.text);
      } else if (res.status !== 204) {
        trouble.poll.errors += 1;
        await new Promise((r) => setTimeout(r, 1_000 * Number(res.headers['retry-after'] ?? 1)));
      }
    } catch {
      if (stopping) break;
      trouble.poll.errors += 1;
      trouble.poll.reconnects += 1;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  agent.destroy();
}

// ---- the teacher

async function teacher(
  base: string,
): Promise<{ code: string; push: (seq: number) => void; close: () => void }> {
  const created = await request(
    `${base}/class`,
    { method: 'POST', headers: { 'content-type': 'application/json' } },
    '{}',
  );
  const { code, key } = JSON.parse(created.text) as { code: string; key: string };
  const socket = new WebSocket(`${base.replace('http', 'ws')}/class/${code}/ws`, {
    perMessageDeflate: false,
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const welcome = new Promise((resolve) =>
    socket.on('message', (d) => String(d).startsWith('{"type":"welcome"') && resolve(null)),
  );
  socket.send(JSON.stringify({ type: 'hello', role: 'teacher', key }));
  await welcome;
  return {
    code,
    push(seq) {
      sentAt.set(seq, performance.now());
      socket.send(JSON.stringify({ type: 'push', text: `bench ${seq}` }));
    },
    close: () => socket.close(),
  };
}

// ---- the run

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

// How late this process's own timers ran: a late client inflates the latencies it measures.
const clientLoop = monitorEventLoopDelay({ resolution: 10 });
clientLoop.enable();
const started = performance.now();
const { child, port } = await startServer();
const base = `http://127.0.0.1:${port}`;
const t = await teacher(base);
console.log(`server pid ${child.pid} on port ${port}; class ${t.code}; ${LEARNERS} learners joining…`);
for (let i = 0; i < LEARNERS; i += BATCH) {
  await Promise.all(
    Array.from({ length: Math.min(BATCH, LEARNERS - i) }, (_, k) => learner(i + k, base, t.code)),
  );
}
const joinedS = ((performance.now() - started) / 1000).toFixed(1);
console.log(`${LEARNERS} learners in after ${joinedS} s; pushing ${RATE}/s for ${SECONDS} s…`);

const total = Math.round(SECONDS * RATE);
const begin = performance.now();
for (let seq = 1; seq <= total; seq++) {
  const wait = begin + ((seq - 1) * 1000) / RATE - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  t.push(seq);
}
await new Promise((r) => setTimeout(r, GRACE_MS));
const memory = await new Promise<{ rss: number; peak: number; loopP99: number; loopMax: number }>(
  (resolve) => {
    child.once('message', (m) =>
      resolve(m as { rss: number; peak: number; loopP99: number; loopMax: number }),
    );
    child.send('memory');
  },
);
stopping = true;

console.log(
  `\n${total} pushes × ${LEARNERS} learners = ${total * LEARNERS} deliveries expected per technique`,
);
console.log('technique   received   lost      p50 ms   p95 ms   p99 ms   max ms   errors  reconnects');
for (const technique of TECHNIQUES) {
  const sorted = latencies[technique].sort((a, b) => a - b);
  const lost = total * LEARNERS - seen[technique].size;
  const row = [
    technique.padEnd(10),
    String(seen[technique].size).padStart(9),
    String(lost).padStart(6),
    ...[50, 95, 99].map((p) => percentile(sorted, p).toFixed(1).padStart(8)),
    (sorted.at(-1) ?? Number.NaN).toFixed(1).padStart(8),
    String(trouble[technique].errors).padStart(8),
    String(trouble[technique].reconnects).padStart(11),
  ];
  console.log(row.join(' '));
}
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
console.log(`server RSS: ${mb(memory.rss)} at the end, ${mb(memory.peak)} at most`);
console.log(
  `event loop delay p99 / max: server ${memory.loopP99.toFixed(0)} / ${memory.loopMax.toFixed(0)} ms, load clients ${(clientLoop.percentile(99) / 1e6).toFixed(0)} / ${(clientLoop.max / 1e6).toFixed(0)} ms`,
);

t.close();
for (const s of sockets) s.terminate();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
process.exit(0);
