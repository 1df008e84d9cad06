/**
 * Lesson 17's exercise check, on real runs: a client that survives `ws?plan=drop2,down,down,
 * mute2,drop2` (real sockets against the real server, read back from the capture) passes only when
 * it waits with a growing, jittered backoff, notices the muted connection with its own heartbeat,
 * and resumes with since=; the starter's reconnect-at-once client fails, and so do clients that
 * miss one of those.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import lesson17 from '../../content/17-connections-that-come-back/checks.ts';
import { factsFromRecords } from '../../src/checks/facts.ts';
import { captureSnapshot } from '../../src/checks/snapshot.ts';
import type { ConsoleEntry, Verdict } from '../../src/checks/types.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { sleep } from './lab-wire.ts';
import { assertFails } from '../helpers/verdicts.ts';

const server = await startTestServer({ tickIntervalMs: 50, requestsPerSecond: 1_000 });
const PLAN = 'plan=drop2,down3,mute2,drop2';

interface ClientWays {
  /** How long to wait before attempt `attempt` (0 first). */
  wait: (attempt: number) => number;
  /** Beat (ms) of a ping heartbeat that closes a connection silent for 2.5 beats; none without. */
  beatMs?: number;
}

/**
 * Runs a lesson-17 client in `session` the way the lesson's page does, until it printed 9 ticks or
 * `enough(printed)` says the run has shown what it must (or 30 s went by: the verdict then says
 * what the run lacked); returns its console.
 */
async function runClient(
  session: string,
  ways: ClientWays,
  enough?: (printed: number) => boolean,
): Promise<ConsoleEntry[]> {
  const lines: ConsoleEntry[] = [];
  let last: number | null = null;
  let ticks = 0;
  let attempt = 0;
  const open: WebSocket[] = [];
  const connect = (): void => {
    const ws = new WebSocket(
      `${server.url.replace('http', 'ws')}/lab/${session}/ws?${PLAN}${last === null ? '' : `&since=${last}`}`,
    );
    open.push(ws);
    ws.on('error', () => {});
    let heard = Date.now();
    const comeBack = (): void => {
      const ms = ways.wait(attempt);
      attempt += 1;
      setTimeout(connect, ms);
    };
    const beat =
      ways.beatMs === undefined
        ? undefined
        : setInterval(() => {
            if (Date.now() - heard > 2.5 * (ways.beatMs ?? 0)) {
              clearInterval(beat);
              ws.removeAllListeners('close');
              ws.close(4000, 'no answer to ping');
              comeBack();
            } else if (ws.readyState === WebSocket.OPEN) ws.send('ping');
          }, ways.beatMs);
    ws.on('message', (data) => {
      heard = Date.now();
      attempt = 0;
      const text = (data as Buffer).toString();
      if (text === 'pong') return;
      const m = JSON.parse(text);
      last = m.id;
      if (m.type !== 'tick' || ticks >= 9) return;
      lines.push({ level: 'log', text: `tick #${m.id}: ${m.data.price}` });
      ticks += 1;
      if (ticks === 9) ws.close(1000);
    });
    ws.on('close', () => {
      clearInterval(beat);
      if (ticks < 9) comeBack();
    });
  };
  connect();
  const giveUp = Date.now() + 30_000;
  while (ticks < 9 && !enough?.(ticks) && Date.now() < giveUp) await sleep(50);
  ticks = 9; // stops every client loop
  for (const ws of open) ws.terminate();
  return lines;
}

async function verdict(session: string, console: ConsoleEntry[]): Promise<Verdict> {
  const facts = factsFromRecords(await captureSnapshot(session, { origin: server.url }), console);
  return lesson17.exercise!.check(facts);
}

/** An `enough` for runClient: true from its `n + 1`th call on (runClient asks every 50 ms). */
function calls(n: number): () => boolean {
  let count = 0;
  return () => {
    count += 1;
    return count > n;
  };
}

/** The lesson's backoff: a ceiling of 300 ms doubling per failed attempt, half of it random. */
const equalJitter = (attempt: number) => {
  const ceiling = 300 * 2 ** attempt;
  return ceiling / 2 + (Math.random() * ceiling) / 2;
};

describe('lesson 17: come back from everything', () => {
  it('passes for backoff with jitter, a heartbeat and since=', async () => {
    const session = newSessionId();
    const console = await runClient(session, { wait: equalJitter, beatMs: 200 });
    assert.equal(console.length, 9);
    assert.equal(await verdict(session, console), true);
  });

  it('fails for the starter, which comes back at once', async () => {
    const session = newSessionId();
    // It comes back at once, then waits on the muted connection: the run has shown it all by then.
    const console = await runClient(session, { wait: () => 0 }, calls(40));
    assertFails(await verdict(session, console), /at once/, /马上重连/);
  });

  it('fails for a backoff without jitter', async () => {
    const session = newSessionId();
    // 800 ms, not the lesson's 300: a loaded machine's timer and socket delays stay small beside it.
    const console = await runClient(session, { wait: (a) => 800 * 2 ** a, beatMs: 200 });
    assertFails(await verdict(session, console), /no jitter/, /没有抖动/);
  });

  it('fails for a backoff that starts over on open, when a restarting server opens and closes', async () => {
    const session = newSessionId();
    // Reset on open: every attempt is the first one.
    const console = await runClient(session, { wait: () => equalJitter(0), beatMs: 200 });
    assertFails(await verdict(session, console), /did not grow/, /没有变长/);
  });

  it('fails for a client with backoff but no heartbeat, which never notices the silence', async () => {
    const session = newSessionId();
    // Its waits through drop2 and down3 add up to 2.25–4.5 s (jitter): run until the muted
    // connection has brought its two ticks (two before the drop, two on it), then a second more.
    // (A fixed 4 s ended some runs before the muted connection had even opened.)
    let mutedAt = 0;
    const console = await runClient(session, { wait: equalJitter }, (printed) => {
      if (printed >= 4 && mutedAt === 0) mutedAt = Date.now();
      return mutedAt > 0 && Date.now() - mutedAt > 1_000;
    });
    assertFails(await verdict(session, console), /never noticed/, /一直没有察觉/);
  });
});
