/**
 * The lab's gate: paths, session ids, endpoints, methods, query values and CORS, as a browser
 * in a sandboxed iframe meets them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSession, startLab } from './lab-harness.ts';
import { raw, request } from './lab-wire.ts';

const s = await startLab({ tickIntervalMs: 3_600_000 });
const get = (path: string, headers: Record<string, string> = {}) =>
  raw(s.port, request('GET', path, headers));

test('a session id that is too short or has other characters is a 400 that says what an id may be', async () => {
  for (const id of ['short', 'has.dot.in.it', 'x'.repeat(65), 'space%20here']) {
    const r = await get(`/lab/${id}/time`);
    assert.equal(r.status, 400, id);
    assert.match(r.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(r.body.toString(), /8 to 64 characters/);
  }
});

test('an unknown endpoint is a 404 that lists the endpoints', async () => {
  const r = await get(`/lab/${newSession()}/nonsense`);
  assert.equal(r.status, 404);
  const text = r.body.toString();
  for (const name of ['time', 'news', 'poll', 'send', 'stream', 'sse', 'ws', 'echo'])
    assert.match(text, new RegExp(name));
  const bare = await get(`/lab/${newSession()}/`);
  assert.equal(bare.status, 404);
});

test('a wrong method is a 405 with an Allow header', async () => {
  const r = await raw(s.port, request('POST', `/lab/${newSession()}/time`, {}, 'x'));
  assert.equal(r.status, 405);
  assert.equal(r.headers.allow, 'GET, OPTIONS');
  const send = await get(`/lab/${newSession()}/send`);
  assert.equal(send.status, 405);
  assert.equal(send.headers.allow, 'POST, OPTIONS');
  assert.match(send.body.toString(), /send takes POST, not GET/);
});

test('a bad query value is a 400 naming the parameter, the value and what is expected', async () => {
  const id = newSession();
  const cases: Array<[string, RegExp]> = [
    ['stream?count=abc', /count="abc".*whole number from 1/],
    ['stream?count=0', /count="0"/],
    ['stream?interval=-5', /interval="-5"/],
    ['stream?format=xml', /format="xml".*"lines", "script"/],
    ['stream?source=db', /source="db"/],
    ['news?since=1.5', /since="1.5"/],
    ['poll?timeout=600000', /timeout="600000".*from 0 to 60000/],
    ['sse?retry=soon', /retry="soon"/],
    ['sse?lastEventId=x', /lastEventId="x"/],
    ['time?drop=-1', /drop="-1"/],
    ['time?delay=99999999', /delay="99999999"/],
    ['time?status=99', /status="99".*from 200 to 599/],
    ['time?buffer=yes', /buffer="yes"/],
    ['news?room=a!', /room="a!".*3 to 32 letters and digits/],
    ['news?since=', /since=""/],
  ];
  for (const [path, message] of cases) {
    const r = await get(`/lab/${id}/${path}`);
    assert.equal(r.status, 400, path);
    assert.match(r.headers['content-type'] ?? '', /^text\/plain/, path);
    assert.match(r.body.toString(), message, path);
  }
});

test('a parameter given twice is a 400; unknown parameters (cache busters) are ignored', async () => {
  const id = newSession();
  const twice = await get(`/lab/${id}/news?since=1&since=2`);
  assert.equal(twice.status, 400);
  assert.match(twice.body.toString(), /since is given 2 times/);
  const busted = await get(`/lab/${id}/time?_=1700000000000&whatever=1`);
  assert.equal(busted.status, 200);
});

test('a bad Last-Event-ID header is a 400 naming the header', async () => {
  const r = await get(`/lab/${newSession()}/sse`, { 'Last-Event-ID': 'abc' });
  assert.equal(r.status, 400);
  assert.match(r.body.toString(), /Last-Event-ID header "abc"/);
});

test('a WebSocket endpoint asked over plain HTTP is a 426 saying to use new WebSocket()', async () => {
  const r = await get(`/lab/${newSession()}/echo`);
  assert.equal(r.status, 426);
  assert.equal(r.headers.upgrade, 'websocket');
  assert.match(r.body.toString(), /new WebSocket\('echo'\)/);
});

test('every answer, errors included, allows any origin (the sandboxed iframe sends Origin: null)', async () => {
  const id = newSession();
  for (const path of [`/lab/${id}/time`, `/lab/${id}/nonsense`, `/lab/bad/time`, `/lab/${id}/news?since=x`]) {
    const r = await get(path, { Origin: 'null' });
    assert.equal(r.headers['access-control-allow-origin'], '*', path);
    assert.equal(r.headers['access-control-expose-headers'], 'Retry-After, Allow', path);
  }
});

test('a preflight is answered 204 with the allowed methods and headers, even for a bad path', async () => {
  for (const path of [`/lab/${newSession()}/send`, '/lab/bad/send']) {
    const r = await raw(
      s.port,
      request('OPTIONS', path, {
        Origin: 'null',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      }),
    );
    assert.equal(r.status, 204, path);
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.equal(r.headers['access-control-allow-methods'], 'GET, POST, OPTIONS');
    assert.equal(r.headers['access-control-allow-headers'], 'Content-Type, Last-Event-ID');
    assert.ok(Number(r.headers['access-control-max-age']) > 0);
  }
});

test('fetch from another origin reads a lab answer (CORS end to end with the Node fetch client)', async () => {
  const res = await fetch(`${s.url}/lab/${newSession()}/send`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: 'null' },
    body: JSON.stringify({ hello: 'world' }),
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.deepEqual(await res.json(), { id: 1 });
});
