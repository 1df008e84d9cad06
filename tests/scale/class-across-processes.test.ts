/**
 * A class on Wire Lab scaled out: Redis, two real processes and nginx with the shipped
 * deploy/nginx.conf in front (tests/helpers/scale-stack.ts), everything reached through nginx as a
 * browser would. The teacher pushes; learners whose lab sessions live on either process hear every
 * push exactly once and in order over SSE, WebSocket and long poll, and the teacher's dashboards
 * over the class channel. Then a process dies (SIGKILL) and Redis dies and comes back, mid-class.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ScaleStack, startScaleStack } from '../helpers/scale-stack.ts';
import { newSessionId } from '../helpers/server.ts';
import { type Channel, type CreatedClass, channel, createClass, join } from '../server/class-harness.ts';
import { type FeedReader, pollReader, sseReader, wsReader } from './learner-readers.ts';

let stack: ScaleStack;
/** Every class a test opened: closed at the end even when a test failed half-way. */
const opened: LiveClass[] = [];
before(async () => {
  stack = await startScaleStack();
});
after(async () => {
  for (const cls of opened) cls.close();
  await stack?.stop();
});

/** Waits until `cond()` holds, polling; fails with `what` (and the processes' logs) after `ms`. */
async function until(cond: () => boolean, what: () => string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}\n${stack.logs()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Lab sessions, `perProcess` of them on each process (by the ring nginx hashes sessions on). */
function sessionsOnEach(perProcess: number): string[][] {
  const out: string[][] = [[], []];
  while (out.some((list) => list.length < perProcess)) {
    const s = newSessionId();
    const list = out[stack.processFor(s)] as string[];
    if (list.length < perProcess) list.push(s);
  }
  return out;
}

/**
 * A class created through nginx whose code hashes away from the process that created it: `POST
 * /class` goes where the URI /class hashes, the class's own requests where `class:<code>` does.
 * The process its requests land on loads it from Redis and holds it (docs/scale.md, "Classes").
 */
async function classAwayFromItsCreator(): Promise<CreatedClass & { process: number }> {
  const creator = stack.processFor('/class');
  for (let i = 0; i < 16; i++) {
    const created = await createClass(stack.url);
    const holder = stack.processFor(`class:${created.code}`);
    if (holder !== creator) return { ...created, process: holder };
  }
  throw new Error('16 classes in a row hashed to their creator');
}

/** The teacher's texts as `pushed` acknowledgements on a dashboard's class channel, in order. */
function pushedTexts(c: Channel): string[] {
  const texts: string[] = [];
  c.ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; text?: string };
    if (m.type === 'pushed') texts.push(String(m.text));
  });
  return texts;
}

interface LiveClass {
  code: string;
  process: number;
  /** The dashboard that pushes. */
  readonly teacher: Channel;
  /** Every dashboard's `pushed` texts (the teacher's, and a second dashboard's). */
  dashboards: string[][];
  readers: FeedReader[];
  /** Texts pushed so far, in order. */
  sent: string[];
  push(text: string): void;
  /** Waits until every reader and dashboard got everything sent, then checks: once each, in order. */
  allHeardExactlyOnce(): Promise<void>;
  /** Opens both dashboards again (after their process died); they then hear pushes from now on. */
  reopenDashboards(): Promise<void>;
  close(): void;
}

/** A class with learners on both processes, each reading the class over SSE, WebSocket and long poll. */
async function liveClass(perProcess = 2): Promise<LiveClass> {
  const created = await classAwayFromItsCreator();
  let dashboards: Channel[] = [];
  let heard: string[][] = [];
  /** Pushes sent before the dashboards open now: a dashboard hears pushes made while it is open. */
  let dashboardsFrom = 0;
  const openDashboards = async () => {
    for (const d of dashboards) d.close();
    dashboardsFrom = sent.length;
    dashboards = [];
    heard = [];
    for (let i = 0; i < 2; i++) {
      const c = await channel(stack.url, created.code, { role: 'teacher', key: created.key });
      heard.push(pushedTexts(c));
      const refused = c.closed.then(({ code, reason }) => {
        throw new Error(`the class channel closed ${code} ${reason} before its welcome`);
      });
      refused.catch(() => {}); // a dashboard closed later, after its welcome, is no failure
      await Promise.race([c.next('welcome'), refused]);
      dashboards.push(c);
    }
  };

  const readers: FeedReader[] = [];
  const sent: string[] = [];
  await openDashboards();
  /** Each learner's class bar (the class channel of their page), open for the whole class. */
  const bars: Channel[] = [];
  let n = 0;
  for (const session of sessionsOnEach(perProcess).flat()) {
    // As a learner's page: join, its class bar says hello, then the playground's snippets run.
    const { learner } = await join(stack.url, created.code, `Learner ${++n}`, session);
    const bar = await channel(stack.url, created.code, { role: 'learner', token: learner.token });
    await bar.next('welcome');
    bars.push(bar);
    readers.push(sseReader(stack.url, session), wsReader(stack.url, session), pollReader(stack.url, session));
  }
  let sentinel = 0;
  const cls: LiveClass = {
    code: created.code,
    process: created.process,
    get teacher() {
      return dashboards[0] as Channel;
    },
    get dashboards() {
      return heard;
    },
    readers,
    sent,
    push(text) {
      sent.push(text);
      cls.teacher.send({ type: 'push', text });
    },
    async allHeardExactlyOnce() {
      // A last push everyone must hear: anything lost or repeated before it is in the lists by then.
      cls.push(`all heard ${++sentinel}`);
      const last = sent[sent.length - 1] as string;
      await until(
        () => readers.every((r) => r.texts.includes(last)) && heard.every((d) => d.includes(last)),
        () =>
          readers
            .filter((r) => !r.texts.includes(last))
            .map(
              (r) =>
                `${r.kind} of ${r.session} (process ${stack.processFor(r.session)}, ${r.connects} connections, last id ${r.lastId}) got ${JSON.stringify(r.texts)}`,
            )
            .join('\n') || `dashboards got ${JSON.stringify(heard)}`,
      );
      for (const r of readers) {
        assert.deepEqual(r.texts, sent, `${r.kind} of ${r.session} (process ${stack.processFor(r.session)})`);
      }
      for (const d of heard) assert.deepEqual(d, sent.slice(dashboardsFrom), 'a dashboard');
    },
    reopenDashboards: openDashboards,
    close() {
      for (const r of readers) r.close();
      for (const d of dashboards) d.close();
      for (const b of bars) b.close();
    },
  };
  opened.push(cls);
  return cls;
}

test("a teacher's pushes reach learners on both processes exactly once, in order, over SSE, WebSocket, long poll and the class channel", async () => {
  const cls = await liveClass();
  const sessions = [...new Set(cls.readers.map((r) => r.session))];
  const holders = await Promise.all(sessions.map((s) => stack.holderOf(s)));
  assert.deepEqual(
    holders,
    sessions.map((s) => stack.processFor(s)),
    'each session is held by the process the ring names',
  );
  assert.deepEqual([...new Set(holders)].sort(), [0, 1], 'learners on both processes');
  for (let i = 1; i <= 10; i++) cls.push(`push ${i}`);
  await cls.allHeardExactlyOnce();
  cls.close();
});

test('a process killed mid-class (SIGKILL): its learners reconnect to the other and miss nothing, repeat nothing', async () => {
  const cls = await liveClass();
  for (let i = 1; i <= 5; i++) cls.push(`before ${i}`);
  await cls.allHeardExactlyOnce();

  // The process that holds learners but not the class (the next test kills the class's own).
  const victim = 1 - cls.process;
  const moving = cls.readers.filter((r) => stack.processFor(r.session) === victim);
  const connectsBefore = moving.map((r) => r.connects);
  await stack.killProcess(victim);
  for (let i = 1; i <= 5; i++) cls.push(`while down ${i}`);
  await cls.allHeardExactlyOnce();
  assert.ok(
    moving.every((r, i) => r.connects > (connectsBefore[i] as number)),
    'every reader of the killed process had to reconnect',
  );

  // Back on its port, it gets its keys back (nginx tries it again after fail_timeout), and the
  // class goes on.
  await stack.startProcess(victim);
  await stack.readmitted(victim);
  for (let i = 1; i <= 5; i++) cls.push(`after ${i}`);
  await cls.allHeardExactlyOnce();
  cls.close();
});

test('Redis killed and started again mid-class: pushes made while it was away arrive once it is back, in order, exactly once', async () => {
  const cls = await liveClass();
  for (let i = 1; i <= 3; i++) cls.push(`before ${i}`);
  await cls.allHeardExactlyOnce();

  const count = (text: string, needle: string) => text.split(needle).length - 1;
  const lost = [0, 1].map((i) => count(stack.processLog(i), 'is unreachable'));
  await stack.killRedis();
  await until(
    () => [0, 1].every((i) => count(stack.processLog(i), 'is unreachable') > (lost[i] as number)),
    () => 'both processes to notice that Redis is gone',
  );
  for (let i = 1; i <= 5; i++) cls.push(`while Redis was away ${i}`);
  // The channel takes messages in order: once the teacher's goto is answered (it needs no Redis),
  // the class's process has taken the five pushes too, and holds them.
  cls.teacher.send({ type: 'goto', lesson: '03-long-polling' });
  await cls.teacher.next('brought');
  const early = [...cls.readers.map((r) => r.texts), ...cls.dashboards]
    .flat()
    .filter((t) => t.includes('away'));
  assert.deepEqual(early, [], 'nothing pushed while Redis was away can be heard before it is back');
  await stack.startRedis();
  for (let i = 1; i <= 3; i++) cls.push(`after ${i}`);
  await cls.allHeardExactlyOnce();
  cls.close();
});

test('a class created on one process is served by the process its code hashes to', async () => {
  const created = await classAwayFromItsCreator();
  const res = await fetch(`${stack.url}/class/${created.code}`);
  const body = await res.text();
  assert.equal(res.status, 200, body);
  assert.equal((JSON.parse(body) as { code: string }).code, created.code);
});

test("the class's own process killed mid-class: dashboards come back on the other, learners miss nothing, repeat nothing", async () => {
  const cls = await liveClass();
  for (let i = 1; i <= 3; i++) cls.push(`before ${i}`);
  await cls.allHeardExactlyOnce();
  await stack.killProcess(cls.process);
  try {
    // The dashboards' channels died with it: they open again, on the process that now loads the
    // class from Redis, and hear pushes from then on.
    await cls.reopenDashboards();
    for (let i = 1; i <= 3; i++) cls.push(`after ${i}`);
    await cls.allHeardExactlyOnce();
  } finally {
    cls.close();
    await stack.startProcess(cls.process);
    await stack.readmitted(cls.process);
  }
});
