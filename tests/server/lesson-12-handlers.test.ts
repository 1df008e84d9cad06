/**
 * Lesson 12's handlers on the wire: each step's server file (English and Chinese copies) deployed
 * to `/lab/<session>/mine`, driven the way its page does (one GET, read to the end), and the
 * lesson's checks run on the capture. Every step's traffic check passes with its starter; the
 * exercise fails for the starter, saying why, and passes for the solution.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import lesson12 from '../../content/12-write-a-comet-loop/checks.ts';
import { factsFromRecords } from '../../src/checks/facts.ts';
import { captureSnapshot } from '../../src/checks/snapshot.ts';
import type { Verdict, WireFacts } from '../../src/checks/types.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { deploy, getMine } from './mine-harness.ts';

const server = await startTestServer({ requestsPerSecond: 1_000 });
const folder = new URL('../../content/12-write-a-comet-loop/', import.meta.url);
const file = (name: string) => fs.readFileSync(new URL(name, folder), 'utf8');
const zh = (name: string) => name.replace(/\.js$/, '.zh.js');

/** Deploys `source` in a fresh session, GETs `path` under mine/ to its end, returns the run's facts. */
async function runHandler(source: string, path: string): Promise<WireFacts> {
  const session = newSessionId();
  const deployed = await deploy(server.port, session, source);
  assert.equal(deployed.status, 200, `the handler deploys: ${JSON.stringify(deployed.body)}`);
  const answer = await getMine(server.port, session, path);
  assert.equal(answer.status, 200);
  return factsFromRecords(await captureSnapshot(session, { origin: server.url }));
}

function assertFails(v: Verdict, en: RegExp, zhText: RegExp): void {
  assert.notEqual(v, true, 'the check must not pass');
  if (v === true) return;
  assert.match(v.en, en);
  assert.match(v.zh, zhText);
}

const traffic = lesson12.traffic!;
const exercise = lesson12.exercise!;

describe('lesson 12: the comet loop, written by the learner', () => {
  it('every server file deploys, in English and in Chinese (PUT 200)', async () => {
    const names = fs
      .readdirSync(folder)
      .filter((n) => n.endsWith('.server.js') || n.endsWith('.server.solution.js'));
    assert.ok(names.length >= 4);
    for (const name of names) {
      for (const each of [name, zh(name)]) {
        const d = await deploy(server.port, newSessionId(), file(each));
        assert.equal(d.status, 200, `${each}: ${JSON.stringify(d.body)}`);
      }
    }
  });

  it('the flushed loop sends nine chunks a second apart and its last chunk (step 1 passes)', async () => {
    const facts = await runHandler(file('flush-loop.server.js'), '/loop');
    assert.equal(traffic['flush-loop']!(facts), true);
    const x = facts.exchanges.find((e) => e.endpoint === 'mine/loop');
    assert.equal(x?.chunkData?.length, 9, 'one chunk per message');
    const times = x?.chunkData?.map((c) => c.t) ?? [];
    for (let i = 1; i < times.length; i++)
      assert.ok((times[i] ?? 0) - (times[i - 1] ?? 0) >= 900_000, 'timers never fire early: a second apart');
    assert.equal(traffic['no-flush']!(facts) === true, false, 'a chunked answer is not the late download');
  });

  it('without the flush the same loop is one late body with Content-Length (step 2 passes)', async () => {
    const facts = await runHandler(file('no-flush.server.zh.js'), '/loop');
    assert.equal(traffic['no-flush']!(facts), true);
    assertFails(
      traffic['flush-loop']!(facts),
      /Transfer-Encoding: chunked/,
      /Transfer-Encoding: chunked 到达/,
    );
  });

  it('the countdown starter passes the step’s traffic but not the exercise, which says to flush', async () => {
    const facts = await runHandler(file('countdown.server.js'), '/countdown?from=5');
    assert.equal(traffic.countdown!(facts), true);
    assertFails(
      exercise.check(facts),
      /came in one piece with Content-Length.*res\.flush\(\)/,
      /一整块到达.*res\.flush\(\)/,
    );
  });

  it('a countdown flushed all at once fails: the lines must leave a second apart, one per chunk', async () => {
    const burst = `onRequest((req, res) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      for (const t of ['5', '4', '3', '2', '1', 'liftoff']) { res.write(JSON.stringify({ text: t }) + '\\n'); res.flush(); }
      res.end();
    });`;
    assertFails(
      exercise.check(await runHandler(burst, '/countdown?from=5')),
      /apart: send one line a second/,
      /每秒只发一行/,
    );
    const twoPerChunk = `onRequest((req, res) => {
      res.write(JSON.stringify({ text: '5' }) + '\\n' + JSON.stringify({ text: '4' }) + '\\n'); res.flush();
      res.end();
    });`;
    assertFails(
      exercise.check(await runHandler(twoPerChunk, '/countdown?from=5')),
      /Chunk 1 carries 2 lines/,
      /第 1 个块里有 2 行/,
    );
  });

  it('the countdown solution passes the exercise, in English and in Chinese', async () => {
    const [en, zhFacts] = await Promise.all([
      runHandler(file('countdown.server.solution.js'), '/countdown?from=5'),
      runHandler(file(zh('countdown.server.solution.js')), '/countdown?from=3'),
    ]);
    assert.equal(exercise.check(en), true);
    assert.equal(traffic.countdown!(en), true);
    assert.equal(exercise.check(zhFacts), true);
  });
});
