/**
 * Lesson 15's handlers on the real server, driven the way the steps' clients drive them (one
 * `ws` client per person, as the page opens one WebSocket per person), then judged by the
 * lesson's own checks on what the capture saw: each step's starters put the step's traffic on the
 * wire; the exercise fails for its starter (a socket that left is still in the room, so the next
 * broadcast throws) and for a room that never says who left, and passes for the solution.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import lesson15 from '../../content/15-write-a-websocket-server/checks.ts';
import { factsFromRecords } from '../../src/checks/facts.ts';
import { captureSnapshot } from '../../src/checks/snapshot.ts';
import type { WireFacts } from '../../src/checks/types.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { until } from './capture-harness.ts';
import { deploy, deployOk, waitForConsole } from './mine-harness.ts';
import { assertFails } from '../helpers/verdicts.ts';

const server = await startTestServer({ requestsPerSecond: 1_000, tickIntervalMs: 3_600_000 });

const folder = new URL('../../content/15-write-a-websocket-server/', import.meta.url);
const source = (name: string): string => fs.readFileSync(new URL(name, folder), 'utf8');

/** One person: a WebSocket to the session's handler, and everything it heard. */
interface Person {
  ws: WebSocket;
  heard: string[];
  closed: { code: number; reason: string } | null;
}

/** Opens `mine<path>` and resolves once it is open (or was closed at once). */
async function join(session: string, path: string): Promise<Person> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/lab/${session}/mine${path}`);
  const person: Person = { ws, heard: [], closed: null };
  ws.on('message', (d) => person.heard.push(String(d)));
  ws.on('close', (code, reason) => {
    person.closed = { code, reason: String(reason) };
  });
  ws.on('error', () => {});
  await until(() => ws.readyState === WebSocket.OPEN || person.closed !== null, 'the handshake', 15_000);
  return person;
}

/** Joins the people one after the other, as the steps' clients do. */
async function joinAll(session: string, count: number): Promise<Person[]> {
  const people: Person[] = [];
  for (let i = 0; i < count; i++) people.push(await join(session, '/room'));
  return people;
}

const chats = (p: Person): string[] =>
  p.heard
    .map((t) => JSON.parse(t) as { type: string; text?: string })
    .flatMap((m) => (m.type === 'chat' ? [m.text!] : []));

/** Closes whoever is still open and waits until every connection is closed. */
async function leaveAll(people: Person[]): Promise<void> {
  for (const p of people) if (p.closed === null) p.ws.close(1000, 'done');
  await until(() => people.every((p) => p.closed !== null), 'every socket closed', 15_000);
}

async function facts(session: string): Promise<WireFacts> {
  return factsFromRecords(await captureSnapshot(session, { origin: server.url }), []);
}

const traffic = lesson15.traffic!;
const exercise = lesson15.exercise!;

describe('lesson 15: every handler file deploys', () => {
  const files = fs.readdirSync(folder).filter((f) => f.endsWith('.js') && f.includes('.server.'));
  it('deploys each server starter and solution, en and zh (PUT 200)', async () => {
    assert.ok(files.length >= 8, `server files: ${files.join(', ')}`);
    for (const file of files) {
      const d = await deploy(server.port, newSessionId(), source(file));
      assert.equal(d.status, 200, `${file}: ${JSON.stringify(d.body)}`);
    }
  });
});

/** The echo step's client: say a line, and once it comes back, the word that makes the handler close. */
async function echoRun(session: string, hello: string, bye: string): Promise<Person> {
  const p = await join(session, '/echo');
  p.ws.send(hello);
  await until(() => p.heard.includes(hello), 'the echo', 15_000);
  p.ws.send(bye);
  await until(() => p.closed !== null, 'the close', 15_000);
  return p;
}

describe('lesson 15, step echo', () => {
  for (const [lang, file, hello, bye, reason] of [
    ['en', 'echo.server.js', 'hello', 'bye', 'see you'],
    ['zh', 'echo.server.zh.js', '你好', '再见', '下次见'],
  ] as const) {
    it(`the starter echoes and closes first with the code and reason it chose (${lang})`, async () => {
      const session = newSessionId();
      await deployOk(server.port, session, source(file));
      const p = await echoRun(session, hello, bye);
      assert.deepEqual(p.closed, { code: 4000, reason });
      assert.equal(traffic.echo!(await facts(session)), true);
    });
  }

  it('fails when the browser closes first: the handler never chose a code', async () => {
    const session = newSessionId();
    await deployOk(server.port, session, `onWebSocket({ message(ws, data) { ws.send(data); } });`);
    const p = await join(session, '/echo');
    p.ws.send('hello');
    await until(() => p.heard.includes('hello'), 'the echo', 15_000);
    await leaveAll([p]);
    assertFails(traffic.echo!(await facts(session)), /browser closed first/, /浏览器先关闭/);
  });
});

describe('lesson 15, step room', () => {
  for (const [lang, file, names] of [
    ['en', 'room.server.js', ['Ada', 'Bob', 'Cy']],
    ['zh', 'room.server.zh.js', ['小明', '小红', '小刚']],
  ] as const) {
    it(`the starter gives every message to every member once, in order (${lang})`, async () => {
      const session = newSessionId();
      await deployOk(server.port, session, source(file));
      const people = await joinAll(session, 3);
      people.forEach((p, i) => {
        p.ws.send(`${names[i]}: hello`);
        p.ws.send(`${names[i]}: is this thing on?`);
      });
      await until(() => people.every((p) => chats(p).length === 6), 'six chats each', 15_000);
      // One sandbox, one thread: the room's order is the same on every screen.
      assert.deepEqual(chats(people[1]!), chats(people[0]!));
      assert.deepEqual(chats(people[2]!), chats(people[0]!));
      await leaveAll(people);
      assert.equal(traffic.room!(await facts(session)), true);
    });
  }

  it('fails for a handler that only echoes: nobody else hears', async () => {
    const session = newSessionId();
    await deployOk(server.port, session, source('echo.server.js'));
    const people = await joinAll(session, 2);
    people[0]!.ws.send('Ada: hello');
    await until(() => people[0]!.heard.includes('Ada: hello'), 'the echo', 15_000);
    await leaveAll(people);
    assertFails(traffic.room!(await facts(session)), /never reached connection/, /始终没有到达/);
  });
});

/**
 * The exercise's client: three join, the first says goodbye and closes; once the handler has
 * seen the close (`left` in its console, or a leave announcement), the two others speak.
 */
async function leaveRun(
  session: string,
  handlerSawTheClose: (stayed: Person) => Promise<unknown>,
): Promise<[Person, Person, Person]> {
  const [ada, bob, cy] = (await joinAll(session, 3)) as [Person, Person, Person];
  ada.ws.send('Ada: I have to go, bye!');
  await until(() => chats(bob).length === 1 && chats(cy).length === 1, 'the goodbye', 15_000);
  ada.ws.close(1000, 'gone home');
  await until(() => ada.closed !== null, 'Ada gone', 15_000);
  await handlerSawTheClose(bob);
  bob.ws.send('Bob: where did Ada go?');
  cy.ws.send('Cy: home, she said.');
  return [ada, bob, cy];
}

describe('lesson 15, exercise: leaving the room', () => {
  for (const [lang, file, left] of [
    ['en', 'leave.server.js', /left with 1000 gone home/],
    ['zh', 'leave.server.zh.js', /离开了，关闭码 1000 原因 gone home/],
  ] as const) {
    it(`fails for the starter: the next broadcast sends to the socket that left, throws, and the server closes 1011 (${lang})`, async () => {
      const session = newSessionId();
      await deployOk(server.port, session, source(file));
      const [, bob, cy] = await leaveRun(session, () => waitForConsole(server.port, session, left));
      // Ada comes first in the Set: every broadcast after she left throws before it reaches anyone.
      await until(() => bob.closed !== null && cy.closed !== null, 'both cut', 15_000);
      assert.equal(bob.closed!.code, 1011);
      assert.deepEqual(chats(bob), ['Ada: I have to go, bye!']);
      await waitForConsole(server.port, session, /^Your handler threw Error: This WebSocket is closed/);
      const wire = await facts(session);
      assert.equal(traffic.leave!(wire), true);
      assertFails(
        exercise.check(wire),
        /with 1011 .*take it out of the room in close\(\)/,
        /以 1011 关闭了连接/,
      );
    });
  }

  it('fails for a room that takes the socket out but never says who left', async () => {
    const session = newSessionId();
    const silent = source('leave.server.solution.js').replace(/\n\s*broadcast\(\{ type: 'leave'[^\n]*/, '');
    assert.notEqual(silent, source('leave.server.solution.js'));
    await deployOk(server.port, session, silent);
    const [, bob, cy] = await leaveRun(session, () => waitForConsole(server.port, session, /left with 1000/));
    await until(() => chats(bob).length === 3 && chats(cy).length === 3, 'the two lines', 15_000);
    await leaveAll([bob, cy]);
    assertFails(exercise.check(await facts(session)), /was never told/, /一直没有得到通知/);
  });

  it('fails for a handler that only echoes', async () => {
    const session = newSessionId();
    await deployOk(server.port, session, source('echo.server.js'));
    const people = await joinAll(session, 2);
    people[0]!.ws.send('Ada: hello');
    await until(() => people[0]!.heard.includes('Ada: hello'), 'the echo', 15_000);
    await leaveAll(people);
    assertFails(exercise.check(await facts(session)), /never reached connection/, /始终没有到达/);
  });

  for (const [lang, file] of [
    ['en', 'leave.server.solution.js'],
    ['zh', 'leave.server.solution.zh.js'],
  ] as const) {
    it(`passes for the solution: the leave is announced and the rest of the talk reaches everyone once (${lang})`, async () => {
      const session = newSessionId();
      await deployOk(server.port, session, source(file));
      const leaves = (p: Person) => p.heard.filter((t) => JSON.parse(t).type === 'leave');
      const [ada, bob, cy] = await leaveRun(session, (stayed) =>
        until(() => leaves(stayed).length === 1, 'the leave', 15_000),
      );
      await until(() => chats(bob).length === 3 && chats(cy).length === 3, 'the two lines', 15_000);
      // Ada learnt her id from her own join announcement; the leave names it, with her close frame's code and reason.
      const adaId = (JSON.parse(ada.heard[0]!) as { id: number }).id;
      assert.deepEqual(JSON.parse(leaves(cy)[0]!), {
        type: 'leave',
        id: adaId,
        code: 1000,
        reason: 'gone home',
        members: 2,
      });
      await leaveAll([bob, cy]);
      const wire = await facts(session);
      assert.equal(traffic.leave!(wire), true);
      assert.equal(exercise.check(wire), true);
    });
  }
});
