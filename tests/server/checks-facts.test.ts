/**
 * The facts lesson checks read, taken from a real capture: real sockets against the real
 * server, read back through the inspector channel, dissected.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { factsFromRecords } from '../../src/checks/facts.ts';
import { captureSnapshot } from '../../src/checks/snapshot.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';

describe('run facts from the capture', async () => {
  const server = await startTestServer();

  it('reads an SSE stream: the exchange, its headers and each dispatched event', async () => {
    const session = newSessionId();
    const res = await fetch(`${server.url}/lab/${session}/sse?count=3&retry=1500`, {
      headers: { 'Last-Event-ID': '0' },
    });
    await res.text(); // count=3 ends the stream after three events
    const facts = factsFromRecords(await captureSnapshot(session, { origin: server.url }));
    const sse = facts.exchanges.find((e) => e.endpoint === 'sse');
    assert.ok(sse, 'an exchange with the sse endpoint');
    assert.equal(sse.status, 200);
    assert.match(sse.responseHeaders['content-type'] ?? '', /^text\/event-stream/);
    assert.equal(sse.requestHeaders['last-event-id'], '0');
    assert.equal(sse.query.count, '3');
    assert.equal(sse.framing, 'chunked');
    assert.equal(facts.sseEvents.length, 3);
    assert.deepEqual(
      facts.sseEvents.map((e) => e.type),
      ['tick', 'tick', 'tick'],
    );
    assert.equal(facts.connections[0]?.technique, 'sse');
  });

  it('reads WebSocket frames both ways, masks and the close code', async () => {
    const session = newSessionId();
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/lab/${session}/echo`);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    const echoed = new Promise((resolve) => {
      ws.onmessage = (ev) => resolve(ev.data);
    });
    ws.send('héllo 你好');
    assert.equal(await echoed, 'héllo 你好');
    const closed = new Promise((resolve) => {
      ws.onclose = resolve;
    });
    ws.close(4000, 'bye');
    await closed;
    const facts = factsFromRecords(await captureSnapshot(session, { origin: server.url }));
    const sent = facts.wsFrames.filter((f) => f.dir === 'in');
    const received = facts.wsFrames.filter((f) => f.dir === 'out');
    assert.deepEqual(
      sent.map((f) => [f.opcode, f.masked, f.text]),
      [
        [1, true, 'héllo 你好'],
        [8, true, 'bye'],
      ],
    );
    assert.equal(sent[1]?.closeCode, 4000);
    assert.equal(received[0]?.text, 'héllo 你好');
    assert.equal(received[0]?.masked, false);
    const handshake = facts.exchanges.find((e) => e.endpoint === 'echo');
    assert.equal(handshake?.status, 101, 'the handshake exchange has its 101 answer');
    assert.equal(handshake?.responseHeaders.upgrade?.toLowerCase(), 'websocket');
    assert.equal(facts.connections[0]?.technique, 'websocket');
  });

  it('keeps a session’s facts to its own traffic', async () => {
    const mine = newSessionId();
    const theirs = newSessionId();
    await (await fetch(`${server.url}/lab/${theirs}/time`)).text();
    await (await fetch(`${server.url}/lab/${mine}/news?since=0`)).text();
    const facts = factsFromRecords(await captureSnapshot(mine, { origin: server.url }));
    assert.deepEqual(
      facts.exchanges.map((e) => e.endpoint),
      ['news'],
    );
  });

  it('decodes a body from its bytes: characters cut between chunks read as themselves, and counts its bytes', async () => {
    const session = newSessionId();
    const res = await fetch(`${server.url}/lab/${session}/stream?lang=zh&count=3&interval=0&split=5`);
    const sent = new Uint8Array(await res.arrayBuffer());
    const facts = factsFromRecords(await captureSnapshot(session, { origin: server.url }));
    const stream = facts.exchanges.find((e) => e.endpoint === 'stream');
    assert.ok(stream?.complete);
    assert.ok(stream.chunks > 20, `${stream.chunks} chunks of at most 5 bytes`);
    assert.equal(stream.responseBody, new TextDecoder().decode(sent));
    assert.ok(!stream.responseBody.includes('\uFFFD'), 'no replacement character');
    assert.equal(stream.responseBodyBytes, sent.length);
    assert.match(stream.responseBody, /"📨 第 3 条消息"/);
  });

  it('counts a Content-Length body in bytes, not characters', async () => {
    const session = newSessionId();
    const text = await (await fetch(`${server.url}/lab/${session}/time?lang=zh`)).text();
    const facts = factsFromRecords(await captureSnapshot(session, { origin: server.url }));
    const time = facts.exchanges.find((e) => e.endpoint === 'time');
    assert.equal(time?.responseBody, text);
    assert.equal(time?.responseBodyBytes, new TextEncoder().encode(text).length);
    assert.equal(String(time?.responseBodyBytes), time?.responseHeaders['content-length']);
    assert.notEqual(time?.responseBodyBytes, text.length);
  });
});
