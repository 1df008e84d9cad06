/**
 * Lesson 14 below the UI: each step's handler, deployed to the real server, driven by the step's
 * own client file (run here with a fetch that resolves `mine/…` against the session, as the
 * runner's `<base href>` does), then the lesson's checks on the facts read back from the capture:
 * the starters pass their steps' traffic checks, the exercise fails for the starter and for
 * handlers that forget the cursor, and passes for the solution.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import lesson14 from '../../content/14-write-a-long-poll/checks.ts';
import { factsFromRecords } from '../../src/checks/facts.ts';
import { captureSnapshot } from '../../src/checks/snapshot.ts';
import type { ConsoleEntry, WireFacts } from '../../src/checks/types.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { deploy, deployOk } from './mine-harness.ts';
import { assertFails } from '../helpers/verdicts.ts';

// Ticks every 50 ms: the handlers must skip many of them while they hold a poll for chat.
const server = await startTestServer({ tickIntervalMs: 50 });

const folder = new URL('../../content/14-write-a-long-poll/', import.meta.url);
const file = (name: string): string => fs.readFileSync(new URL(name, folder), 'utf8');

/** The handlers' TIMEOUT_MS, read from the exercise's solution (what the lesson ships). */
const TIMEOUT_MS = Number(/const TIMEOUT_MS = (\d+);/.exec(file('timeout.server.solution.js'))?.[1]);

type Client = (
  fetch: (url: string, init?: RequestInit) => Promise<Response>,
  console: { log: (...args: unknown[]) => void },
  setTimeout: (fn: () => void, ms: number) => void,
) => Promise<void>;
const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => Client;

interface ClientRun {
  /** Settles when the client's code has run to its end (or failed). */
  readonly done: Promise<void>;
  readonly console: ConsoleEntry[];
  /** As the playground's Stop: every request the client has open is aborted, its timers cleared. */
  stop(): void;
}

/** Runs a lesson client file against `session`, its relative URLs resolved as in the runner. */
function runClient(name: string, session: string): ClientRun {
  const base = `${server.url}/lab/${session}/`;
  const abort = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const lines: ConsoleEntry[] = [];
  const client = new AsyncFunction('fetch', 'console', 'setTimeout', file(name));
  const done = client(
    (url, init = {}) => {
      const answer = fetch(new URL(url, base), { ...init, signal: abort.signal });
      answer.catch(() => {}); // a send cut by stop() is not this test's failure
      return answer;
    },
    { log: (...args) => lines.push({ level: 'log', text: args.map(String).join(' ') }) },
    (fn, ms) => {
      timers.add(setTimeout(fn, ms));
    },
  );
  done.catch(() => {});
  return {
    done,
    console: lines,
    stop() {
      for (const t of timers) clearTimeout(t);
      abort.abort();
    },
  };
}

async function factsOf(session: string, run: ClientRun): Promise<WireFacts> {
  return factsFromRecords(await captureSnapshot(session, { origin: server.url }), run.console);
}

/** Waits until the session's capture shows `count` requests to mine/poll (answered or not). */
async function pollsOnWire(session: string, run: ClientRun, count: number): Promise<WireFacts> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const facts = await factsOf(session, run);
    if (facts.exchanges.filter((x) => x.endpoint === 'mine/poll').length >= count) return facts;
    assert.ok(Date.now() < deadline, `${count} polls of mine/poll did not reach the server within 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Deploys `source`, runs client `client` to its end, and returns the facts of that run. */
async function runToEnd(source: string, client: string): Promise<{ facts: WireFacts; run: ClientRun }> {
  const session = newSessionId();
  await deployOk(server.port, session, source);
  const run = runClient(client, session);
  try {
    await run.done;
  } finally {
    run.stop();
  }
  return { facts: await factsOf(session, run), run };
}

const traffic = (step: string) => {
  const check = lesson14.traffic?.[step];
  assert.ok(check, `lesson 14 has a traffic check for step ${step}`);
  return check;
};
const exercise = lesson14.exercise!.check;

/** The exercise's solution with `from` replaced by `to` (which must be there). */
function solutionWith(...edits: [string, string][]): string {
  let source = file('timeout.server.solution.js');
  for (const [from, to] of edits) {
    assert.ok(source.includes(from), `the solution still contains ${JSON.stringify(from)}`);
    source = source.replace(from, to);
  }
  return source;
}

describe('lesson 14: the learner writes a long-poll endpoint', () => {
  it('deploys every server file, in English and in Chinese', async () => {
    const names = fs.readdirSync(folder).filter((n) => /\.server(\.solution)?(\.zh)?\.js$/.test(n));
    assert.equal(names.length, 8, `four server files, each with its Chinese copy: ${names.join(', ')}`);
    for (const name of names) {
      const d = await deploy(server.port, newSessionId(), file(name));
      assert.equal(d.status, 200, `${name}: ${JSON.stringify(d.body)}`);
    }
  });

  for (const lang of ['', '.zh']) {
    it(`step hold${lang}: each poll is held until a message is sent, then answered with it`, async () => {
      const { facts, run } = await runToEnd(file(`hold.server${lang}.js`), `hold${lang}.js`);
      assert.equal(traffic('hold')(facts), true);
      assert.equal(run.console.length, 3, run.console.map((l) => l.text).join('\n'));
    });

    it(`step cursor${lang}: a message sent while no poll waits comes with the next poll, at once`, async () => {
      const { facts } = await runToEnd(file(`cursor.server${lang}.js`), `cursor${lang}.js`);
      assert.equal(traffic('cursor')(facts), true);
    });

    it(`exercise${lang}: the solution answers the quiet poll empty after its timeout, and every message comes once, in order`, async () => {
      const { facts, run } = await runToEnd(file(`timeout.server.solution${lang}.js`), `timeout${lang}.js`);
      assert.equal(traffic('timeout')(facts), true);
      assert.equal(exercise(facts), true);
      const polls = facts.exchanges.filter((x) => x.endpoint === 'mine/poll');
      const empty = polls.filter((x) => x.responseBody.startsWith('{"messages":[]'));
      assert.equal(empty.length, 1, 'exactly the quiet poll came back empty');
      assert.equal(run.console.length, 5, run.console.map((l) => l.text).join('\n'));
    });
  }

  it('step cursor fails for step 1’s handler, which only listens: the message sent before the poll never comes', async () => {
    const session = newSessionId();
    await deployOk(server.port, session, file('hold.server.js'));
    const run = runClient('cursor.js', session);
    try {
      await pollsOnWire(session, run, 1);
      // The sent message is in the feed; a handler reading after since would have answered by now.
      await new Promise((r) => setTimeout(r, 1_000));
      const facts = await factsOf(session, run);
      assertFails(traffic('cursor')(facts), /sent before a poll went out/, /没有轮询等着的时候/);
    } finally {
      run.stop();
    }
  });

  it('the exercise fails for its starter, which holds the quiet poll for ever, though the starter passes the step’s traffic', async () => {
    const session = newSessionId();
    await deployOk(server.port, session, file('timeout.server.js'));
    const run = runClient('timeout.js', session);
    try {
      let facts = await pollsOnWire(session, run, 3);
      assert.equal(traffic('timeout')(facts), true);
      // Longer than the solution takes to answer the quiet poll: the starter still has not.
      await new Promise((r) => setTimeout(r, TIMEOUT_MS + 1_000));
      facts = await factsOf(session, run);
      assertFails(
        exercise(facts),
        /No poll came back empty \(the poll since=\d+ is still waiting\)/,
        /没有一次轮询以空列表返回/,
      );
    } finally {
      run.stop();
    }
  });

  it('the exercise fails for a handler that answers with the doorbell’s message and forgets the cursor', async () => {
    const forgetful = solutionWith(
      [
        "if (message.type === 'chat') answerIfNew();",
        "if (message.type === 'chat') answer([message], message.id);",
      ],
      ['  answerIfNew(); // something may have come', '  // answerIfNew(); // something may have come'],
    );
    const { facts } = await runToEnd(forgetful, 'timeout.js');
    assertFails(
      exercise(facts),
      /“one” was sent \(POST mine\/send\) but no poll brought it/,
      /“one”已经发出/,
    );
  });

  it('the exercise fails for a handler whose empty answer gives no cursor', async () => {
    const { facts } = await runToEnd(solutionWith(['answer([], since)', 'answer([])']), 'timeout.js');
    assertFails(
      exercise(facts),
      /The answer to since=\d+ gave last: nothing\. Every answer, the empty one too/,
      /每个应答（空的也一样）都要给出下次该发的游标/,
    );
  });

  it('the exercise fails for a handler that never holds: the quiet polls come back empty at once', async () => {
    // Short polling: read after since, answer whatever is there, empty or not.
    const shortPoll = solutionWith(
      ['if (chat.length > 0) answer(', 'answer('],
      [
        'answer(chat, chat[chat.length - 1].id)',
        'answer(chat, chat.length > 0 ? chat[chat.length - 1].id : since)',
      ],
    );
    const { facts } = await runToEnd(shortPoll, 'timeout.js');
    assertFails(exercise(facts), /No poll waited for a message/, /没有一次轮询是等到消息才应答的/);
  });
});
