/**
 * The loopback capture's own checks, which decide whether a comparison with the wire may be
 * trusted: dumpcap's drop counters read from a pcapng file, and a hole in a flow (a packet tshark
 * dropped) found by Wireshark's analysis, on a pcap with one segment cut out.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type TcpFlow, writePcap } from '../../../src/playground/inspector/pcap.ts';
import { cannotCapture, captureStats, holes, packets } from '../../helpers/loopback-capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'wl-capture-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A pcapng block: type, length, body padded to 4, length again. */
function block(type: number, body: Buffer): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(padded.length + 12, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(padded.length + 12, 0);
  return Buffer.concat([head, padded, tail]);
}

/** An option: code, length, value padded to 4. */
function option(code: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(code, 0);
  head.writeUInt16LE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

/** A section header, then an interface statistics block as dumpcap writes it (a comment first). */
function pcapng(received: number, dropped: number): Buffer {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const isb = Buffer.concat([
    Buffer.alloc(12), // interface 0, timestamp 0
    option(1, Buffer.from('Counters provided by dumpcap')),
    option(2, u64(1)),
    option(4, u64(received)),
    option(5, u64(dropped)),
    option(0, Buffer.alloc(0)),
  ]);
  return Buffer.concat([block(0x0a0d0d0a, shb), block(5, isb)]);
}

test("captureStats reads dumpcap's received and dropped counts from the statistics block", () => {
  assert.deepEqual(captureStats(pcapng(613, 43)), { received: 613, dropped: 43 });
  assert.deepEqual(captureStats(pcapng(20, 0)), { received: 20, dropped: 0 });
  // Counters are totals since the capture began: a later block's are the ones that count.
  const later = pcapng(30, 5).subarray(28); // its statistics block alone
  assert.deepEqual(captureStats(Buffer.concat([pcapng(20, 2), later])), { received: 30, dropped: 5 });
});

test('captureStats counts nothing in a file with no statistics (a pcap, a cut-off pcapng)', () => {
  const flow: TcpFlow = {
    client: { ip: '127.0.0.1', port: 40000 },
    server: { ip: '127.0.0.1', port: 8080 },
    events: [],
  };
  assert.deepEqual(captureStats(Buffer.from(writePcap([flow]))), { received: 0, dropped: 0 });
  assert.deepEqual(captureStats(pcapng(5, 2).subarray(0, 40)), { received: 0, dropped: 0 });
  assert.deepEqual(captureStats(Buffer.alloc(0)), { received: 0, dropped: 0 });
});

/** A pcap's records after its 24-byte header: each a 16-byte header and the frame. */
function records(file: Uint8Array): Buffer[] {
  const b = Buffer.from(file);
  const out: Buffer[] = [];
  for (let at = 24; at + 16 <= b.length; ) {
    const len = b.readUInt32LE(at + 8);
    out.push(b.subarray(at, at + 16 + len));
    at += 16 + len;
  }
  return out;
}

test('holes: a segment missing from the file is found on its connection, and only there', (t) => {
  const why = cannotCapture();
  if (why) return t.skip(why);
  const flow = (port: number): TcpFlow => ({
    client: { ip: '127.0.0.1', port },
    server: { ip: '127.0.0.1', port: 8080 },
    openUs: 0,
    events: ['AAAA', 'BBBB', 'CCCC'].map((text, i) => ({
      kind: 'data' as const,
      tUs: 1000 * (i + 1),
      dir: 'out' as const,
      off: 4 * i,
      bytes: Buffer.from(text),
    })),
  });
  const file = writePcap([flow(40001), flow(40002)]);
  const whole = join(dir, 'whole.pcap');
  writeFileSync(whole, file);
  const all = records(file);
  // Cut the second segment of the first connection only.
  const cut = all.findIndex((r) => r.includes(Buffer.from('BBBB')));
  assert.ok(cut > 0, 'the second segment is in the file');
  const holed = join(dir, 'holed.pcap');
  writeFileSync(
    holed,
    Buffer.concat([Buffer.from(file).subarray(0, 24), ...all.filter((_, i) => i !== cut)]),
  );

  assert.equal(holes(packets(whole), 40001, 8080), 0, 'a whole flow has no hole');
  assert.ok(holes(packets(holed), 40001, 8080) > 0, 'the cut flow has one');
  assert.equal(holes(packets(holed), 40002, 8080), 0, 'the other flow is still whole');
});
