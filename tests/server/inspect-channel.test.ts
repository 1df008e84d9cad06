/**
 * The inspector channel: hello, replay, live, resume — in order, without gaps
 * or duplicates — and its bounds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WebSocket } from 'ws';
import {
  delay,
  get,
  InspectorClient,
  PLAIN_BODY,
  RawClient,
  sessionId,
  startHarness,
  until,
  type WireMessage,
  type WireRecord,
} from './capture-harness.ts';

const h = await startHarness({ maxInspectorsPerSession: 2 });

/** Sends `count` plain requests, one after another, on one socket. */
async function requests(session: string, count: number): Promise<RawClient> {
  const client = await RawClient.connect(h.port);
  for (let i = 1; i <= count; i++) {
    client.send(get(`/lab/${session}/plain?i=${i}`));
    await client.waitFor(PLAIN_BODY, i);
  }
  return client;
}

function assertConsecutive(records: WireRecord[], from = 1): void {
  for (const [i, r] of records.entries()) {
    assert.equal(r.seq, from + i, `record ${i} has seq ${r.seq}, expected ${from + i}`);
  }
}

test('the hello comes first: version 1, the session, the server clock and the limits', async () => {
  const s = sessionId();
  const inspector = await InspectorClient.open(h.port, s);
  const hello = inspector.messages[0]!;
  assert.equal(hello.type, 'hello');
  assert.equal(hello.v, 1);
  assert.equal(hello.session, s);
  const time = hello.serverTime as { epochMs: number; monoUs: number };
  assert.ok(Math.abs(time.epochMs - Date.now()) < 5_000 && time.monoUs > 0);
  const limits = hello.limits as Record<string, number>;
  assert.equal(limits.inspectorsPerSession, 2);
  assert.ok(limits.captureBytesPerSession! > 0 && limits.batchMs! >= 0);
  assert.deepEqual(hello.resume, { after: 0, continued: true });
  await until(() => inspector.live, 'live');
  inspector.close();
});

test('replay then live: every record once, in seq order, even while traffic flows during the switch', async () => {
  const s = sessionId();
  const client = await RawClient.connect(h.port);
  let sending = true;
  const traffic = (async () => {
    for (let i = 1; sending || i < 10; i++) {
      client.send(get(`/lab/${s}/plain?i=${i}`));
      await client.waitFor(PLAIN_BODY, i);
    }
  })();
  await delay(30);
  const inspector = await InspectorClient.open(h.port, s);
  await delay(30);
  sending = false;
  await traffic;
  const last = h.capture.snapshot(s)!.records.at(-1)!.seq;
  await inspector.waitFor((rs) => rs.at(-1)?.seq === last, `record ${last}`);
  assertConsecutive(inspector.records);
  const liveAt = inspector.messages.findIndex((m) => m.type === 'live');
  const live = inspector.messages[liveAt] as WireMessage & { lastSeq: number };
  const replayed = inspector.messages
    .slice(0, liveAt)
    .flatMap((m) => (m.type === 'records' ? m.records! : []));
  assert.equal(live.lastSeq, replayed.at(-1)?.seq, 'live says where the replay ended');
  assert.ok(replayed.length > 0 && replayed.length < inspector.records.length, 'some replayed, some live');
  assert.deepEqual(inspector.bytes(1, 'in'), client.sent);
  client.socket.destroy();
  inspector.close();
});

test('resume with after=: only the records missed, nothing repeated', async () => {
  const s = sessionId();
  const first = await InspectorClient.open(h.port, s);
  const client = await requests(s, 2);
  await first.waitBytes(1, 'out', client.received.length);
  const have = first.records.at(-1)!.seq;
  first.close();
  client.send(get(`/lab/${s}/plain?i=3`));
  await client.waitFor(PLAIN_BODY, 3);
  const resumed = await InspectorClient.open(h.port, s, `?after=${have}`);
  await until(() => resumed.live, 'live');
  assert.deepEqual(resumed.hello?.resume, { after: have, continued: true });
  assert.equal(resumed.messages.filter((m) => m.type === 'dropped').length, 0);
  assertConsecutive(resumed.records, have + 1);
  const all = [...first.records, ...resumed.records];
  assertConsecutive(all);
  client.socket.destroy();
  resumed.close();
});

test('resume after records the ring dropped: a dropped message with exact counts, then the rest', async () => {
  const small = await startHarness({ captureBytesPerSession: 64 * 1024 });
  const s = sessionId();
  const first = await InspectorClient.open(small.port, s);
  const client = await RawClient.connect(small.port);
  client.send(get(`/lab/${s}/plain`));
  await client.waitFor(PLAIN_BODY);
  await first.waitBytes(1, 'out', client.received.length);
  const have = first.records.at(-1)!;
  first.close();
  client.send(get(`/lab/${s}/bytes?n=${1024 * 1024}&size=2000`));
  await until(() => client.received.length > 1024 * 1024, 'the body');
  const resumed = await InspectorClient.open(small.port, s, `?after=${have.seq}`);
  await until(() => resumed.live, 'live');
  const dropped = resumed.messages[1] as WireMessage & {
    records: number;
    bytes: number;
    exact: boolean;
    next: number;
  };
  assert.equal(dropped.type, 'dropped');
  assert.equal(dropped.next, resumed.records[0]!.seq);
  assert.equal(dropped.records, dropped.next - have.seq - 1);
  const kept = resumed.records.reduce((n, r) => n + Buffer.from(r.b64 ?? '', 'base64').length, 0);
  const before = first.records.reduce((n, r) => n + Buffer.from(r.b64 ?? '', 'base64').length, 0);
  assert.equal(before + dropped.bytes + kept, client.sent.length + client.received.length);
  assert.equal(dropped.exact, true);
  client.socket.destroy();
  resumed.close();
});

test('an after= beyond the session’s records (it was forgotten) starts over from the beginning', async () => {
  const s = sessionId();
  const client = await requests(s, 1);
  const inspector = await InspectorClient.open(h.port, s, '?after=999999');
  await until(() => inspector.live, 'live');
  assert.deepEqual(inspector.hello?.resume, { after: 999999, continued: false });
  assert.equal(inspector.records[0]?.seq, 1);
  client.socket.destroy();
  inspector.close();
});

test('a reconnect naming the capture of its hello continues; naming another (the session began again) starts over', async () => {
  const s = sessionId();
  const client = await requests(s, 2);
  const first = await InspectorClient.open(h.port, s);
  await until(() => first.live, 'live');
  const capture = first.hello?.capture as string;
  assert.match(capture, /^[A-Za-z0-9_.-]{1,64}$/);
  assert.ok(first.records.length > 2);
  first.close();

  const same = await InspectorClient.open(h.port, s, `?after=2&capture=${capture}`);
  await until(() => same.live, 'live');
  assert.deepEqual(same.hello?.resume, { after: 2, continued: true });
  assert.equal(same.hello?.capture, capture, 'one capture per session while it is kept');
  assert.equal(same.records[0]?.seq, 3);
  same.close();

  // Another process's capture (or this one's before a restart) that had reached seq 2: this
  // capture also has a seq 2, but it is not the record that reader has.
  const other = await InspectorClient.open(h.port, s, '?after=2&capture=Zz9otherProc7x');
  await until(() => other.live, 'live');
  assert.deepEqual(other.hello?.resume, { after: 2, continued: false });
  assert.equal(other.records[0]?.seq, 1, 'the replay starts from the beginning');
  other.close();

  const another = await InspectorClient.open(h.port, sessionId());
  assert.notEqual(another.hello?.capture, capture, 'every session’s capture has an id of its own');
  another.close();
  client.socket.destroy();
});

test('the hello says moved: true only for a session the movedFrom hook says this process took over', async () => {
  const taken = sessionId();
  const asked: string[] = [];
  const other = await startHarness(
    {},
    {
      movedFrom: (session) => {
        asked.push(session);
        return session === taken;
      },
    },
  );
  // The page had records up to 40 on the process that held the session; this one has one request.
  const client = await RawClient.connect(other.port);
  client.send(get(`/lab/${taken}/plain`));
  await client.waitFor(PLAIN_BODY, 1);
  const moved = await InspectorClient.open(other.port, taken, '?after=40');
  await until(() => moved.live, 'live');
  assert.equal(moved.hello?.moved, true);
  assert.deepEqual(moved.hello?.resume, { after: 40, continued: false });
  assert.equal(moved.records[0]?.seq, 1, 'the replay starts over from this process’s first record');
  const stayed = sessionId();
  const here = await InspectorClient.open(other.port, stayed, '?after=40');
  await until(() => here.live, 'live');
  assert.deepEqual(here.hello?.resume, { after: 40, continued: false });
  assert.equal('moved' in here.hello!, false, 'absent, not false, when the hook says no');
  assert.deepEqual(asked, [taken, stayed]);
  client.socket.destroy();
  moved.close();
  here.close();
});

test('a movedFrom hook that throws leaves the channel working, and the hello without moved', async () => {
  const other = await startHarness(
    {},
    {
      movedFrom: () => {
        throw new Error('the shared store is away');
      },
    },
  );
  const inspector = await InspectorClient.open(other.port, sessionId(), '?after=3');
  await until(() => inspector.live, 'live');
  assert.equal(inspector.hello?.v, 1);
  assert.equal('moved' in inspector.hello!, false);
  inspector.close();
});

test('a movedFrom hook that answers later (it asks the shared store) holds the hello until it does', async () => {
  const taken = sessionId();
  const answers = new Map<string, (moved: boolean) => void>();
  const other = await startHarness(
    {},
    {
      movedFrom: (session) =>
        session === 'sessionRejected1'
          ? Promise.reject(new Error('the shared store is away'))
          : new Promise<boolean>((resolve) => answers.set(session, resolve)),
    },
  );
  let helloCame = false;
  const opening = InspectorClient.open(other.port, taken, '?after=12').then((client) => {
    helloCame = true;
    return client;
  });
  await until(() => answers.has(taken), 'the hook is asked');
  await delay(50);
  assert.equal(helloCame, false, 'no hello before the answer');
  answers.get(taken)!(true);
  const moved = await opening;
  assert.equal(moved.hello?.moved, true);
  await until(() => moved.live, 'live');
  moved.close();

  const rejected = await InspectorClient.open(other.port, 'sessionRejected1', '?after=12');
  await until(() => rejected.live, 'live');
  assert.equal('moved' in rejected.hello!, false, 'a rejected answer: not moved');
  rejected.close();
});

test('without a movedFrom hook (one process) no hello says moved', async () => {
  const inspector = await InspectorClient.open(h.port, sessionId(), '?after=7');
  await until(() => inspector.live, 'live');
  assert.deepEqual(inspector.hello?.resume, { after: 7, continued: false });
  assert.equal('moved' in inspector.hello!, false);
  inspector.close();
});

test('one inspector more than maxInspectorsPerSession is closed with 1013 and a reason', async () => {
  const s = sessionId();
  const a = await InspectorClient.open(h.port, s);
  const b = await InspectorClient.open(h.port, s);
  const c = await InspectorClient.open(h.port, s);
  await until(() => c.closed, 'the third to close');
  assert.equal(c.closeCode, 1013);
  assert.match(c.closeReason, /too many inspectors.*max 2/);
  assert.equal(a.closed || b.closed, false);
  a.close();
  await until(() => h.inspector.stats().channels === 1, 'a to go');
  const d = await InspectorClient.open(h.port, s);
  await until(() => d.live, 'a new one to be let in once one left');
  b.close();
  d.close();
});

test('a bad session id on /inspect/ is refused with HTTP 400 and a plain reason', async () => {
  for (const path of [
    '/inspect/short',
    '/inspect/has%20space-123',
    `/inspect/${sessionId()}?after=-1`,
    `/inspect/${sessionId()}?after=3&capture=not%20an%20id`,
    `/inspect/${sessionId()}?v=4`,
    `/inspect/${sessionId()}?v=0`,
    `/inspect/${sessionId()}?v=two`,
  ]) {
    const client = await RawClient.connect(h.port);
    client.send(
      get(
        path,
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n',
      ),
    );
    await client.waitClosed();
    const text = client.received.toString();
    assert.match(text, /^HTTP\/1.1 400 Bad Request\r\n/, path);
    assert.match(text, /Content-Type: text\/plain/);
    assert.match(text, /\r\n\r\n(The session id|after=|capture=|v=) .+\n$/);
  }
});

test('a burst of writes arrives batched: at most one frame per inspectorBatchMs', async () => {
  const batched = await startHarness({ inspectorBatchMs: 50 });
  const s = sessionId();
  const inspector = await InspectorClient.open(batched.port, s);
  await until(() => inspector.live, 'live');
  const framesBefore = inspector.messages.length;
  const client = await RawClient.connect(batched.port);
  const started = Date.now();
  client.send(get(`/lab/${s}/drip?n=300`));
  await client.waitFor('0\r\n\r\n');
  await inspector.waitBytes(1, 'out', client.received.length);
  const elapsed = Date.now() - started;
  const frames = inspector.messages.length - framesBefore;
  assert.ok(inspector.records.length >= 300, `${inspector.records.length} records`);
  assert.ok(frames <= elapsed / 50 + 2, `${frames} frames in ${elapsed} ms`);
  assert.ok(
    frames * 5 < inspector.records.length,
    `${frames} frames for ${inspector.records.length} records`,
  );
  client.socket.destroy();
  inspector.close();
});

test('records that keep coming are sent in longer batches (sustainedBatchMs) until a quiet spell', async () => {
  const h = await startHarness({ inspectorBatchMs: 20, inspectorSustainedBatchMs: 1_000 });
  try {
    const s = sessionId();
    const inspector = await InspectorClient.open(h.port, s);
    await until(() => inspector.live, 'live');
    const framesBefore = inspector.messages.length;
    const client = await RawClient.connect(h.port);
    const started = Date.now();
    client.send(get(`/lab/${s}/drip?n=60&every=25`)); // a write every 25 ms for 1.5 s
    await client.waitFor('0\r\n\r\n');
    await inspector.waitBytes(1, 'out', client.received.length);
    const elapsed = Date.now() - started;
    const frames = inspector.messages.length - framesBefore;
    assert.ok(inspector.records.length >= 60, `${inspector.records.length} records`);
    // 20 ms batches would be one frame a write (60); after three, 1 s windows.
    assert.ok(frames <= elapsed / 1_000 + 3 + 3, `${frames} frames in ${elapsed} ms`);
    // After a quiet spell (5 × 20 ms), the next record goes at once again, not after a 1 s window.
    await delay(300);
    const before = inspector.records.length;
    const t0 = Date.now();
    client.socket.destroy();
    await inspector.waitFor((rs) => rs.length > before && rs.at(-1)!.kind === 'close', 'the close record');
    assert.ok(Date.now() - t0 < 600, `the close shown ${Date.now() - t0} ms after`);
    inspector.close();
  } finally {
    await h.close();
  }
});

test('a reader that stops reading is paused, not buffered; when it reads again it skips ahead with a dropped message', async () => {
  const slow = await startHarness({
    captureBytesPerSession: 64 * 1024,
    inspectorMaxBufferedBytes: 64 * 1024,
  });
  const s = sessionId();
  const inspector = await InspectorClient.open(slow.port, s);
  await until(() => inspector.live, 'live');
  const raw = (inspector.ws as WebSocket & { _socket: import('node:net').Socket })._socket;
  raw.pause();
  const client = await RawClient.connect(slow.port);
  const n = 24 * 1024 * 1024;
  client.send(get(`/lab/${s}/bytes?n=${n}&size=4000`));
  await until(() => client.received.length > n, 'the body', 20_000);
  // what waits for the reader in the server: one batch past the bound at most
  assert.ok(
    slow.inspector.stats().bufferedBytes < 64 * 1024 + 400 * 1024,
    `${slow.inspector.stats().bufferedBytes}`,
  );
  raw.resume();
  const total = client.received.length;
  const reaches = (r: WireRecord) =>
    r.dir === 'out' && r.off! + Buffer.from(r.b64 ?? '', 'base64').length >= total;
  await inspector.waitFor((rs) => rs.some((r) => r.kind === 'data' && reaches(r)), 'the last bytes', 10_000);

  const drops = inspector.messages.filter((m) => m.type === 'dropped') as (WireMessage & { next: number })[];
  assert.ok(drops.length > 0, 'told about what it missed');
  // records only jump where a dropped message said so
  let expected = 1;
  for (const m of inspector.messages) {
    if (m.type === 'dropped') expected = m.next as number;
    if (m.type !== 'records') continue;
    for (const r of m.records ?? []) {
      assert.equal(r.seq, expected);
      expected += 1;
    }
  }
  client.socket.destroy();
  inspector.close();
});

test('a reader stuck for inspectorStallMs is closed with 1008, telling it how to resume', async () => {
  const stuck = await startHarness({ inspectorMaxBufferedBytes: 64 * 1024, inspectorStallMs: 1_000 });
  const s = sessionId();
  const inspector = await InspectorClient.open(stuck.port, s);
  await until(() => inspector.live, 'live');
  const raw = (inspector.ws as WebSocket & { _socket: import('node:net').Socket })._socket;
  raw.pause();
  const client = await RawClient.connect(stuck.port);
  const n = 24 * 1024 * 1024;
  client.send(get(`/lab/${s}/bytes?n=${n}&size=4000`));
  await until(() => stuck.inspector.stats().channels === 0, 'the channel to be cut', 10_000);
  raw.resume();
  await until(() => inspector.closed, 'the close', 5_000);
  assert.equal(inspector.closeCode, 1008);
  assert.match(inspector.closeReason, /fell behind.*after=/);
  client.socket.destroy();
});
