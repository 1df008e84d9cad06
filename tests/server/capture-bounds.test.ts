/**
 * The capture's memory is bounded per session and in total, whatever flows:
 * old records are dropped and counted, idle sessions forgotten.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { CaptureStore, type SessionLog } from '../../server/capture/store.ts';
import { RecordRing } from '../../server/capture/ring.ts';
import {
  delay,
  get,
  InspectorClient,
  RawClient,
  sessionId,
  startHarness,
  until,
  type WireMessage,
} from './capture-harness.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

test('after far more bytes than its cap, a session holds less than the cap and the inspector counts what was dropped', async () => {
  const h = await startHarness({ captureBytesPerSession: 64 * KiB });
  const s = sessionId();
  const client = await RawClient.connect(h.port);
  const n = 4 * MiB;
  client.send(get(`/lab/${s}/bytes?n=${n}&size=4096`));
  await client.waitFor('HTTP/1.1 200');
  await until(() => client.received.length >= n + 100, 'the whole body', 10_000);
  const snapshot = h.capture.snapshot(s)!;
  assert.ok(snapshot.bytes <= 64 * KiB, `held ${snapshot.bytes} bytes`);
  assert.ok(h.capture.stats().bytes <= 64 * KiB);

  const inspector = await InspectorClient.open(h.port, s);
  await until(() => inspector.live, 'the replay');
  const dropped = inspector.messages.find((m) => m.type === 'dropped') as WireMessage & {
    records: number;
    bytes: number;
    exact: boolean;
    next: number;
  };
  assert.ok(dropped, 'a dropped message');
  const kept = inspector.records.reduce((sum, r) => sum + Buffer.from(r.b64 ?? '', 'base64').length, 0);
  assert.equal(
    dropped.bytes + kept,
    client.sent.length + client.received.length,
    'every byte kept or counted',
  );
  assert.equal(dropped.exact, true);
  assert.equal(dropped.next, inspector.records[0]!.seq);
  assert.equal(dropped.records, inspector.records[0]!.seq - 1);
  client.socket.destroy();
  inspector.close();
});

test('memory stays flat however long a stream runs', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const h = await startHarness({ captureBytesPerSession: 256 * KiB, captureBytesTotal: 1 * MiB });
  const used = async () => {
    gc();
    await delay(20); // backing stores are freed after the collection
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  /** Streams `n` bytes through a client that counts them without keeping them. */
  const stream = async (n: number) => {
    const socket = net.connect(h.port, '127.0.0.1');
    let got = 0;
    await new Promise<void>((resolve) => {
      socket.on('data', (d: Buffer) => {
        got += d.length;
        if (got >= n + 100) resolve();
      });
      socket.write(get(`/lab/${sessionId()}/bytes?n=${n}&size=1000`));
    });
    socket.destroy();
  };
  /** Many small writes (chunked strings, kept in the arena), until `n` bytes arrived. */
  const drip = async (writes: number) => {
    const client = await RawClient.connect(h.port);
    client.send(get(`/lab/${sessionId()}/drip?n=${writes}`));
    await client.waitFor('0\r\n\r\n', 1, 20_000);
    client.socket.destroy();
  };
  await stream(2 * MiB); // warm up
  await drip(2_000);
  const before = await used();
  for (let i = 0; i < 4; i++) await stream(8 * MiB);
  for (let i = 0; i < 3; i++) await drip(5_000);
  const growth = (await used()) - before;
  assert.ok(
    growth < 2 * MiB,
    `grew ${(growth / MiB).toFixed(1)} MiB after 32 MiB and 15 000 small writes captured`,
  );
  assert.ok(h.capture.stats().bytes <= 1 * MiB);
});

/** Appends `n` data bytes to a session as one record. */
function put(store: CaptureStore, log: SessionLog, n: number): void {
  const bytes = Buffer.alloc(n, 1);
  store.appendData(log, 1, 0, 'out', 0, bytes, 0, n);
}

test('over the total cap, the largest session gives up its oldest records first', () => {
  const store = new CaptureStore({
    bytesPerSession: 1 * MiB,
    bytesTotal: 1.5 * MiB,
    maxSessions: 10,
    idleMs: 60_000,
  });
  const big = store.log('big-session');
  const mid = store.log('mid-session');
  const small = store.log('small-session');
  for (let i = 0; i < 90; i++) put(store, big, 10 * KiB);
  for (let i = 0; i < 40; i++) put(store, mid, 10 * KiB);
  for (let i = 0; i < 10; i++) put(store, small, 10 * KiB);
  assert.equal(big.ring.droppedRecords + mid.ring.droppedRecords + small.ring.droppedRecords, 0);
  for (let i = 0; i < 20; i++) put(store, small, 10 * KiB);
  assert.ok(store.total <= 1.5 * MiB);
  assert.ok(big.ring.droppedRecords > 0, 'the largest gave up records');
  assert.equal(small.ring.droppedRecords, 0, 'the smallest kept everything');
  assert.equal(small.ring.length, 30);
});

test('over the total cap, a class of equal sessions comes down to one level together', () => {
  const store = new CaptureStore({
    bytesPerSession: 1 * MiB,
    bytesTotal: 4 * MiB,
    maxSessions: 400,
    idleMs: 60_000,
  });
  const logs = Array.from({ length: 300 }, (_, i) => store.log(`learner-session-${i}`));
  for (const log of logs) store.watch(log.session, { wake() {} });
  // Each learner's capture grows in turn, as a class push reaches them one after the other.
  for (let round = 0; round < 20; round++) for (const log of logs) put(store, log, 1 * KiB);
  assert.ok(store.total <= 4 * MiB);
  const charges = logs.map((log) => log.ring.charge);
  const oneRecord = Math.max(...logs.map((log) => log.ring.charge / log.ring.length));
  assert.ok(
    Math.max(...charges) - Math.min(...charges) <= 2 * oneRecord,
    `sizes within two records of each other: ${Math.min(...charges)}–${Math.max(...charges)} bytes`,
  );
  assert.ok(
    logs.every((log) => log.ring.length >= 5),
    'each keeps its newest records',
  );
});

test('over the total cap, sessions nobody watches give up their records before a watched one does', () => {
  const store = new CaptureStore({
    bytesPerSession: 1 * MiB,
    bytesTotal: 1.5 * MiB,
    maxSessions: 100,
    idleMs: 60_000,
  });
  const learner = store.log('watched-session');
  store.watch('watched-session', { wake() {} });
  for (let i = 0; i < 90; i++) put(store, learner, 10 * KiB);
  // A flood of made-up sessions, none watched, each smaller than the learner's.
  const flood = Array.from({ length: 40 }, (_, i) => store.log(`flood-session-${i}`));
  for (let round = 0; round < 5; round++) for (const log of flood) put(store, log, 10 * KiB);
  assert.ok(store.total <= 1.5 * MiB);
  assert.equal(learner.ring.droppedRecords, 0, 'the watched session kept everything');
  assert.ok(
    flood.some((log) => log.ring.droppedRecords > 0),
    'the unwatched ones gave up records',
  );
});

test('a session nobody watched for sessionIdleMs is forgotten; a watched one is kept', () => {
  const store = new CaptureStore({
    bytesPerSession: 1 * MiB,
    bytesTotal: 8 * MiB,
    maxSessions: 10,
    idleMs: 1_000,
  });
  const idle = store.log('idle-session');
  const watched = store.log('watched-session');
  put(store, idle, 100);
  put(store, watched, 100);
  store.watch('watched-session', { wake() {} });
  const later = Math.max(idle.lastActive, watched.lastActive) + 1_001_000;
  assert.equal(store.sweep(later), 1);
  assert.equal(store.find('idle-session'), undefined);
  assert.equal(idle.gone, true);
  assert.ok(store.find('watched-session'));
  assert.equal(store.stats().records, 1);
});

test('beyond maxSessions, the longest idle unwatched session makes room', () => {
  const store = new CaptureStore({
    bytesPerSession: 1 * MiB,
    bytesTotal: 8 * MiB,
    maxSessions: 2,
    idleMs: 60_000,
  });
  const first = store.log('first-session');
  first.lastActive = 0;
  store.log('second-session');
  store.log('third-session');
  assert.equal(store.stats().sessions, 2);
  assert.equal(store.find('first-session'), undefined);
});

test('watching sessions that captured nothing takes none of maxSessions; their first bytes wake the watcher', () => {
  const store = new CaptureStore({
    bytesPerSession: 1 * MiB,
    bytesTotal: 8 * MiB,
    maxSessions: 2,
    idleMs: 60_000,
  });
  let woken = 0;
  for (let i = 0; i < 5; i++) store.watch(`watched-empty-${i}`, { wake: () => woken++ });
  assert.deepEqual([store.stats().sessions, store.stats().watched], [0, 5]);
  put(store, store.log('watched-empty-3'), 100);
  assert.equal(woken, 1);
  assert.equal(store.stats().sessions, 1);
});

test('when every kept session is watched, the longest idle one is forgotten for a new one, and its watchers are told', () => {
  const store = new CaptureStore({
    bytesPerSession: 1 * MiB,
    bytesTotal: 8 * MiB,
    maxSessions: 2,
    idleMs: 60_000,
  });
  const told: Array<{ session: string; info: unknown }> = [];
  const watcher = (session: string) => ({
    wake() {},
    forgotten: (info: unknown) => told.push({ session, info }),
  });
  store.watch('watched-older', watcher('watched-older'));
  store.watch('watched-newer', watcher('watched-newer'));
  const older = store.log('watched-older');
  put(store, older, 100);
  put(store, older, 50);
  older.lastActive = 1; // idle the longest
  put(store, store.log('watched-newer'), 100);
  // A third session's bytes: both kept ones are watched, so the bound still holds.
  put(store, store.log('third-session'), 100);
  assert.equal(store.stats().sessions, 2);
  assert.equal(store.find('watched-older'), undefined);
  assert.equal(older.gone, true);
  assert.ok(store.find('watched-newer'));
  assert.deepEqual(told, [
    {
      session: 'watched-older',
      info: { bound: 'maxSessions', maxSessions: 2, records: 2, bytes: 150, lastSeq: 2 },
    },
  ]);
  // Still watched: the session's next bytes begin a new log at seq 1, and wake the same watcher.
  let woken = false;
  store.watch('watched-older', { wake: () => (woken = true) });
  const again = store.log('watched-older');
  put(store, again, 10);
  assert.equal(again.ring.firstSeq, 1);
  assert.equal(woken, true);
  assert.equal(store.stats().sessions, 2);
  assert.equal(store.find('third-session'), undefined, 'the unwatched session made room');
  assert.ok(store.find('watched-newer'), 'not the watched one');
});

test('a session forgotten beyond maxSessions though watched: its inspector is told, then starts over with the session’s next bytes', async () => {
  const h = await startHarness({ maxSessions: 2 });
  try {
    const [a, b, c] = [sessionId(), sessionId(), sessionId()];
    const ia = await InspectorClient.open(h.port, a);
    const ib = await InspectorClient.open(h.port, b);
    const plain = async (s: string) => {
      const client = await RawClient.connect(h.port);
      client.send(get(`/lab/${s}/plain`));
      await client.waitFor('hello, wire');
      client.socket.destroy();
    };
    await plain(a);
    await ia.waitFor((rs) => rs.some((r) => r.kind === 'close'), 'A’s connection closed');
    await plain(b);
    await ib.waitFor((rs) => rs.some((r) => r.kind === 'close'), 'B’s connection closed');
    const aLast = ia.records.at(-1)!.seq;
    // C's bytes need a place: A and B are both watched, A is the longest idle.
    await plain(c);
    await until(() => ia.messages.some((m) => m.type === 'forgotten'), 'A told its capture was forgotten');
    const forgotten = ia.messages.find((m) => m.type === 'forgotten')!;
    assert.equal(forgotten.bound, 'maxSessions');
    assert.equal(forgotten.maxSessions, 2);
    assert.equal(forgotten.lastSeq, aLast);
    assert.ok(h.capture.stats().sessions <= 2);
    assert.equal(
      ib.messages.some((m) => m.type === 'forgotten'),
      false,
      'B was not the idlest',
    );
    // A again: a new hello that does not continue, then the new log from seq 1.
    const seen = ia.records.length;
    await plain(a);
    await ia.waitFor(
      (rs) => rs.length > seen && rs.some((r, i) => i >= seen && r.kind === 'close'),
      'A again',
    );
    const hellos = ia.messages.filter((m) => m.type === 'hello');
    assert.equal(hellos.length, 2);
    assert.deepEqual(hellos[1]!.resume, { after: aLast, continued: false });
    const fresh = ia.records.slice(seen);
    assert.equal(fresh[0]!.seq, 1);
    assert.equal(fresh[0]!.kind, 'open');
    assert.ok(h.capture.stats().sessions <= 2);
    ia.close();
    ib.close();
  } finally {
    await h.close();
  }
});

test('a reader resuming after a dropped record learns exactly how many records and bytes it missed', () => {
  const ring = new RecordRing();
  let cum = 0;
  for (let seq = 1; seq <= 3000; seq++) {
    const bytes = Buffer.alloc(seq % 7);
    cum += bytes.length;
    ring.push('data', 1, seq, 'in', 0, bytes, 0, bytes.length, 1, null);
  }
  assert.equal(ring.cum, cum);
  for (let i = 0; i < 2500; i++) ring.dropOldest();
  const bytesThrough = (seq: number) =>
    Array.from({ length: seq }, (_, i) => (i + 1) % 7).reduce((a, b) => a + b, 0);
  assert.deepEqual(ring.missedAfter(0), { records: 2500, bytes: bytesThrough(2500), exact: true });
  assert.deepEqual(ring.missedAfter(2000), {
    records: 500,
    bytes: bytesThrough(2500) - bytesThrough(2000),
    exact: true,
  });
  assert.deepEqual(ring.missedAfter(2500), { records: 0, bytes: 0, exact: true });
  const far = ring.missedAfter(100); // older than the remembered drops: a lower bound
  assert.equal(far.records, 2400);
  assert.equal(far.exact, false);
  assert.ok(far.bytes <= bytesThrough(2500) - bytesThrough(100));
});

test('a closed page’s capture goes after captureIdleMs quiet; one an inspector watches stays', async () => {
  const h = await startHarness({ captureIdleMs: 1_500, sessionIdleMs: 60_000 });
  try {
    const [gone, open] = [sessionId(), sessionId()];
    const watching = await InspectorClient.open(h.port, open);
    for (const s of [gone, open]) {
      const client = await RawClient.connect(h.port);
      client.send(get(`/lab/${s}/plain`));
      await client.waitFor('hello, wire');
      client.socket.destroy();
    }
    await until(() => h.capture.snapshot(gone) !== undefined, 'the closed page’s capture');
    await until(() => h.capture.snapshot(gone) === undefined, 'the closed page’s capture forgotten', 5_000);
    assert.ok(h.capture.snapshot(open), 'the watched capture is kept');
    assert.equal(
      watching.messages.some((m) => m.type === 'forgotten'),
      false,
    );
    watching.close();
  } finally {
    await h.close();
  }
});
