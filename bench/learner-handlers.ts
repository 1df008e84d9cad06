/**
 * Scenario 6: what a learner's own handler (`/lab/<session>/mine`, a QuickJS sandbox on a worker
 * thread) costs beside the built-in endpoint doing the same job. Each part runs against a Wire Lab
 * server in its own process (bench/server-entry.ts), which reports its own memory and CPU time.
 *
 * 1. Time to first byte: a handler that answers the time (`res.end(JSON)`) against `GET time`,
 *    and a handler that streams (its first flushed chunk) against `GET stream` (its first
 *    message), in alternation on the same server and connection kind, so both see the same
 *    machine. Measured from the request written to the first body bytes read by the client.
 * 2. Memory per idle sandbox: RSS (and the main thread's heap) after a full GC, before and after
 *    deploying N handlers that each answered one request, divided by N. The sandbox workers are
 *    started (and QuickJS loaded in each) before the first sample, so their fixed cost is apart.
 * 3. A class streaming: N sessions, each with a client reading a stream of one message a second —
 *    from N handlers on one fresh server, then from the built-in `stream?interval=1000` on
 *    another. Server RSS, CPU time a second, and every message counted: lost (never came) or
 *    late (more than 500 ms after the one-second beat it follows).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { type ServerProcess, startServer } from './server-process.ts';
import type { ServerSample } from './server-entry.ts';
import { Histogram, type LatencySummary, median, percentileOf } from './stats.ts';

export interface HandlerSizes {
  /** Samples of each first-byte pair (one-shot and stream each). */
  ttfbSamples: number;
  /** Sandboxes deployed for the memory figure. */
  sandboxes: number;
  /** Sessions (and clients) in the streaming class. */
  sessions: number;
  /** Messages each stream carries, one a second. */
  streamS: number;
}

export const HANDLER_SIZES: Record<'full' | 'quick', HandlerSizes> = {
  full: { ttfbSamples: 500, sandboxes: 300, sessions: 300, streamS: 30 },
  quick: { ttfbSamples: 100, sandboxes: 50, sessions: 50, streamS: 8 },
};

interface FirstByte {
  builtin: { p50: number; p99: number; mean: number };
  handler: { p50: number; p99: number; mean: number };
  /** handler − built-in, at the median and at p99 (each a percentile of its own samples). */
  diffP50: number;
  diffP99: number;
  /** Median of the per-pair differences (each pair taken back to back). */
  pairedDiffP50: number;
}

export interface StreamClassSide {
  sessions: number;
  connected: number;
  /** Messages expected, received, never received. */
  expected: number;
  received: number;
  lost: number;
  /** Messages more than 500 ms after the one-second beat they follow. */
  late: number;
  /** Time between consecutive messages of a stream, ms. */
  gap: LatencySummary;
  /** Server process: RSS after a GC before the class, peak while it streamed. */
  idleRss: number;
  peakRss: number;
  /** Server CPU time (user + system, all threads) per second of streaming, ms. */
  cpuMsPerS: number;
  eldP99: number;
}

export interface HandlersResult {
  sizes: HandlerSizes;
  env: Record<string, string>;
  oneShot: FirstByte;
  stream: FirstByte;
  memory: {
    sandboxes: number;
    /** Before any deploy; after the warm-up deploys (workers and QuickJS loaded); after N more. */
    rssIdle: number;
    rssWarm: number;
    rssAfter: number;
    heapWarm: number;
    heapAfter: number;
    rssPerSandbox: number;
    heapPerSandbox: number;
    live: boolean;
  };
  streamClass: { builtin: StreamClassSide; handler: StreamClassSide };
}

/** The handler every session deploys: `/time` as `GET time` does it, anything else a stream as `GET stream` does. */
export const HANDLER_SOURCE = `let seq = 0;
onRequest((req, res) => {
  if (req.path === '/time') {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify({ time: new Date().toISOString(), seq: ++seq }));
    return;
  }
  res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
  const count = Number(req.query.count) || 9;
  let n = 0;
  const send = () => {
    n += 1;
    res.write(JSON.stringify({ success: 'ok', text: 'message ' + n }) + '\\n');
    if (n >= count) {
      clearInterval(timer);
      res.end();
    } else res.flush();
  };
  const timer = setInterval(send, 1000);
  send();
});
`;

const sessionId = (): string => `bench${randomUUID().replaceAll('-', '')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request with a body; resolves with the status and body text. */
function call(
  base: string,
  method: string,
  path: string,
  body = '',
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function deploy(base: string, session: string): Promise<void> {
  const r = await call(base, 'PUT', `/lab/${session}/mine`, HANDLER_SOURCE);
  if (r.status !== 200) throw new Error(`deploy answered ${r.status}: ${r.text}`);
}

/**
 * Ms from the request written to the first body bytes read. `whole`: read the body to its end
 * on the keep-alive `agent`; otherwise cut the connection after the first bytes (a stream).
 */
function firstByte(url: string, agent: http.Agent | false, whole: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    let t0 = 0;
    const req = http.get(url, { agent }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`${url} answered ${res.statusCode}`));
        return;
      }
      res.once('data', () => {
        const took = performance.now() - t0;
        if (whole) {
          res.resume();
          res.once('end', () => resolve(took));
        } else {
          req.destroy();
          resolve(took);
        }
      });
    });
    req.on('error', (err) => {
      if (!whole && t0 > 0) return; // our own cut
      reject(err);
    });
    // The request is written when the socket is there; time from then.
    req.once('socket', (s) => {
      if (s.connecting) s.once('connect', () => (t0 = performance.now()));
      else t0 = performance.now();
    });
  });
}

const summary = (v: number[]) => ({
  p50: median(v),
  p99: percentileOf(v, 99),
  mean: v.reduce((a, b) => a + b, 0) / v.length,
});

/** `n` pairs, built-in and handler back to back (the order alternating), after a few unmeasured. */
async function pairs(
  n: number,
  builtin: () => Promise<number>,
  handler: () => Promise<number>,
): Promise<FirstByte> {
  for (let i = 0; i < 10; i++) {
    await builtin();
    await handler();
  }
  const b: number[] = [];
  const h: number[] = [];
  const d: number[] = [];
  for (let i = 0; i < n; i++) {
    let tb: number;
    let th: number;
    if (i % 2 === 0) {
      tb = await builtin();
      th = await handler();
    } else {
      th = await handler();
      tb = await builtin();
    }
    b.push(tb);
    h.push(th);
    d.push(th - tb);
    // A cut stream's connection is counted until the server sees it close: give it a moment.
    await sleep(2);
  }
  const sb = summary(b);
  const sh = summary(h);
  return {
    builtin: sb,
    handler: sh,
    diffP50: sh.p50 - sb.p50,
    diffP99: sh.p99 - sb.p99,
    pairedDiffP50: median(d),
  };
}

async function firstBytes(sizes: HandlerSizes, env: Record<string, string>, log: (t: string) => void) {
  const server = await startServer('wirelab', { env });
  try {
    const builtinSession = sessionId();
    const handlerSession = sessionId();
    await deploy(server.base, handlerSession);
    const agentB = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const agentH = new http.Agent({ keepAlive: true, maxSockets: 1 });
    log(`handlers: first byte, ${sizes.ttfbSamples} pairs of one-shot answers (time)`);
    const oneShot = await pairs(
      sizes.ttfbSamples,
      () => firstByte(`${server.base}/lab/${builtinSession}/time`, agentB, true),
      () => firstByte(`${server.base}/lab/${handlerSession}/mine/time`, agentH, true),
    );
    agentB.destroy();
    agentH.destroy();
    log(`handlers: first byte, ${sizes.ttfbSamples} pairs of streams' first chunks (stream)`);
    const stream = await pairs(
      sizes.ttfbSamples,
      () => firstByte(`${server.base}/lab/${builtinSession}/stream?interval=1000`, false, false),
      () => firstByte(`${server.base}/lab/${handlerSession}/mine/stream`, false, false),
    );
    return { oneShot, stream };
  } finally {
    await server.stop();
  }
}

async function memory(sizes: HandlerSizes, env: Record<string, string>, log: (t: string) => void) {
  const server = await startServer('wirelab', { env });
  try {
    await sleep(500);
    const idle = await server.sample(true);
    // Two warm-up sandboxes: the pool places them on its two workers, which start and load QuickJS.
    for (let i = 0; i < 2; i++) {
      const s = sessionId();
      await deploy(server.base, s);
      await call(server.base, 'GET', `/lab/${s}/mine/time`);
    }
    await sleep(1_000);
    const warm = await server.sample(true);
    log(`handlers: memory, deploying ${sizes.sandboxes} sandboxes (each answers one request)`);
    const sessions: string[] = [];
    for (let i = 0; i < sizes.sandboxes; i++) {
      const s = sessionId();
      sessions.push(s);
      await deploy(server.base, s);
      const r = await call(server.base, 'GET', `/lab/${s}/mine/time`);
      if (r.status !== 200) throw new Error(`a sandbox answered ${r.status}: ${r.text}`);
    }
    await sleep(1_000);
    const after = await server.sample(true);
    // Still alive? One more request to the first: the same runtime answers (its seq goes on).
    const again = await call(server.base, 'GET', `/lab/${sessions[0]}/mine/time`);
    const live = (JSON.parse(again.text) as { seq: number }).seq === 2;
    return {
      sandboxes: sizes.sandboxes,
      rssIdle: idle.rss,
      rssWarm: warm.rss,
      rssAfter: after.rss,
      heapWarm: warm.heapUsed,
      heapAfter: after.heapUsed,
      rssPerSandbox: (after.rss - warm.rss) / sizes.sandboxes,
      heapPerSandbox: (after.heapUsed - warm.heapUsed) / sizes.sandboxes,
      live,
    };
  } finally {
    await server.stop();
  }
}

/** One client reading a stream of ndjson lines: when each arrived. */
function reader(url: string): { done: Promise<void>; times: number[]; failed: () => string | null } {
  const times: number[] = [];
  let failure: string | null = null;
  const done = new Promise<void>((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) failure = `status ${res.statusCode}`;
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        const now = performance.now();
        pending += text;
        let at = pending.indexOf('\n');
        while (at >= 0) {
          times.push(now);
          pending = pending.slice(at + 1);
          at = pending.indexOf('\n');
        }
      });
      res.on('end', resolve);
      res.on('close', resolve);
      res.on('error', () => resolve());
    });
    req.on('error', (err) => {
      failure = err.message;
      resolve();
    });
  });
  return { done, times, failed: () => failure };
}

async function streamClass(
  kind: 'builtin' | 'handler',
  sizes: HandlerSizes,
  env: Record<string, string>,
  log: (t: string) => void,
): Promise<StreamClassSide> {
  const server: ServerProcess = await startServer('wirelab', { env });
  try {
    await sleep(500);
    const idle = await server.sample(true);
    const sessions = Array.from({ length: sizes.sessions }, sessionId);
    if (kind === 'handler') {
      log(`handlers: class, deploying ${sizes.sessions} handlers`);
      for (const s of sessions) await deploy(server.base, s);
    }
    const count = sizes.streamS;
    const path = (s: string) =>
      kind === 'handler'
        ? `/lab/${s}/mine/stream?count=${count}`
        : `/lab/${s}/stream?count=${count}&interval=1000`;
    log(
      `handlers: class, ${sizes.sessions} clients reading ${kind === 'handler' ? 'handlers' : 'stream'} for ${count} s`,
    );
    const clients: ReturnType<typeof reader>[] = [];
    for (const s of sessions) {
      clients.push(reader(`${server.base}${path(s)}`));
      if (clients.length % 50 === 0) await sleep(20); // a class arrives over a moment, not one instant
    }
    const deadline = Date.now() + 15_000;
    while (clients.some((c) => c.times.length === 0 && !c.failed()) && Date.now() < deadline) await sleep(50);
    await server.reset();
    const first = await server.sample();
    let peakRss = first.rss;
    let last: ServerSample = first;
    const all = Promise.all(clients.map((c) => c.done));
    let finished = false;
    void all.then(() => {
      finished = true;
    });
    const end = Date.now() + (count + 15) * 1000;
    while (!finished && Date.now() < end) {
      await sleep(1_000);
      last = await server.sample();
      peakRss = Math.max(peakRss, last.rss);
    }
    const gaps = new Histogram();
    let received = 0;
    let late = 0;
    for (const c of clients) {
      received += c.times.length;
      for (let i = 1; i < c.times.length; i++) {
        const gap = (c.times[i] ?? 0) - (c.times[i - 1] ?? 0);
        gaps.record(gap);
        if (gap > 1_500) late += 1;
      }
    }
    const expected = sizes.sessions * count;
    return {
      sessions: sizes.sessions,
      connected: clients.filter((c) => c.times.length > 0).length,
      expected,
      received,
      lost: expected - received,
      late,
      gap: gaps.summary(),
      idleRss: idle.rss,
      peakRss,
      cpuMsPerS: (last.cpuUs - first.cpuUs) / 1000 / ((last.wallUs - first.wallUs) / 1e6),
      eldP99: last.eld.p99,
    };
  } finally {
    await server.stop();
  }
}

export async function runLearnerHandlers(o: {
  sizes: HandlerSizes;
  env: Record<string, string>;
  log: (t: string) => void;
}): Promise<HandlersResult> {
  const { sizes, log } = o;
  // The bench's requests come from one address and a few sessions, far faster than a learner's
  // page: the request rate is raised so admission measures nothing here. Sandboxes must outlive
  // the memory sample, and the class fit under maxSandboxes.
  const env: Record<string, string> = {
    WIRELAB_REQUESTS_PER_SECOND: '10000',
    WIRELAB_SANDBOX_IDLE_MS: '600000',
    WIRELAB_MAX_SANDBOXES: String(Math.max(400, sizes.sandboxes + 10, sizes.sessions + 10)),
    ...o.env,
  };
  const { oneShot, stream } = await firstBytes(sizes, env, log);
  const mem = await memory(sizes, env, log);
  const builtin = await streamClass('builtin', sizes, env, log);
  const handler = await streamClass('handler', sizes, env, log);
  return { sizes, env, oneShot, stream, memory: mem, streamClass: { builtin, handler } };
}
