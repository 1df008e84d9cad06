/**
 * The capture and the inspector inside the real server (`startTestServer`):
 * the lab's own endpoints, byte for byte, with the lab's notes — and nothing
 * of the site or of the inspector channel.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { get, InspectorClient, RawClient, until } from './capture-harness.ts';

const s = await startTestServer({ tickIntervalMs: 3_600_000, maxStreamMessages: 2 });

test('through the app: a keep-alive socket sending, then streaming SSE up to a bound, is captured byte for byte with the bound’s note', async () => {
  const id = newSessionId();
  const inspector = await InspectorClient.open(s.port, id);
  const client = await RawClient.connect(s.port);
  for (const text of ['one', 'two', 'three']) {
    client.send(
      `POST /lab/${id}/send HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`,
    );
    await client.waitFor('{"id":', ['one', 'two', 'three'].indexOf(text) + 1);
  }
  client.send(get('/index.html')); // the site, on the same socket: not the session's
  await client.waitFor('HTTP/1.1 404');
  client.send(get(`/lab/${id}/sse?lastEventId=0`));
  await client.waitFor('0\r\n\r\n', 2); // the site's 404 is chunked too

  const received = client.received.toString('latin1');
  const site = /HTTP\/1\.1 404[\s\S]*?(?=HTTP\/1\.1 )/.exec(received)![0];
  await inspector.waitBytes(1, 'out', client.received.length - site.length);
  const request = get('/index.html');
  assert.equal(
    inspector.bytes(1, 'in').toString('latin1'),
    client.sent.toString('latin1').replace(request, ''),
  );
  assert.equal(inspector.bytes(1, 'out').toString('latin1'), received.replace(site, ''));
  assert.match(received, /data: two\n\n/);
  await inspector.waitFor((rs) => rs.some((r) => r.kind === 'note'), 'the note');
  const note = inspector.records.find((r) => r.kind === 'note')!;
  assert.match(note.text!, /^bound maxStreamMessages \(2\) reached/);
  const moved = inspector.records.filter((r) => r.kind === 'moved').map((r) => r.dir);
  assert.deepEqual(moved, ['in', 'out'], 'the site request took the socket away, once each way');
  client.socket.destroy();
  inspector.close();
});

test('through the app: an echo WebSocket with masked frames, byte for byte, and the inspector channel unseen', async () => {
  const id = newSessionId();
  const inspector = await InspectorClient.open(s.port, id);
  const client = await RawClient.connect(s.port);
  client.send(
    get(
      `/lab/${id}/echo`,
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n',
    ),
  );
  await client.waitFor('\r\n\r\n');
  const mask = Buffer.from([1, 2, 3, 4]);
  const payload = Buffer.from('ping through the app');
  client.send(
    Buffer.concat([
      Buffer.from([0x81, 0x80 | payload.length]),
      mask,
      payload.map((b, i) => b ^ mask[i % 4]!),
    ]),
  );
  await client.waitFor('ping through the app');
  await inspector.waitBytes(1, 'out', client.received.length);
  assert.deepEqual(inspector.bytes(1, 'in'), client.sent);
  assert.deepEqual(inspector.bytes(1, 'out'), client.received);
  assert.equal(
    inspector.records.filter((r) => r.kind === 'open').length,
    1,
    'one connection: the inspector’s own is not in it',
  );
  client.socket.destroy();
  await until(() => inspector.records.some((r) => r.kind === 'close'), 'the close');
  inspector.close();
});
