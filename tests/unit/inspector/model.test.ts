import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldIndex } from '../../../src/playground/inspector/field-index.ts';
import { CaptureModel } from '../../../src/playground/inspector/model.ts';
import { ConnectionDissector } from '../../../src/wire/index.ts';
import { bytes, chunk, RecordWriter, SSE_HEAD, SSE_REQUEST } from './capture.ts';

const hello = (continued = true) =>
  ({
    type: 'hello',
    v: 1,
    session: 's3ss10n_x',
    serverTime: { epochMs: 1_700_000_000_000, monoUs: 5_000_000 },
    resume: { after: 0, continued },
  }) as const;

function model(opts: ConstructorParameters<typeof CaptureModel>[0] = {}) {
  return new CaptureModel({ createDissector: () => new ConnectionDissector(), ...opts });
}

function sseCapture(): RecordWriter {
  return new RecordWriter()
    .open(1, 1_000_000)
    .data(1, 1_000_100, 'in', SSE_REQUEST)
    .data(1, 1_001_000, 'out', SSE_HEAD)
    .data(1, 1_002_000, 'out', chunk('id: 1\nevent: tick\ndata: {"price":101.25}\n\n'))
    .data(1, 2_002_000, 'out', chunk('id: 2\nevent: tick\ndata: 价格上涨\n\n'));
}

describe('capture model', () => {
  it('a forgotten session keeps what it shows until its capture begins again', () => {
    const m = model();
    m.apply(hello());
    m.apply({ type: 'records', records: sseCapture().records });
    m.apply({ type: 'forgotten', bound: 'maxSessions', maxSessions: 2, records: 5, bytes: 300, lastSeq: 5 });
    assert.deepEqual(m.forgotten, { maxSessions: 2 });
    assert.equal(m.connections.length, 1, 'the connection stays on screen');
    // The session's next bytes: a hello that does not continue, then a new log from seq 1.
    m.apply({ ...hello(false), resume: { after: 5, continued: false } });
    assert.equal(m.forgotten, undefined);
    assert.equal(m.connections.length, 0);
    m.apply({ type: 'records', records: sseCapture().records });
    assert.equal(m.connections.length, 1);
    assert.equal(m.lastSeq, 5);
  });

  it('folds records into a connection with both byte streams, its reads and writes, and decoded items', () => {
    const m = model();
    m.apply(hello());
    m.apply({ type: 'records', records: sseCapture().records });
    assert.equal(m.connections.length, 1);
    const c = m.connections[0]!;
    assert.equal(c.index, 1);
    assert.equal(c.bytes.in.end, bytes(SSE_REQUEST).length);
    assert.deepEqual(c.bytes.in.slice(0, 3), bytes('GET'));
    assert.deepEqual(
      c.marks.map((k) => [k.dir, k.t]),
      [
        ['in', 1_000_100],
        ['out', 1_001_000],
        ['out', 1_002_000],
        ['out', 2_002_000],
      ],
    );
    const s = c.summary();
    assert.equal(s.method, 'GET');
    assert.equal(s.status, 200);
    assert.equal(s.technique, 'sse');
    const kinds = c.items.map((f) => f.kind);
    assert.ok(kinds.includes('http-request'));
    assert.ok(kinds.includes('http-response'));
    assert.ok(kinds.filter((k) => k === 'sse-event').length === 2, kinds.join(','));
    assert.equal(m.wallMs(5_000_000), 1_700_000_000_000);
  });

  it('ignores records it already has when a reconnect replays them (seq ≤ lastSeq)', () => {
    const m = model();
    const records = sseCapture().records;
    m.apply({ type: 'records', records: records.slice(0, 3) });
    m.apply({ type: 'records', records });
    const c = m.connections[0]!;
    assert.equal(c.marks.length, 4);
    assert.equal(m.lastSeq, records.at(-1)!.seq);
    assert.equal(c.items.filter((f) => f.kind === 'sse-event').length, 2);
  });

  it('counts missing bytes at a gap and stops decoding that direction there', () => {
    const w = new RecordWriter().open(1, 0).data(1, 1, 'in', SSE_REQUEST).data(1, 2, 'out', SSE_HEAD);
    w.skip(1, 'out', 40).data(1, 3, 'out', chunk('data: after the gap\n\n'));
    const m = model();
    m.apply({ type: 'records', records: w.records });
    const c = m.connections[0]!;
    assert.equal(c.bytes.out.missingBytes, 40);
    assert.equal(c.desync.out, true);
    assert.equal(c.desync.in, undefined);
    assert.equal(c.items.filter((f) => f.kind === 'sse-event').length, 0);
  });

  it('keeps only the newest bytes per direction past its cap, and says how many it dropped', () => {
    const w = new RecordWriter().open(1, 0).data(1, 1, 'in', SSE_REQUEST).data(1, 2, 'out', SSE_HEAD);
    for (let i = 0; i < 100; i++) w.data(1, 10 + i, 'out', chunk(`data: ${'x'.repeat(90)}\n\n`));
    const m = model({ bytesPerDirection: 2048 });
    m.apply({ type: 'records', records: w.records });
    const store = m.connections[0]!.bytes.out;
    assert.ok(store.size <= 2048 + 200, `kept ${store.size}`);
    assert.equal(store.droppedBytes + store.size, store.end);
    assert.ok(store.droppedBytes > 0);
    assert.equal(store.byteAt(0), -1);
    assert.equal(store.byteAt(store.end - 1), 0x0a);
    // The dissector saw every byte even so.
    assert.equal(m.connections[0]!.items.filter((f) => f.kind === 'sse-event').length, 100);
  });

  it('marks Runs, and clear() forgets closed connections but keeps open ones', () => {
    const w = sseCapture()
      .open(2, 3_000_000)
      .data(2, 3_000_100, 'in', 'GET /lab/s3ss10n_x/time HTTP/1.1\r\n\r\n');
    w.data(2, 3_001_000, 'out', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
      .end(2, 3_002_000, 'in')
      .close(2, 3_003_000);
    const m = model();
    m.markRun(900_000);
    m.apply({ type: 'records', records: w.records });
    assert.deepEqual(m.runs, [900_000]);
    assert.equal(m.connections[1]!.closed?.how, 'fin');
    m.clear();
    assert.deepEqual(
      m.connections.map((c) => c.id),
      ['1'],
    );
    const changes = m.takeChanges();
    assert.equal(changes.list, true);
  });

  it('starts over when the server says the session began again', () => {
    const m = model();
    m.apply(hello());
    m.apply({ type: 'records', records: sseCapture().records });
    m.apply(hello(false));
    assert.equal(m.connections.length, 0);
    assert.equal(m.lastSeq, 0);
  });

  it('finds the innermost field under a byte, and the path down to it', () => {
    const m = model();
    m.apply({ type: 'records', records: sseCapture().records });
    const c = m.connections[0]!;
    const index = new FieldIndex();
    index.update(c.items);
    const text = new TextDecoder().decode(c.bytes.out.slice(0, c.bytes.out.end));
    const at = text.indexOf('event: tick');
    const f = index.innermost('out', at + 2);
    assert.ok(f, 'a field covers the byte');
    assert.ok(f.end - f.start <= 'event: tick\n'.length, `innermost is small: ${f.kind} ${f.start}-${f.end}`);
    const path = index.pathTo(f);
    assert.ok(path.length >= 2);
    assert.equal(index.parentOf(path[0]!), null);
    // A byte of the request line belongs to the request.
    const g = index.innermost('in', 1);
    assert.ok(g && index.pathTo(g)[0]!.kind === 'http-request');
  });

  it('keeps finding fields by byte when the dissector drops its oldest items (its item cap)', () => {
    const w = new RecordWriter().open(1, 0).data(1, 1, 'in', SSE_REQUEST).data(1, 2, 'out', SSE_HEAD);
    const m = new CaptureModel({ createDissector: () => new ConnectionDissector({ maxItems: 12 }) });
    const index = new FieldIndex();
    m.apply({ type: 'records', records: w.records });
    const c = m.connections[0]!;
    let at = c.bytes.out.end;
    for (let i = 0; i < 40; i++) {
      const text = chunk(`data: ${i}\n\n`);
      const w2 = new RecordWriter(m.lastSeq);
      w2.skip(1, 'out', at).data(1, 10 + i, 'out', text);
      m.apply({ type: 'records', records: w2.records });
      index.update(c.items);
      at += bytes(text).length;
    }
    assert.equal(c.items.length, 12);
    const f = index.innermost('out', at - 3);
    assert.ok(f, 'the newest bytes have a field');
    assert.ok(c.items.includes(index.pathTo(f)[0]!), 'it belongs to a kept item');
    assert.equal(index.innermost('out', 5), undefined, 'the dropped head is forgotten');
  });

  it('notes lab messages and how the connection closed', () => {
    const w = sseCapture().note(1, 2_100_000, 'stream ended: 500 messages (WIRELAB_MAX_STREAM_MESSAGES)');
    w.close(1, 2_200_000, 'reset', 'server');
    const m = model();
    m.apply({ type: 'records', records: w.records });
    const c = m.connections[0]!;
    assert.equal(c.notes[0]?.text, 'stream ended: 500 messages (WIRELAB_MAX_STREAM_MESSAGES)');
    assert.deepEqual(c.closed, {
      t: 2_200_000,
      how: 'reset',
      by: 'server',
      error: undefined,
      cause: undefined,
      unseen: undefined,
      unread: undefined,
    });
    assert.equal(c.duration, 1_200_000);
  });
});

describe('the records-lost notice (the server began the session again)', () => {
  /** A model that had a Run's records, then heard a hello that does not continue them. */
  function restarted(moved?: boolean) {
    const m = model();
    m.apply(hello());
    m.apply({ type: 'records', records: sseCapture().records });
    m.takeChanges();
    m.apply(moved === undefined ? hello(false) : { ...hello(false), moved });
    return m;
  }

  it('says the records were forgotten when the server began the session again after we had some', () => {
    const m = restarted();
    assert.equal(m.loss, 'forgotten');
    assert.equal(m.connections.length, 0, 'what we had is dropped: the seqs start over');
    assert.equal(m.takeChanges().session, true, 'the panel hears of it');
  });

  it('says the session moved when the hello says another process took it over', () => {
    assert.equal(restarted(true).loss, 'moved');
    assert.equal(restarted(false).loss, 'forgotten');
  });

  it('says nothing when there was nothing to lose, or the records continue', () => {
    const fresh = model();
    fresh.apply({ ...hello(false), moved: true });
    assert.equal(fresh.loss, undefined, 'a first hello that does not continue: we had no records');
    const m = model();
    m.apply(hello());
    m.apply({ type: 'records', records: sseCapture().records });
    m.apply({ ...hello(true), moved: true });
    assert.equal(m.loss, undefined, 'continued: nothing was lost, wherever the session lives');
    assert.equal(m.connections.length, 1);
  });

  it('keeps the notice while new records arrive, until the learner clears the panel', () => {
    const m = restarted(true);
    m.apply({ type: 'records', records: sseCapture().records });
    assert.equal(m.connections.length, 1);
    assert.equal(m.loss, 'moved', 'new records do not hide it');
    m.takeChanges();
    m.clear();
    assert.equal(m.loss, undefined);
    assert.equal(m.takeChanges().session, true);
  });

  it('goes away when told (a new Run), and a later restart says so again', () => {
    const m = restarted();
    m.forgetLoss();
    assert.equal(m.loss, undefined);
    m.apply({ type: 'records', records: sseCapture().records });
    m.apply({ ...hello(false), moved: true });
    assert.equal(m.loss, 'moved');
  });
});
