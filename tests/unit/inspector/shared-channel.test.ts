/**
 * The inspector channel is shared by the readers of one session on a page (the panel and the
 * exercise checks): one socket, every message to each reader, a reader that comes late gets
 * its replay, and the socket closes with its last reader.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { type ChannelOptions, inspectUrl } from '../../../src/playground/inspector/channel.ts';
import { shareChannel } from '../../../src/playground/inspector/shared-channel.ts';

/** A stand-in for the browser's WebSocket: records what was opened, lets the test speak for the server. */
class FakeSocket extends EventTarget {
  static opened: FakeSocket[] = [];
  closed = false;
  readonly url: string;
  constructor(url: string) {
    super();
    this.url = url;
    FakeSocket.opened.push(this);
  }
  close(): void {
    this.closed = true;
  }
  serverSays(message: unknown): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data: JSON.stringify(message) }));
  }
}

const real = globalThis.WebSocket;
beforeEach(() => {
  FakeSocket.opened = [];
  (globalThis as { WebSocket: unknown }).WebSocket = FakeSocket;
});
afterEach(() => {
  (globalThis as { WebSocket: unknown }).WebSocket = real;
});

/** A reader that keeps the seqs it got, as the panel and the checks do. */
function reader(session: string): ChannelOptions & { seqs: number[]; states: string[] } {
  const seqs: number[] = [];
  const states: string[] = [];
  return {
    session,
    seqs,
    states,
    url: (s, after) => `ws://lab.invalid/inspect/${s}?after=${after}`,
    resumeAfter: () => seqs.at(-1) ?? 0,
    onMessage(m) {
      if (m.type !== 'records') return;
      for (const r of m.records) if (r.seq > (seqs.at(-1) ?? 0)) seqs.push(r.seq);
    },
    onState(state) {
      states.push(state);
    },
  };
}

/** A hello of version `v` that continues capture `Tq3x9pLm0Kzw_4Ra` from the start. */
const hello = (v: number) => ({
  type: 'hello',
  v,
  capture: 'Tq3x9pLm0Kzw_4Ra',
  resume: { after: 0, continued: true },
});

const records = (...seqs: number[]) => ({
  type: 'records',
  records: seqs.map((seq) => ({ seq, kind: 'note', conn: 1, t: 0, text: 'x' })),
});

test('two readers of one session share one socket, and each gets every record', () => {
  const panel = reader('sessionAAAA');
  const checks = reader('sessionAAAA');
  const a = shareChannel(panel);
  const b = shareChannel(checks);
  assert.equal(FakeSocket.opened.length, 1);
  FakeSocket.opened[0]?.serverSays(records(1, 2, 3));
  assert.deepEqual(panel.seqs, [1, 2, 3]);
  assert.deepEqual(checks.seqs, [1, 2, 3]);
  a.close();
  assert.equal(FakeSocket.opened[0]?.closed, false, 'the other reader keeps the socket');
  FakeSocket.opened[0]?.serverSays(records(4));
  assert.deepEqual(checks.seqs, [1, 2, 3, 4]);
  assert.deepEqual(panel.seqs, [1, 2, 3], 'a reader that left hears nothing more');
  b.close();
  assert.equal(FakeSocket.opened[0]?.closed, true, 'the last reader closes it');
});

test("a reader that joins after records went by gets them: the socket starts again from that reader's place", () => {
  const panel = reader('sessionBBBB');
  const a = shareChannel(panel);
  FakeSocket.opened[0]?.serverSays(records(1, 2));
  const checks = reader('sessionBBBB');
  const b = shareChannel(checks);
  assert.equal(FakeSocket.opened.length, 2);
  assert.equal(FakeSocket.opened[0]?.closed, true);
  assert.match(FakeSocket.opened[1]?.url ?? '', /\?after=0$/);
  FakeSocket.opened[1]?.serverSays(records(1, 2, 3));
  assert.deepEqual(checks.seqs, [1, 2, 3]);
  assert.deepEqual(panel.seqs, [1, 2, 3], 'the first reader skips what it had');
  assert.ok(!panel.states.includes('closed'), 'the restart is not a close to the first reader');
  a.close();
  b.close();
});

test('readers of different sessions get sockets of their own', () => {
  const a = shareChannel(reader('sessionCCCC'));
  const b = shareChannel(reader('sessionDDDD'));
  assert.equal(FakeSocket.opened.length, 2);
  a.close();
  b.close();
});

test('a reconnect names the capture the last hello gave, so a session begun again is not taken for it', async () => {
  const panel = reader('sessionCCCC');
  const urls: string[] = [];
  panel.url = (s, after, capture) => {
    urls.push(`after=${after} capture=${capture ?? '-'}`);
    return `ws://lab.invalid/inspect/${s}`;
  };
  const channel = shareChannel(panel);
  const first = FakeSocket.opened[0]!;
  first.serverSays(hello(1));
  first.serverSays(records(1, 2));
  first.dispatchEvent(new Event('close'));
  for (let waited = 0; FakeSocket.opened.length < 2 && waited < 10_000; waited += 10)
    await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(urls, ['after=0 capture=-', 'after=2 capture=Tq3x9pLm0Kzw_4Ra']);
  channel.close();
});

test('an attempt that never opens asks for version 2 next (a server from before 3 refuses v=3); one that opened keeps its version', async () => {
  const panel = reader('sessionVVVV');
  const versions: number[] = [];
  panel.url = (s, _after, _capture, version) => {
    versions.push(version ?? 0);
    return `ws://lab.invalid/inspect/${s}?v=${version}`;
  };
  const nextSocket = async (n: number): Promise<FakeSocket> => {
    for (let waited = 0; FakeSocket.opened.length < n && waited < 10_000; waited += 10)
      await new Promise((r) => setTimeout(r, 10));
    return FakeSocket.opened[n - 1]!;
  };
  const channel = shareChannel(panel);
  // Refused with 400: the browser reports only a close, never an open.
  (await nextSocket(1)).dispatchEvent(new Event('close'));
  const second = await nextSocket(2);
  second.dispatchEvent(new Event('open'));
  second.serverSays(hello(2));
  second.serverSays(records(1, 2));
  second.serverSays({ type: 'live' });
  assert.deepEqual(panel.seqs, [1, 2], 'version 2 is read');
  // That server restarts: the same version first.
  second.dispatchEvent(new Event('close'));
  // It is still down (or now upgraded, and the proxy sends us to a newer one): version 3 again.
  (await nextSocket(3)).dispatchEvent(new Event('close'));
  await nextSocket(4);
  assert.deepEqual(versions, [3, 2, 2, 3]);
  channel.close();
});

test('the channel URL asks for version 3, and carries capture= only beside an after=', () => {
  const saved = (globalThis as { location?: unknown }).location;
  (globalThis as { location?: unknown }).location = { protocol: 'https:', host: 'lab.example:8443' };
  try {
    assert.equal(
      inspectUrl('sessionDDDD', 0, 'Tq3x9pLm0Kzw_4Ra'),
      'wss://lab.example:8443/inspect/sessionDDDD?v=3',
    );
    assert.equal(
      inspectUrl('sessionDDDD', 7, 'Tq3x9pLm0Kzw_4Ra'),
      'wss://lab.example:8443/inspect/sessionDDDD?v=3&after=7&capture=Tq3x9pLm0Kzw_4Ra',
    );
    assert.equal(inspectUrl('sessionDDDD', 7), 'wss://lab.example:8443/inspect/sessionDDDD?v=3&after=7');
  } finally {
    (globalThis as { location?: unknown }).location = saved;
  }
});
