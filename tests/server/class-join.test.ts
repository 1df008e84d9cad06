/**
 * Starting and joining a class over HTTP: codes, keys, names, and every refusal with its status.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { createClass, join, joinRaw } from './class-harness.ts';

const s = await startTestServer({
  tickIntervalMs: 3_600_000,
  maxLearnersPerClass: 2,
  classRequestsPerSecond: 1_000,
});

test('creating a class answers a 6-character code and a 128-bit teacher key', async () => {
  const created = await createClass(s.url);
  assert.match(created.code, /^[A-HJKMNP-Z2-9]{6}$/);
  assert.match(created.key, /^[A-Za-z0-9_-]{22}$/); // 16 bytes, base64url
  assert.equal(Buffer.from(created.key, 'base64url').length, 16);
  const other = await createClass(s.url);
  assert.notEqual(other.code, created.code);
  assert.notEqual(other.key, created.key);
});

test('creating a class needs a JSON body, so no form or sandboxed snippet can do it cross-origin', async () => {
  const res = await fetch(`${s.url}/class`, {
    method: 'POST',
    body: 'x',
    headers: { 'content-type': 'text/plain' },
  });
  assert.equal(res.status, 415);
  const get = await fetch(`${s.url}/class`);
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
});

test('joining with the code gives a learner id and token, never the teacher key', async () => {
  const { code, key } = await createClass(s.url);
  const res = await joinRaw(s.url, code.toLowerCase(), { name: '  Ada Lovelace ', session: newSessionId() });
  assert.equal(res.status, 201);
  const text = await res.text();
  assert.ok(!text.includes(key), 'the teacher key is never sent to a learner');
  const joined = JSON.parse(text);
  assert.equal(joined.learner.id, 1);
  assert.equal(joined.learner.name, 'Ada Lovelace');
  assert.match(joined.learner.token, /^1\.[A-Za-z0-9_-]{22}$/);
  assert.deepEqual(joined.class, { code, lesson: null });
  const info = await (await fetch(`${s.url}/class/${code}`)).json();
  assert.equal(info.learners, 1);
  assert.equal(info.key, undefined);
});

test('an unknown code is a 404 that says what to do; a code that cannot be one is a 400', async () => {
  const unknown = await joinRaw(s.url, 'ZZZZZ2', { name: 'Ada', session: newSessionId() });
  assert.equal(unknown.status, 404);
  assert.match(await unknown.text(), /No class with code ZZZZZ2\. Check the code/);
  const bad = await joinRaw(s.url, 'not-a-code!', { name: 'Ada', session: newSessionId() });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /is not a join code/);
});

test('a bad display name is a 400 naming the problem: empty, too long, control characters, line breaks', async () => {
  const { code } = await createClass(s.url);
  const cases: Array<[unknown, RegExp]> = [
    ['   ', /name is empty/],
    ['x'.repeat(41), /41 characters long: give at most 40/],
    ['Ada\u0000', /control character/],
    ['Ada\nBob', /control character or line break/],
    ['\u202Eevil', /control character/],
    [42, /name is missing/],
  ];
  for (const [name, reason] of cases) {
    const res = await joinRaw(s.url, code, { name, session: newSessionId() });
    assert.equal(res.status, 400, `name ${JSON.stringify(name)}`);
    assert.match(await res.text(), reason);
  }
  // 40 Chinese characters are 40 characters, whatever their bytes.
  await join(s.url, code, '测'.repeat(40), newSessionId());
});

test('a join needs a valid lab session id of the tab', async () => {
  const { code } = await createClass(s.url);
  const res = await joinRaw(s.url, code, { name: 'Ada', session: 'no' });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /Bad session/);
});

test('a full class refuses the next learner with 503 naming maxLearnersPerClass', async () => {
  const { code } = await createClass(s.url);
  await join(s.url, code, 'One', newSessionId());
  await join(s.url, code, 'Two', newSessionId());
  const res = await joinRaw(s.url, code, { name: 'Three', session: newSessionId() });
  assert.equal(res.status, 503);
  assert.match(await res.text(), /^bound maxLearnersPerClass \(2\) reached: this class is full/);
});

test('the QR code is an SVG of the join link; a server on loopback only says how to open it to the LAN', async () => {
  const { code, exposed } = await createClass(s.url);
  assert.equal(exposed, false); // the test server listens on 127.0.0.1
  const res = await fetch(`${s.url}/class/${code}/qr.svg`);
  assert.equal(res.status, 409);
  assert.match(await res.text(), /HOST=0\.0\.0\.0 npm start/);
});
