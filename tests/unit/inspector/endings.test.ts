/**
 * Every way a connection ends, through the panel's model and the dissector: the decoded tree
 * shows the end (FIN, RST, or the socket closed), says what was cut short, the panel's sentence
 * says what TCP did and who first, and the pcap flow carries exactly the FINs and RST seen.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Field } from '../../../src/wire/bytes.ts';
import { ConnectionDissector } from '../../../src/wire/index.ts';
import { tcpFlow } from '../../../src/playground/inspector/export.ts';
import { buildHar } from '../../../src/playground/inspector/har.ts';
import { harConnection } from '../../../src/playground/inspector/export.ts';
import { CaptureModel, type Connection } from '../../../src/playground/inspector/model.ts';
import { writePcap } from '../../../src/playground/inspector/pcap.ts';
import type { CaptureRecord } from '../../../src/playground/inspector/protocol.ts';
import { inspectorStrings } from '../../../src/playground/inspector/strings.ts';
import { closedSentence, endingOf } from '../../../src/playground/inspector/summary.ts';
import {
  bytes,
  chunk,
  RecordWriter,
  SSE_HEAD,
  SSE_REQUEST,
  WS_REQUEST,
  WS_SWITCHED,
  wsFrame,
} from './capture.ts';

const en = inspectorStrings('en');
const zh = inspectorStrings('zh');

type Close = Extract<CaptureRecord, { kind: 'close' }>;

/** Folds `w`'s records, then a close record with `close`, into a model; returns the connection. */
function ended(w: RecordWriter, t: number, close: Omit<Close, 'seq' | 'kind' | 'conn' | 't'>): Connection {
  const last = w.records.at(-1)?.seq ?? 0;
  w.records.push({ seq: last + 1, kind: 'close', conn: 1, t, ...close } as Close);
  const m = new CaptureModel({ createDissector: () => new ConnectionDissector() });
  m.apply({ type: 'records', records: w.records });
  return m.connections[0]!;
}

/** The end items (FIN, RST, closed) of a direction. */
function endsOf(c: Connection, dir: 'in' | 'out'): Field[] {
  return c.items.filter((f) => f.kind === 'fin' && f.dir === dir);
}

const incomplete = (c: Connection) => c.items.filter((f) => f.kind === 'incomplete');
const flowKinds = (c: Connection) =>
  tcpFlow(c, (t) => t, '127.0.0.1')
    .events.filter((e) => e.kind !== 'data')
    .map((e) => `${e.dir}:${e.kind}`);

function sse(): RecordWriter {
  return new RecordWriter()
    .open(1, 1_000)
    .data(1, 1_100, 'in', SSE_REQUEST)
    .data(1, 1_200, 'out', SSE_HEAD)
    .data(1, 1_300, 'out', chunk('id: 1\ndata: one\n\n'));
}

const ONE_SHOT_REQUEST = 'GET /lab/s3ss10n_x/time?drop=1 HTTP/1.1\r\nHost: 127.0.0.1:4321\r\n\r\n';
const ONE_SHOT = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok';

describe('how a connection ends, through the dissector', () => {
  it('sse?drop=1: the server’s FIN ends the stream before the last chunk, and the client’s answer is unseen', () => {
    const c = ended(sse().end(1, 2_000, 'out'), 2_010, {
      how: 'fin',
      by: 'server',
      cause: 'destroy',
      unseen: true,
    });
    assert.equal(endsOf(c, 'out')[0]?.label, 'FIN');
    assert.match(incomplete(c)[0]?.note ?? '', /before the last chunk/);
    assert.equal(endsOf(c, 'in')[0]?.label, 'closed', 'nothing more was seen from the client');
    assert.deepEqual(flowKinds(c), ['out:fin'], 'no FIN from the client is made up');
    const e = endingOf(c, en);
    assert.equal(e.short, 'FIN');
    assert.match(e.long, /first by the server.*socket\.destroy\(\).*not in the capture/s);
    assert.doesNotMatch(e.long, /without a FIN|RST/);
  });

  it('echo?drop=2: no Close frame before the server’s FIN is close code 1006', () => {
    const w = new RecordWriter()
      .open(1, 1_000)
      .data(1, 1_100, 'in', WS_REQUEST)
      .data(1, 1_200, 'out', WS_SWITCHED)
      .data(1, 1_300, 'in', wsFrame(1, bytes('a'), [1, 2, 3, 4]))
      .data(1, 1_400, 'out', wsFrame(1, bytes('a')))
      .data(1, 1_500, 'out', wsFrame(1, bytes('b')))
      .end(1, 1_600, 'out');
    const c = ended(w, 1_610, { how: 'fin', by: 'server', cause: 'destroy', unseen: true });
    assert.match(endsOf(c, 'out')[0]?.note ?? '', /no Close frame before FIN: close code 1006/);
  });

  it('drop=1 after a whole one-shot answer: FIN first by the server, nothing incomplete', () => {
    const w = new RecordWriter()
      .open(1, 1_000)
      .data(1, 1_100, 'in', ONE_SHOT_REQUEST)
      .data(1, 1_200, 'out', ONE_SHOT)
      .end(1, 1_300, 'out');
    const c = ended(w, 1_310, { how: 'fin', by: 'server', cause: 'destroy', unseen: true });
    assert.deepEqual(incomplete(c), []);
    assert.equal(endsOf(c, 'out')[0]?.label, 'FIN');
    assert.equal(c.closed?.how, 'fin');
  });

  it('a close-delimited body cut by the server’s FIN is shown, ended by the FIN', () => {
    const w = new RecordWriter()
      .open(1, 1_000)
      .data(1, 1_100, 'in', ONE_SHOT_REQUEST)
      .data(1, 1_200, 'out', 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nstreamed until the end')
      .end(1, 1_300, 'out');
    const c = ended(w, 1_310, { how: 'fin', by: 'server', cause: 'destroy', unseen: true });
    assert.match(endsOf(c, 'out')[0]?.note ?? '', /FIN ends the body/);
    const res = c.items.find((f) => f.kind === 'http-response') as
      | (Field & { bodyBytes?: number })
      | undefined;
    assert.equal(res?.bodyBytes, 'streamed until the end'.length);
  });

  it('a close-delimited body ended by a reset says nothing tells whether it was whole', () => {
    const w = new RecordWriter()
      .open(1, 1_000)
      .data(1, 1_100, 'in', ONE_SHOT_REQUEST)
      .data(1, 1_200, 'out', 'HTTP/1.1 200 OK\r\n\r\npart');
    const c = ended(w, 1_310, {
      how: 'reset',
      by: 'client',
      error: 'ECONNRESET',
      cause: 'peer',
      unseen: false,
    });
    assert.equal(endsOf(c, 'out')[0]?.label, 'RST');
    assert.equal(endsOf(c, 'in')[0]?.label, 'RST');
    assert.match(endsOf(c, 'out')[0]?.note ?? '', /reset ends the body/);
    assert.deepEqual(flowKinds(c), ['in:rst']);
    assert.match(endingOf(c, en).long, /Reset \(RST\) by the client.*ECONNRESET/);
  });

  it('a keep-alive timeout: FIN first by the server after the idle timeout', () => {
    const w = new RecordWriter()
      .open(1, 1_000)
      .data(1, 1_100, 'in', ONE_SHOT_REQUEST)
      .data(1, 1_200, 'out', ONE_SHOT);
    w.records.push({ seq: 4, kind: 'timeout', conn: 1, t: 5_000 });
    const after = new RecordWriter(4).end(1, 5_001, 'out');
    w.records.push(...after.records);
    const c = ended(w, 5_010, { how: 'fin', by: 'server', cause: 'timeout', unseen: true });
    assert.match(endingOf(c, en).long, /keep-alive timeout/);
    assert.match(endingOf(c, zh).long, /keep-alive 超时/);
    assert.deepEqual(flowKinds(c), ['out:fin']);
  });

  it('the client closing: FIN from the client, then the server’s, both in the flow in that order', () => {
    const w = new RecordWriter()
      .open(1, 1_000)
      .data(1, 1_100, 'in', ONE_SHOT_REQUEST)
      .data(1, 1_200, 'out', ONE_SHOT)
      .end(1, 2_000, 'in')
      .end(1, 2_001, 'out');
    const c = ended(w, 2_010, { how: 'fin', by: 'client', cause: 'peer', unseen: false });
    assert.deepEqual(flowKinds(c), ['in:fin', 'out:fin']);
    assert.equal(closedSentence(c, en), en('inspector.end.fin.peer'));
  });

  it('a stream cut by the client’s reset (Stop): both directions end with RST, the chunked body is incomplete', () => {
    const c = ended(sse(), 3_000, {
      how: 'reset',
      by: 'client',
      error: 'ECONNRESET',
      cause: 'peer',
      unseen: false,
    });
    assert.match(incomplete(c)[0]?.note ?? '', /before the last chunk/);
    assert.deepEqual(
      c.items.filter((f) => f.kind === 'fin').map((f) => `${f.dir}:${f.label}`),
      ['out:RST', 'in:RST'],
    );
    assert.equal(endingOf(c, en).kind, 'reset');
  });

  it('a server reset (resetAndDestroy) is an RST from the server in the flow and the panel', () => {
    const c = ended(sse(), 3_000, { how: 'reset', by: 'server', cause: 'reset', unseen: true });
    assert.deepEqual(flowKinds(c), ['out:rst']);
    assert.match(endingOf(c, en).long, /resetAndDestroy/);
    assert.match(endingOf(c, zh).long, /重置/);
  });

  it('a server closing with the client’s bytes unread is the kernel’s RST, and the panel says why and how many', () => {
    const c = ended(sse(), 3_000, {
      how: 'reset',
      by: 'server',
      cause: 'unread',
      unseen: false,
      unread: 400_000,
    });
    assert.deepEqual(flowKinds(c), ['out:rst']);
    assert.match(incomplete(c)[0]?.note ?? '', /before the last chunk/);
    assert.match(endingOf(c, en).long, /Reset \(RST\) by the server.*391 KB.*unread.*RFC 2525/s);
    assert.doesNotMatch(endingOf(c, en).long, /resetAndDestroy/);
    assert.match(endingOf(c, zh).long, /被服务器重置（RST）.*391 KB.*没读/s);
  });

  it('records of an older server (destroyed, timeout) are read as the server’s FIN', () => {
    for (const how of ['destroyed', 'timeout'] as const) {
      const c = ended(sse(), 3_000, { how, by: 'server' });
      assert.equal(c.closed?.how, 'fin');
      assert.deepEqual(flowKinds(c), ['out:fin']);
      assert.match(incomplete(c)[0]?.note ?? '', /before the last chunk/);
    }
  });

  it('the HAR says how the connection ended, in the panel’s words', () => {
    const c = ended(sse().end(1, 2_000, 'out'), 2_010, {
      how: 'fin',
      by: 'server',
      cause: 'destroy',
      unseen: true,
    });
    const har = buildHar([harConnection(c, '127.0.0.1', (x) => closedSentence(x, en))], {
      origin: 'http://127.0.0.1:4321',
      wallMs: (t) => t / 1000,
    });
    assert.equal(har.log.entries[0]?.comment, closedSentence(c, en));
  });
});

describe('a reused connection', () => {
  function reused(before: { in: number; out: number }): Connection {
    const w = new RecordWriter(1); // seq 1 is this open record
    w.records.push({
      seq: 1,
      kind: 'open',
      conn: 1,
      t: 1_000,
      client: { address: '127.0.0.1', port: 50_001 },
      server: { port: 4321 },
      reused: true,
      before,
    });
    w.data(1, 1_100, 'in', ONE_SHOT_REQUEST)
      .data(1, 1_200, 'out', ONE_SHOT)
      .end(1, 2_000, 'in')
      .end(1, 2_001, 'out');
    return ended(w, 2_010, { how: 'fin', by: 'client', cause: 'peer', unseen: false });
  }

  /** Sequence number of the first packet from the client in a one-flow pcap. */
  function firstClientSeq(c: Connection): { seq: number; syn: boolean } {
    const pcap = writePcap([tcpFlow(c, (t) => t, '127.0.0.1')]);
    const v = new DataView(pcap.buffer);
    const tcp = 24 + 16 + 14 + 20;
    return { seq: v.getUint32(tcp + 4), syn: (v.getUint8(tcp + 13) & 0x02) !== 0 };
  }

  it('keeps the real sequence numbers: its bytes start after the earlier traffic, with no handshake of its own', () => {
    const fresh = firstClientSeq(reused({ in: 0, out: 0 }));
    const later = firstClientSeq(reused({ in: 1234, out: 99 }));
    assert.equal(fresh.syn, false);
    assert.equal(later.syn, false);
    assert.equal((later.seq - fresh.seq) >>> 0, 1234);
  });

  it('bytes of the session after others’ on the connection keep their place on the wire, and so does the FIN', () => {
    const w = new RecordWriter().open(1, 1_000).data(1, 1_100, 'in', ONE_SHOT_REQUEST); // seq 1, 2
    w.records.push(
      { seq: 3, kind: 'rejoined', conn: 1, t: 1_200, dir: 'in', at: 500 },
      { seq: 4, kind: 'data', conn: 1, t: 1_300, dir: 'in', off: ONE_SHOT_REQUEST.length, b64: 'eA==' },
      { seq: 5, kind: 'end', conn: 1, t: 1_400, dir: 'in', at: 700 },
    );
    const c = ended(w, 1_500, { how: 'fin', by: 'client', cause: 'peer', unseen: false });
    const flow = tcpFlow(c, (t) => t, '127.0.0.1');
    const data = flow.events.filter((e) => e.kind === 'data').map((e) => e.off);
    assert.deepEqual(data, [0, 500]);
    assert.deepEqual(
      flow.events
        .filter((e) => e.kind === 'fin' && e.dir === 'in')
        .map((e) => ('at' in e ? e.at : undefined)),
      [700],
    );
  });

  it('the panel’s note says it was reused and how many earlier bytes were not this session’s', () => {
    const c = reused({ in: 52, out: 200 });
    assert.deepEqual(c.before, { in: 52, out: 200 });
    assert.match(en('inspector.note.reused', { in: '52 B', out: '200 B' }), /52 B sent and 200 B received/);
  });
});
