/**
 * Short polling (`time`, `news`), `send`, long polling (`poll`) and rooms: one answer per
 * request, and the feed every endpoint shares.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSession, startLab, VIA_APP } from './lab-harness.ts';
import { raw, request, sleep } from './lab-wire.ts';

const s = await startLab({ tickIntervalMs: 3_600_000 });
const get = (path: string) => raw(s.port, request('GET', path));
const post = (path: string, body: string, type = 'text/plain;charset=UTF-8') =>
  raw(s.port, request('POST', path, { 'Content-Type': type }, body));
const json = (r: { body: Buffer }) => JSON.parse(r.body.toString());

test('time answers the ISO time and a seq that counts up per session, never from a cache', async () => {
  const id = newSession();
  const a = await get(`/lab/${id}/time`);
  const b = await get(`/lab/${id}/time`);
  const other = await get(`/lab/${newSession()}/time`);
  assert.equal(a.status, 200);
  assert.equal(a.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(a.headers['cache-control'], 'no-store');
  assert.equal(Number(a.headers['content-length']), a.body.length);
  assert.ok(!Number.isNaN(Date.parse(json(a).time)));
  assert.match(json(a).time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual([json(a).seq, json(b).seq, json(other).seq], [1, 2, 1]);
});

test('time?lang= adds the time in words with an emoji: Content-Length counts its UTF-8 bytes, not its characters', async () => {
  const id = newSession();
  const plain = await get(`/lab/${id}/time`);
  assert.equal(json(plain).text, undefined, 'without lang the answer is unchanged');
  for (const [lang, words] of [
    ['en', /^It is \d\d:\d\d:\d\d UTC 🕒$/],
    ['zh', /^现在是协调世界时 \d\d:\d\d:\d\d 🕒$/],
  ] as const) {
    const r = await get(`/lab/${id}/time?lang=${lang}`);
    assert.equal(r.status, 200);
    const body = r.body.toString();
    assert.match(json(r).text, words);
    assert.ok(json(r).text.includes(json(r).time.slice(11, 19)), 'the words say the same time');
    assert.equal(Number(r.headers['content-length']), r.body.length);
    assert.notEqual(body.length, r.body.length, 'characters (UTF-16 code units) and bytes part ways');
  }
});

test('send appends text as a chat message and answers its id; news returns what came after since', async () => {
  const id = newSession();
  const first = await post(`/lab/${id}/send`, 'hello\nworld');
  assert.equal(first.status, 200);
  assert.deepEqual(json(first), { id: 1 });
  assert.deepEqual(json(await post(`/lab/${id}/send`, 'two')), { id: 2 });

  const all = json(await get(`/lab/${id}/news`));
  assert.equal(all.last, 2);
  assert.deepEqual(
    all.messages.map((m: { id: number; type: string; data: unknown }) => [m.id, m.type, m.data]),
    [
      [1, 'chat', 'hello\nworld'],
      [2, 'chat', 'two'],
    ],
  );
  assert.ok(!Number.isNaN(Date.parse(all.messages[0].time)));
  const after1 = json(await get(`/lab/${id}/news?since=1`));
  assert.deepEqual(
    after1.messages.map((m: { id: number }) => m.id),
    [2],
  );
  const none = json(await get(`/lab/${id}/news?since=2`));
  assert.deepEqual(none, { messages: [], last: 2 });
});

test('send parses the body as JSON only when Content-Type says JSON, and refuses broken JSON', async () => {
  const id = newSession();
  await post(`/lab/${id}/send`, '{"a":1}', 'application/json');
  await post(`/lab/${id}/send`, '{"a":1}');
  const [asJson, asText] = json(await get(`/lab/${id}/news`)).messages;
  assert.deepEqual(asJson.data, { a: 1 });
  assert.equal(asText.data, '{"a":1}');

  const broken = await post(`/lab/${id}/send`, '{"a":', 'application/json');
  assert.equal(broken.status, 400);
  assert.match(broken.body.toString(), /not valid JSON/);
  const empty = await raw(s.port, request('POST', `/lab/${id}/send`, { 'Content-Length': '0' }));
  assert.equal(empty.status, 400);
  assert.match(empty.body.toString(), /send needs a body/);
});

test('news with a since beyond the newest id (a restarted feed) returns everything kept', async () => {
  const id = newSession();
  await post(`/lab/${id}/send`, 'one');
  const r = json(await get(`/lab/${id}/news?since=5000`));
  assert.deepEqual(
    r.messages.map((m: { id: number }) => m.id),
    [1],
  );
  assert.equal(r.last, 1);
});

test('a long poll answers at once when a message after since exists', async () => {
  const id = newSession();
  await post(`/lab/${id}/send`, 'ready');
  const r = await get(`/lab/${id}/poll?since=0&timeout=5000`);
  assert.equal(r.status, 200);
  assert.ok(r.endAt - r.sentAt < 500, `took ${r.endAt - r.sentAt} ms`);
  assert.deepEqual(
    json(r).messages.map((m: { data: string }) => m.data),
    ['ready'],
  );
});

test('a long poll is held until a message arrives, then answers it', async () => {
  const id = newSession();
  const held = get(`/lab/${id}/poll?since=0&timeout=5000`);
  await sleep(200);
  await post(`/lab/${id}/send`, 'late');
  const r = await held;
  assert.equal(r.status, 200);
  assert.ok(r.endAt - r.sentAt >= 190, `answered after ${r.endAt - r.sentAt} ms, before the message`);
  assert.deepEqual(json(r), { messages: [json(r).messages[0]], last: 1 });
  assert.equal(json(r).messages[0].data, 'late');
});

test('a long poll with nothing new answers 204 after its timeout', async () => {
  const id = newSession();
  const r = await get(`/lab/${id}/poll?timeout=300`);
  assert.equal(r.status, 204);
  assert.equal(r.body.length, 0);
  const took = r.endAt - r.sentAt;
  assert.ok(took >= 290 && took < 1500, `took ${took} ms`);
});

test('room=<code> reads and writes a feed shared by every session that names it', async () => {
  const room = `r${Math.random().toString(36).slice(2, 10)}`;
  const a = newSession();
  const b = newSession();
  const held = get(`/lab/${b}/poll?room=${room}&timeout=5000`);
  await sleep(100);
  assert.deepEqual(json(await post(`/lab/${a}/send?room=${room}`, 'hi room')), { id: 1 });
  assert.equal(json(await held).messages[0].data, 'hi room');
  // The sessions' own feeds are untouched.
  assert.deepEqual(json(await get(`/lab/${a}/news`)).messages, []);
});

test('other server code appends to a room through lab.rooms, and readers see it', {
  skip: VIA_APP,
}, async () => {
  const id = newSession();
  const lab = s.lab!;
  const message = await lab.rooms.append('classA1', 'chat', 'from the teacher');
  assert.equal(message?.id, 1);
  assert.equal(lab.rooms.get('classA1')?.lastId, 1);
  const r = json(await get(`/lab/${id}/news?room=classA1`));
  assert.equal(r.messages[0].data, 'from the teacher');
  assert.throws(() => lab.rooms.open('x'), /Bad room code/);
});
