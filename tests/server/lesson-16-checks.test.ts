/**
 * Lesson 16's checks on real runs: the lesson's own client files (en and zh) run here against the
 * real server over real sockets — `fetch` with relative URLs, as the runner's base makes them, and
 * a stand-in for the page they render into — and the checks read the capture and their console.
 * The exercise fails for the naive starter (split('\n\n') per read) and passes for the solution;
 * each step's traffic check passes for its starter.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import lesson16 from '../../content/16-streamed-answers/checks.ts';
import { factsFromRecords } from '../../src/checks/facts.ts';
import { captureSnapshot } from '../../src/checks/snapshot.ts';
import type { ConsoleEntry, WireFacts } from '../../src/checks/types.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { raw, request } from './lab-wire.ts';
import { assertFails } from '../helpers/verdicts.ts';

// 20 ms between pieces: most reads of fetch's body end where a piece ends, mid-event.
const server = await startTestServer({ tickIntervalMs: 3_600_000, splitGapMs: 20 });

const file = (name: string): string =>
  fs.readFileSync(new URL(`../../content/16-streamed-answers/${name}`, import.meta.url), 'utf8');

/** A page element as the lesson's code uses one: text, style, a click handler. */
interface FakeElement {
  textContent: string;
  style: Record<string, string>;
  onclick: (() => void) | null;
  click(): void;
}

/**
 * Runs lesson code as the runner does — top-level await, `fetch` relative to `/lab/<session>/` —
 * and returns its console; an uncaught error ends the run with an error line, as in the runner.
 */
async function runLessonCode(session: string, code: string): Promise<ConsoleEntry[]> {
  const out: ConsoleEntry[] = [];
  const text = (args: unknown[]) =>
    args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  const console = {
    log: (...args: unknown[]) => out.push({ level: 'log', text: text(args) }),
    error: (...args: unknown[]) => out.push({ level: 'error', text: text(args) }),
  };
  const base = `${server.url}/lab/${session}/`;
  const fetchHere = (url: string, init?: RequestInit) => fetch(new URL(url, base), init);
  const document = {
    createElement: (): FakeElement => ({
      textContent: '',
      style: {},
      onclick: null,
      click() {
        this.onclick?.();
      },
    }),
    body: { append: () => {} },
  };
  const AsyncFunction = (async () => {}).constructor as new (
    ...args: string[]
  ) => (...a: unknown[]) => Promise<void>;
  try {
    await new AsyncFunction('fetch', 'document', 'console', code)(fetchHere, document, console);
  } catch (err) {
    out.push({ level: 'error', text: `Uncaught ${(err as Error).name}: ${(err as Error).message}` });
  }
  return out;
}

/** The facts of the session's run, with `console`. */
async function facts(session: string, console: ConsoleEntry[]): Promise<WireFacts> {
  // The capture records a closed connection a moment after the client saw it close.
  for (let i = 0; ; i++) {
    const f = factsFromRecords(await captureSnapshot(session, { origin: server.url }), console);
    const open = f.connections.some((c) => !c.closed);
    if (!open || i >= 40) return f;
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const lang of ['en', 'zh'] as const) {
  const name = (base: string) => (lang === 'en' ? `${base}.js` : `${base}.zh.js`);

  describe(`lesson 16 in ${lang}`, () => {
    it("step 1's starter posts JSON and reads the whole answer up to [DONE]", async () => {
      const session = newSessionId();
      const console = await runLessonCode(session, file(name('raw-answer')));
      assert.ok(
        console.some((c) => c.text.includes('data: [DONE]')),
        console.map((c) => c.text).join('\n'),
      );
      assert.equal(lesson16.traffic!['raw-answer']!(await facts(session, console)), true);
    });

    it("the exercise fails for the starter's split('\\n\\n') per read, and passes for the solution", async () => {
      const starter = newSessionId();
      const naive = await runLessonCode(starter, file(name('parse')));
      const naiveFacts = await facts(starter, naive);
      assert.equal(lesson16.traffic!.parse!(naiveFacts), true, 'the traffic is fine: only the parsing fails');
      assertFails(
        lesson16.exercise!.check(naiveFacts),
        /never shows in one console line|lacks its line breaks|\uFFFD/,
        /始终没有一行是完整的回答|少了换行|\uFFFD/,
      );

      const session = newSessionId();
      const solved = await runLessonCode(session, file(name('parse.solution')));
      const verdict = lesson16.exercise!.check(await facts(session, solved));
      assert.equal(verdict, true, JSON.stringify(verdict));
      // The answer was cut into far more chunks than it has events, and still came out whole.
      assert.ok(
        solved.some((c) => c.text.includes('\n\n')),
        'the answer keeps its paragraph break',
      );
    });

    it("step 3's starter aborts mid-answer: no [DONE], the connection closed, the server told", async () => {
      const session = newSessionId();
      const console = await runLessonCode(session, file(name('stop')));
      assert.ok(
        console.some((c) => /stopped after 15 tokens|收到 15 个词元后停下了/.test(c.text)),
        JSON.stringify(console),
      );
      const f = await facts(session, console);
      assert.equal(lesson16.traffic!.stop!(f), true, JSON.stringify(lesson16.traffic!.stop!(f)));
      const notes = f.connections.flatMap((c) => c.notes);
      assert.ok(
        notes.some((n) =>
          /^the client closed the connection: generation stopped after \d+ of \d+ tokens$/.test(n),
        ),
        notes.join(' | '),
      );
    });
  });
}

describe('lesson 16 checks, on answers sent by hand', () => {
  const post = (session: string, query: string, body: object) =>
    raw(
      server.port,
      request(
        'POST',
        `/lab/${session}/complete?${query}`,
        { 'Content-Type': 'application/json' },
        JSON.stringify(body),
      ),
      { timeoutMs: 30_000 },
    );

  it('the exercise asks to keep split=random when the answer was not cut', async () => {
    const session = newSessionId();
    await post(session, 'pace=10', { prompt: 'hi', max_tokens: 10 });
    assertFails(
      lesson16.exercise!.check(await facts(session, [])),
      /Expected a POST complete with split=/,
      /应有一个带 split= 且以 200 应答的 POST complete/,
    );
  });

  it('the exercise names the lost line breaks when event: text was skipped', async () => {
    const session = newSessionId();
    const r = await post(session, 'pace=10&split=9', { prompt: 'hi', max_tokens: 10 });
    const tokens: string[] = [];
    for (const block of r.body.toString().split('\n\n'))
      if (block.startsWith('data: {')) tokens.push((JSON.parse(block.slice(6)) as { token: string }).token);
    const withoutText = [{ level: 'log', text: tokens.join('') } as ConsoleEntry];
    assertFails(
      lesson16.exercise!.check(await facts(session, withoutText)),
      /lacks its line breaks/,
      /少了换行/,
    );
  });

  it('step 3 fails when the answer came whole', async () => {
    const session = newSessionId();
    await post(session, 'pace=10', { prompt: 'hi', max_tokens: 5 });
    assertFails(lesson16.traffic!.stop!(await facts(session, [])), /abort the fetch/, /中止这个 fetch/);
  });
});
