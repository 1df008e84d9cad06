/**
 * Paths that try to climb out: `..`, `%2e%2e`, `%2f`, double encoding, backslashes, NUL, overlong
 * UTF-8. Nothing outside the client folder is ever served. And the capture reads a request target
 * the way the router does, so a twisted path is recorded into a session only when that session's
 * lab really answered it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createWireLabServer } from '../../server/app.ts';
import { newSessionId } from '../helpers/server.ts';
import { InspectorClient, RawClient, until } from '../server/capture-harness.ts';
import { sleep } from '../server/lab-wire.ts';
import { assertStillServes } from './still-serves.ts';

// A client folder with one page and one file, a secret beside it, and a sibling folder whose
// name starts like the client folder's (a prefix check alone would let it through).
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wirelab-paths-'));
const clientDir = path.join(root, 'client');
fs.mkdirSync(path.join(clientDir, 'docs'), { recursive: true });
fs.mkdirSync(path.join(root, 'client-private'));
fs.writeFileSync(path.join(clientDir, 'index.html'), '<!doctype html><title>home</title>');
fs.writeFileSync(path.join(clientDir, 'docs', 'hello.txt'), 'public hello');
fs.writeFileSync(path.join(root, 'secret.txt'), 'SECRET-OUTSIDE-THE-CLIENT-FOLDER');
fs.writeFileSync(path.join(root, 'client-private', 'secret.txt'), 'SECRET-IN-A-SIBLING-FOLDER');
after(() => fs.rmSync(root, { recursive: true, force: true }));

// Static files need a client folder, which startTestServer does not pass: build the same server
// with one (and close it after the file, as startTestServer does).
const s = await createWireLabServer({
  host: '127.0.0.1',
  port: 0,
  clientDir,
  config: { tickIntervalMs: 3_600_000, requestsPerSecond: 1_000, dataDir: ':memory:' },
});
after(() => s.close());

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap and off-heap bytes of this process (the server runs in it), after full collections. */
function memoryNow(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Sends a raw request line (the target exactly as given) and reads the answer. */
async function getRaw(target: string) {
  const client = await RawClient.connect(s.port);
  client.send(
    Buffer.from(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'latin1'),
  );
  await until(() => client.closed, `an answer to ${target}`, 10_000);
  return client.received.toString('latin1');
}

test('the client folder itself is served (the control case)', async () => {
  assert.match(await getRaw('/docs/hello.txt'), /^HTTP\/1\.1 200[\s\S]*public hello$/);
  assert.match(
    await getRaw('/docs/../docs/hello.txt'),
    /public hello$/,
    'dot segments inside the folder resolve',
  );
});

// Defence: static.ts decodes once, refuses backslashes and NUL, normalises, and refuses any path
// that climbs above the folder; the router resolves dot segments before anything is matched.
test('no traversal spelling reaches a file outside the client folder', async () => {
  const targets = [
    '/../secret.txt',
    '/../../../../../../etc/passwd',
    '/docs/../../secret.txt',
    '/./../secret.txt',
    '//../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/%2E%2E/etc/passwd',
    '/%2e%2e%2fsecret.txt',
    '/..%2fsecret.txt',
    '/docs/..%2f..%2fsecret.txt',
    '/docs%2f..%2f..%2fsecret.txt',
    '/%252e%252e/secret.txt',
    '/%252e%252e%252fsecret.txt',
    '/..\\secret.txt',
    '/docs\\..\\..\\secret.txt',
    '/%5c..%5csecret.txt',
    '/..%5csecret.txt',
    '/..%255csecret.txt',
    '/%c0%ae%c0%ae/secret.txt',
    '/%c0%ae%c0%ae%c0%afsecret.txt',
    '/docs/hello.txt%00/../../secret.txt',
    '/../client-private/secret.txt',
    '/%2e%2e/client-private/secret.txt',
    '/..%2fclient-private%2fsecret.txt',
    '..%2fsecret.txt',
    '../secret.txt',
    'http://127.0.0.1/../secret.txt',
    'http://127.0.0.1/%2e%2e/secret.txt',
    `/${path.join(root, 'secret.txt')}`,
    `/%2f${encodeURIComponent(path.join(root, 'secret.txt'))}`,
    '/etc/passwd',
  ];
  for (const target of targets) {
    const answer = await getRaw(target);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
    assert.ok(status === 404 || status === 400, `${target}: ${answer.slice(0, 120)}`);
    assert.doesNotMatch(answer, /SECRET-/, target);
    assert.doesNotMatch(answer, /root:.*:0:0:/, target);
  }
  await assertStillServes(s.port);
});

/** The text of a session's capture so far (every byte in and out). */
function captured(inspector: InspectorClient): string {
  return inspector.records
    .filter((r) => r.kind === 'data')
    .map((r) => Buffer.from(r.b64 ?? '', 'base64').toString('latin1'))
    .join('');
}

// Defence: routes.ts and the capture read a target the same way (WHATWG URL, then /lab/<id>/).
// A target the capture gives to B must be one B's lab answered, and the other way round.
test('a twisted path is recorded into a session exactly when that session’s lab answered it', async () => {
  const b = newSessionId();
  const inspector = await InspectorClient.open(s.port, b);
  const cases: Array<{ target: string; lab: boolean }> = [
    { target: `/lab/${b}/time`, lab: true },
    { target: `/x/../lab/${b}/time`, lab: true },
    { target: `/%2e%2e/lab/${b}/time`, lab: true },
    { target: `/lab/x/..%2f..%2flab/${b}/time`, lab: false },
    { target: `/lab\\${b}\\time`, lab: true },
    { target: `http://127.0.0.1/lab/${b}/time`, lab: true },
    { target: `http://127.0.0.1/x/../lab/${b}/time`, lab: true },
    { target: `/lab/${b}/../../docs/hello.txt`, lab: false },
    { target: `/lab/${b}%2ftime`, lab: false },
    { target: `/lab%2f${b}%2ftime`, lab: false },
    { target: `/%6cab/${b}/time`, lab: false },
  ];
  let seq = 0;
  for (const { target, lab } of cases) {
    const answer = await getRaw(target);
    const ran = /"seq":(\d+)/.exec(answer);
    if (ran) seq = Number(ran[1]);
    const says = lab ? 'B’s lab should answer' : 'not B’s lab';
    assert.equal(ran !== null, lab, `${target}: ${says}: ${answer.slice(0, 80)}`);
  }
  assert.equal(seq, cases.filter((c) => c.lab).length, 'B’s lab counted exactly the requests routed to it');
  // A last plain request: once it is in B's capture, everything sent before it would be too.
  const sentinel = `/lab/${b}/time?last=1`;
  await getRaw(sentinel);
  await until(
    () => captured(inspector).includes(`GET ${sentinel} HTTP/1.1`),
    'the last request in the capture',
  );
  const text = captured(inspector);
  for (const { target, lab } of cases) {
    const says = lab ? 'answered by B’s lab, so in B’s capture' : 'not B’s: not in its capture';
    assert.equal(text.includes(`GET ${target} HTTP/1.1`), lab, `${target}: ${says}`);
  }
  const requestLines = text.match(/GET \S+ HTTP\/1\.1\r\n/g) ?? [];
  assert.equal(requestLines.length, seq + 1, 'nothing else was recorded into B');
  inspector.close();
  await assertStillServes(s.port);
});

// Defence: static.ts keeps only files it found. A cache of misses would keep every path anyone
// ever asked for (up to three candidates of a 16 KiB target each), for the life of the server.
test('thousands of distinct missing paths do not grow the server’s memory', async () => {
  const before = memoryNow();
  const long = 'p'.repeat(12 * 1024);
  let answered = 0;
  const worker = async (w: number) => {
    for (let i = 0; i < 125; i++) {
      const answer = await getRaw(`/missing-${w}-${i}-${long}`);
      assert.match(answer, /^HTTP\/1\.1 404 /);
      answered += 1;
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
  await sleep(200);
  const grew = memoryNow() - before;
  // 1000 paths × 3 candidates × 12 KiB: an unbounded cache would hold ~36 MiB of keys.
  assert.equal(answered, 1000);
  assert.ok(grew < 12 * 1024 * 1024, `memory grew ${grew >> 20} MiB after 1000 missing paths`);
  await assertStillServes(s.port);
});
