/**
 * The checks' copy of the capture across a reconnect: when the server began the session again
 * (a restart, a move to another process), its seqs start at 1 again and the copy starts over
 * with them, instead of skipping every new record up to the old last seq.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openLiveCapture } from '../../../src/checks/live-capture.ts';

/** A stand-in for the browser's WebSocket: the test speaks for the server. */
class FakeSocket extends EventTarget {
  static opened: FakeSocket[] = [];
  readonly url: string;
  constructor(url: string) {
    super();
    this.url = url;
    FakeSocket.opened.push(this);
  }
  close(): void {}
  serverSays(message: unknown): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data: JSON.stringify(message) }));
  }
}

const saved = { ws: globalThis.WebSocket, location: (globalThis as { location?: unknown }).location };
beforeEach(() => {
  FakeSocket.opened = [];
  (globalThis as { WebSocket: unknown }).WebSocket = FakeSocket;
  (globalThis as { location?: unknown }).location = { protocol: 'http:', host: 'lab.invalid' };
});
afterEach(() => {
  (globalThis as { WebSocket: unknown }).WebSocket = saved.ws;
  (globalThis as { location?: unknown }).location = saved.location;
});

const hello = (continued: boolean, capture: string) => ({
  type: 'hello',
  v: 1,
  session: 'sessionLIVE',
  capture,
  resume: { after: continued ? 0 : 5, continued },
});
const notes = (...seqs: number[]) => ({
  type: 'records',
  records: seqs.map((seq) => ({ seq, kind: 'note', conn: 1, t: seq, text: `n${seq}` })),
});

test('after a hello that does not continue, the checks see the new capture from its seq 1', async () => {
  const live = openLiveCapture('sessionLIVE');
  const first = FakeSocket.opened[0]!;
  first.serverSays(hello(true, 'oldCaptureId'));
  first.serverSays(notes(1, 2, 3, 4, 5));
  assert.equal(live.mark(), 5);
  first.dispatchEvent(new Event('close'));
  for (let waited = 0; FakeSocket.opened.length < 2 && waited < 10_000; waited += 10)
    await new Promise((r) => setTimeout(r, 10));
  const second = FakeSocket.opened[1]!;
  assert.match(second.url, /\?v=3&after=5&capture=oldCaptureId$/);
  second.serverSays(hello(false, 'newCaptureId'));
  assert.equal(live.mark(), 0, 'what it had belongs to a capture that is gone');
  second.serverSays(notes(1, 2, 3));
  assert.deepEqual(
    live.recordsSince(0).map((r) => r.text),
    ['n1', 'n2', 'n3'],
  );
  live.close();
});
