/**
 * `POST complete` from the outside: oversized prompts and bodies, bodies that are not JSON or not
 * the right JSON, the wrong Content-Type — each refused with a status and a sentence saying what
 * is wrong — and a client that aborts mid-answer: the server stops generating, the connection
 * closes, and everyone else is still served.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { newSession, startLab } from '../server/lab-harness.ts';
import { raw, request, sleep } from '../server/lab-wire.ts';
import { assertStillServes } from './still-serves.ts';

const s = await startLab({ tickIntervalMs: 3_600_000, completePromptBytes: 1_024, maxMessageBytes: 8_192 });

const post = (body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }) => {
  const head = request('POST', `/lab/${newSession()}/complete?pace=10`, {
    ...headers,
    'Content-Length': String(Buffer.byteLength(body)),
  });
  return raw(s.port, head + body, { timeoutMs: 15_000 });
};

/** Sends `body` as raw bytes (raw() writes text as UTF-8) and resolves the whole answer as text. */
const postBytes = (body: Buffer): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(s.port, '127.0.0.1');
    const head = request('POST', `/lab/${newSession()}/complete`, {
      'Content-Type': 'application/json',
      'Content-Length': String(body.length),
    });
    let answer = '';
    socket.on('data', (bytes: Buffer) => {
      answer += bytes.toString();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.write(Buffer.concat([Buffer.from(head), body]));
  });

test("a prompt over completePromptBytes is a 413 naming the bound and the prompt's size", async () => {
  const r = await post(JSON.stringify({ prompt: '流'.repeat(400) })); // 1,200 bytes of UTF-8, 400 characters
  assert.equal(r.status, 413);
  assert.match(
    r.body.toString(),
    /^bound completePromptBytes \(1024\) reached: the prompt is 1200 bytes of UTF-8\. Send a shorter prompt\./,
  );
  await assertStillServes(s.port);
});

test('a body over maxMessageBytes is a 413 naming the bound, and the connection closes after it', async () => {
  const r = await post(JSON.stringify({ prompt: 'x'.repeat(20_000) }));
  assert.equal(r.status, 413);
  assert.match(r.body.toString(), /^bound maxMessageBytes \(8192\) reached/);
  assert.equal(r.headers.connection, 'close');
  await assertStillServes(s.port);
});

for (const [what, body, expected] of [
  ['invalid JSON', '{"prompt": "hi",', /^The body is not valid JSON \(.+\)\. Send e\.g\. \{"prompt"/],
  ['an empty body', '', /not valid JSON/],
  ['a JSON array', '["hi"]', /must be a JSON object such as/],
  ['a JSON string', '"hi"', /must be a JSON object such as/],
  ['a missing prompt', '{"max_tokens":5}', /"prompt" must be a non-empty string, not missing/],
  ['a prompt that is a number', '{"prompt":42}', /"prompt" must be a non-empty string, not 42/],
  ['a blank prompt', '{"prompt":"   "}', /"prompt" must be a non-empty string/],
  [
    'an unknown field',
    '{"prompt":"hi","maxTokens":5}',
    /Unknown field "maxTokens": complete takes "prompt" and "max_tokens" only/,
  ],
  [
    'max_tokens 0',
    '{"prompt":"hi","max_tokens":0}',
    /"max_tokens" must be a whole number from 1 to 200 \(bound completeMaxTokens \(200\)\), not 0/,
  ],
  ['max_tokens past the bound', '{"prompt":"hi","max_tokens":201}', /not 201/],
  ['max_tokens 2.5', '{"prompt":"hi","max_tokens":2.5}', /not 2\.5/],
  ['max_tokens as text', '{"prompt":"hi","max_tokens":"40"}', /not "40"/],
] as const) {
  test(`${what} is a 400 saying what is wrong`, async () => {
    const r = await post(body);
    assert.equal(r.status, 400, r.body.toString());
    assert.match(r.body.toString(), expected);
  });
}

test('a body whose bytes are not UTF-8 is a 400 saying so', async () => {
  const answer = await postBytes(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
  assert.match(answer, /^HTTP\/1\.1 400 /);
  assert.match(answer, /The body is not valid JSON \(its bytes are not UTF-8\)/);
});

for (const type of [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  null,
]) {
  test(`Content-Type ${type ?? '(none)'} is a 415 asking for application/json`, async () => {
    const r = await post('{"prompt":"hi"}', type === null ? {} : { 'Content-Type': type });
    assert.equal(r.status, 415);
    assert.match(r.body.toString(), /complete takes a JSON body with Content-Type: application\/json, not/);
  });
}

test('application/json with a charset, and a +json type, are taken', async () => {
  for (const type of ['application/json; charset=utf-8', 'application/vnd.wirelab+json']) {
    const r = await post('{"prompt":"hi","max_tokens":2}', { 'Content-Type': type });
    assert.equal(r.status, 200, type);
    assert.match(r.body.toString(), /data: \[DONE\]\n\n$/);
  }
});

test('a client that aborts mid-answer: the server stops generating and the connection closes', async () => {
  const session = newSession();
  const body = JSON.stringify({ prompt: 'a long answer, please', max_tokens: 200 });
  const socket = net.connect(s.port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(
    `${request('POST', `/lab/${session}/complete?pace=20`, { 'Content-Type': 'application/json' }, body)}`,
  );
  // Read until three tokens came, then go away, as fetch() does when its AbortController aborts.
  let received = '';
  await new Promise<void>((resolve) => {
    socket.on('data', (bytes: Buffer) => {
      received += bytes.toString();
      if ((received.match(/data: /g) ?? []).length >= 3) resolve();
    });
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.end(); // FIN: the browser closes its side
  await closed; // the server closed its side too
  assert.doesNotMatch(received, /\[DONE\]/);

  if (s.lab) {
    const lab = s.lab;
    for (let i = 0; i < 300 && (lab.sessionActivity(session)?.open.complete ?? 0) > 0; i++) await sleep(50);
    assert.equal(lab.sessionActivity(session)?.open.complete ?? 0, 0, 'the answer is no longer open');
    const delivered = lab.sessionActivity(session)?.delivered;
    await sleep(400); // twenty paces: a generator still running would have delivered more
    assert.equal(lab.sessionActivity(session)?.delivered, delivered, 'no token generated after the abort');
    assert.ok(
      s.notes?.some((n) =>
        /^the client closed the connection: generation stopped after \d+ of \d+ tokens$/.test(n),
      ),
      `the inspector is told: ${s.notes?.join(' | ')}`,
    );
  }
  await assertStillServes(s.port);
});

test('a client that resets mid-answer (RST) is let go the same way', async () => {
  const socket = net.connect(s.port, '127.0.0.1');
  socket.on('error', () => {});
  const body = JSON.stringify({ prompt: 'hi', max_tokens: 200 });
  socket.write(
    request(
      'POST',
      `/lab/${newSession()}/complete?pace=20&split=3`,
      { 'Content-Type': 'application/json' },
      body,
    ),
  );
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.resetAndDestroy();
  await assertStillServes(s.port, 'after a reset mid-answer');
});
