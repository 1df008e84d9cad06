/**
 * What lesson 17 needs from `ws`: an application-level `ping` answered `pong`, `mute=N` (a server
 * that goes quiet without closing: a half-open connection), and `plan=` (faults for a page's
 * successive connections), with `since=` resuming so that nothing is lost or repeated.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { newSession, startLab } from './lab-harness.ts';
import { raw, request } from './lab-wire.ts';

const s = await startLab({ tickIntervalMs: 3_600_000, wsPingMs: 100 });
const wsUrl = (path: string) => `${s.url.replace('http', 'ws')}${path}`;

/** Opens a WebSocket and records its text messages, protocol pings and pongs, and its close. */
function open(path: string) {
  const ws = new WebSocket(wsUrl(path));
  const texts: string[] = [];
  let pings = 0;
  let pongs = 0;
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  ws.on('message', (data) => {
    texts.push((data as Buffer).toString());
    wake();
  });
  ws.on('ping', () => {
    pings += 1;
    wake();
  });
  ws.on('pong', () => {
    pongs += 1;
    wake();
  });
  ws.on('error', () => {});
  let closedWith: number | undefined;
  const closed = new Promise<number>((resolve) =>
    ws.once('close', (code) => {
      closedWith = code;
      resolve(code);
      wake();
    }),
  );
  const until = async (ready: () => boolean): Promise<void> => {
    while (!ready()) await new Promise<void>((r) => waiters.push(r));
  };
  const opened = new Promise<void>((resolve) => ws.once('open', () => resolve()));
  return {
    ws,
    texts,
    opened,
    closed,
    until,
    get pings() {
      return pings;
    },
    get pongs() {
      return pongs;
    },
    get closedWith() {
      return closedWith;
    },
    ids: () => texts.filter((t) => t.startsWith('{')).map((t) => JSON.parse(t).id as number),
  };
}

const send = (id: string, text: string) => raw(s.port, request('POST', `/lab/${id}/send`, {}, text));

test('ws answers the text ping with pong on that socket alone, and does not add it to the feed', async () => {
  const id = newSession();
  const c = open(`/lab/${id}/ws`);
  await c.opened;
  c.ws.send('ping');
  await c.until(() => c.texts.length >= 1);
  assert.deepEqual(c.texts, ['pong']);
  const news = JSON.parse((await raw(s.port, request('GET', `/lab/${id}/news`))).body.toString());
  assert.deepEqual(news.messages, []);
  c.ws.close();
  await c.closed;
});

test('ws?mute=2 goes quiet after 2 messages: no message, no ping, no pong, no close', async () => {
  const id = newSession();
  const muted = open(`/lab/${id}/ws?mute=2`);
  const watcher = open(`/lab/${id}/ws`);
  await Promise.all([muted.opened, watcher.opened]);
  for (const t of ['a', 'b']) await send(id, t);
  await muted.until(() => muted.texts.length >= 2);
  const pingsBefore = muted.pings;
  muted.ws.send('ping'); // the page's heartbeat
  muted.ws.ping(); // and a protocol ping, which ws would answer by itself
  for (const t of ['c', 'd', 'e']) await send(id, t);
  // The watcher on the same feed gets everything, and the server's pings meanwhile: by the time it
  // has seen three more pings, the muted socket has had three chances to get anything.
  const watcherPings = watcher.pings;
  await watcher.until(() => watcher.ids().length === 5 && watcher.pings >= watcherPings + 3);
  assert.deepEqual(muted.ids(), [1, 2]);
  assert.deepEqual(muted.texts.length, 2, 'no pong to the text ping');
  assert.equal(muted.pongs, 0, 'no pong to the protocol ping');
  assert.ok(muted.pings <= pingsBefore + 1, 'the server stopped pinging (one may have been on its way)');
  assert.equal(muted.closedWith, undefined);
  assert.equal(muted.ws.readyState, WebSocket.OPEN);
  // Its text did not reach the feed either.
  assert.deepEqual(watcher.texts.filter((t) => t.includes('"chat"')).length, 5);
  muted.ws.terminate();
  watcher.ws.close();
  await Promise.all([muted.closed, watcher.closed]);
});

test('ws?plan= scripts successive connections, and since= resumes each without loss or repeat', async () => {
  const id = newSession();
  const plan = 'plan=drop2,down1,mute1';
  const first = open(`/lab/${id}/ws?${plan}`);
  await first.opened;
  for (const t of ['a', 'b', 'c', 'd', 'e']) await send(id, t);
  assert.equal(await first.closed, 1006, 'drop2: cut after 2 messages, no close frame');
  assert.deepEqual(first.ids(), [1, 2]);

  const down = open(`/lab/${id}/ws?${plan}&since=2`);
  assert.equal(await down.closed, 1013, 'down1: closed 1013 at once, as a restarting server');
  assert.deepEqual(down.ids(), []);

  const quiet = open(`/lab/${id}/ws?${plan}&since=2`);
  await quiet.until(() => quiet.texts.length >= 1);
  quiet.ws.send('ping');
  const last = open(`/lab/${id}/ws?${plan}&since=3`);
  await last.until(() => last.ids().length >= 2);
  assert.deepEqual(quiet.ids(), [3], 'mute1: quiet after one message');
  assert.equal(quiet.ws.readyState, WebSocket.OPEN);
  assert.deepEqual([...first.ids(), ...quiet.ids(), ...last.ids()], [1, 2, 3, 4, 5]);
  last.ws.send('ping');
  await last.until(() => last.texts.includes('pong'));
  assert.equal(last.closedWith, undefined, 'past the plan: no fault');

  // A connection without since (a new Run) starts the plan over.
  const again = open(`/lab/${id}/ws?${plan}`);
  await again.opened;
  for (const t of ['f', 'g']) await send(id, t);
  assert.equal(await again.closed, 1006);
  assert.deepEqual(again.ids(), [6, 7]);
  for (const c of [quiet, last]) c.ws.terminate();
});
