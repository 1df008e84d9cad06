/**
 * Bytes a learner's handler writes: one huge write meets `sandboxResponseBytes` before anything is
 * sent (a 500 naming it); a stream that writes too fast meets `sandboxBytesPerSecond` and is cut,
 * with the reason in the console; a reader that never reads cannot make the server hold more
 * than `maxBufferedBytes`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { RawClient } from '../server/capture-harness.ts';
import { deployOk, getMine, waitForConsole } from '../server/mine-harness.ts';
import { assertStillServes } from './still-serves.ts';

const KiB = 1024;
const s = await startTestServer({
  requestsPerSecond: 1_000,
  sandboxWorkers: 1,
  sandboxResponseBytes: 256 * KiB,
  sandboxBytesPerSecond: 64 * KiB,
  maxBufferedBytes: 64 * KiB,
});

test('a huge write answers 500 naming sandboxResponseBytes, and nothing of it is sent', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  res.end('x'.repeat(300 * 1024));
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 500);
  assert.match(answer.body.toString(), /^bound sandboxResponseBytes \(262144\) reached/);
  assert.ok(answer.body.length < 1_000, 'only the reason');
  await assertStillServes(s.port);
});

test('a stream that writes faster than sandboxBytesPerSecond is cut, and the console says why', async () => {
  const session = newSessionId();
  await deployOk(
    s.port,
    session,
    `onRequest((req, res) => {
  const piece = 'y'.repeat(16 * 1024);
  setInterval(() => { res.write(piece); res.flush(); }, 10);
});`,
  );
  const answer = await getMine(s.port, session, '/');
  assert.equal(answer.status, 200);
  assert.equal(answer.end, 'cut', 'no last chunk');
  assert.ok(
    answer.body.length <= 96 * KiB,
    `at most the burst and a little refill got out (${answer.body.length})`,
  );
  await waitForConsole(s.port, session, /^bound sandboxBytesPerSecond \(65536\) reached/);
  await assertStillServes(s.port);
});

test('a stream past sandboxResponseBytes in total is cut even at a patient rate', async () => {
  const session = newSessionId();
  const quick = await startTestServer({
    requestsPerSecond: 1_000,
    sandboxWorkers: 1,
    sandboxResponseBytes: 64 * KiB,
    sandboxBytesPerSecond: 1024 * KiB,
  });
  await deployOk(
    quick.port,
    session,
    `onRequest((req, res) => {
  setInterval(() => { res.write('z'.repeat(8 * 1024)); res.flush(); }, 5);
});`,
  );
  const answer = await getMine(quick.port, session, '/');
  assert.equal(answer.end, 'cut');
  assert.ok(answer.body.length <= 64 * KiB, `never more than the bound (${answer.body.length})`);
  await waitForConsole(quick.port, session, /^bound sandboxResponseBytes \(65536\) reached/);
  await assertStillServes(quick.port);
  await quick.close();
});

test('a reader that never reads is cut at maxBufferedBytes, and the server goes on', async () => {
  const session = newSessionId();
  const roomy = await startTestServer({
    requestsPerSecond: 1_000,
    sandboxWorkers: 1,
    sandboxResponseBytes: 64 * 1024 * KiB,
    sandboxBytesPerSecond: 64 * 1024 * KiB,
    maxBufferedBytes: 64 * KiB,
  });
  await deployOk(
    roomy.port,
    session,
    `onRequest((req, res) => {
  const piece = 'w'.repeat(32 * 1024);
  setInterval(() => { res.write(piece); res.flush(); }, 5);
});`,
  );
  const client = await RawClient.connect(roomy.port);
  client.socket.pause(); // reads nothing: the kernel's buffers fill, then the server's
  client.send(`GET /lab/${session}/mine/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  client.socket.resume();
  await client.waitFor('HTTP/1.1 200', 1, 15_000);
  client.socket.pause();
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      // The server destroys the socket: ours sees the close once it reads again.
      if (client.closed) {
        clearInterval(check);
        resolve();
      }
      client.socket.resume();
      setTimeout(() => client.socket.pause(), 1);
    }, 500);
  });
  await assertStillServes(roomy.port);
  await roomy.close();
});
