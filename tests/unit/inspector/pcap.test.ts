import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  asIpv4,
  FLAG,
  internetChecksum,
  LINKTYPE_ETHERNET,
  MAX_SEGMENT,
  type TcpFlow,
  writePcap,
} from '../../../src/playground/inspector/pcap.ts';
import { bytes } from './capture.ts';

interface Parsed {
  tsUs: number;
  frame: Uint8Array;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  payload: Uint8Array;
  ipChecksumOk: boolean;
  tcpChecksumOk: boolean;
}

/** Reads a pcap file back: the global header and every packet, checking both checksums. */
function parse(file: Uint8Array): { linktype: number; snaplen: number; packets: Parsed[] } {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  assert.equal(v.getUint32(0, true), 0xa1b2c3d4, 'magic, microsecond resolution, little-endian');
  assert.equal(v.getUint16(4, true), 2);
  assert.equal(v.getUint16(6, true), 4);
  const snaplen = v.getUint32(16, true);
  const linktype = v.getUint32(20, true);
  const packets: Parsed[] = [];
  let at = 24;
  while (at < file.length) {
    const sec = v.getUint32(at, true);
    const usec = v.getUint32(at + 4, true);
    const incl = v.getUint32(at + 8, true);
    assert.equal(v.getUint32(at + 12, true), incl);
    assert.ok(usec < 1e6);
    const frame = file.subarray(at + 16, at + 16 + incl);
    at += 16 + incl;
    const f = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    assert.equal(f.getUint16(12), 0x0800, 'EtherType IPv4');
    const ip = frame.subarray(14, 34);
    assert.equal(ip[0], 0x45);
    assert.equal(f.getUint16(16), frame.length - 14, 'IPv4 total length');
    assert.equal(ip[9], 6, 'protocol TCP');
    const tcp = frame.subarray(34);
    const pseudo = new Uint8Array(12 + tcp.length);
    pseudo.set(ip.subarray(12, 20), 0);
    pseudo[9] = 6;
    pseudo[10] = tcp.length >> 8;
    pseudo[11] = tcp.length & 0xff;
    pseudo.set(tcp, 12);
    const dataOff = (tcp[12]! >> 4) * 4;
    packets.push({
      tsUs: sec * 1e6 + usec,
      frame,
      srcIp: Array.from(ip.subarray(12, 16)).join('.'),
      dstIp: Array.from(ip.subarray(16, 20)).join('.'),
      srcPort: f.getUint16(34),
      dstPort: f.getUint16(36),
      seq: f.getUint32(38),
      ack: f.getUint32(42),
      flags: tcp[13]!,
      payload: tcp.subarray(dataOff),
      ipChecksumOk: internetChecksum(ip) === 0,
      tcpChecksumOk: internetChecksum(pseudo) === 0,
    });
  }
  return { linktype, snaplen, packets };
}

const T = 1_700_000_000_000_000; // µs since the epoch
const REQ = bytes('GET /lab/s3ss10n_x/time HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
const RES = bytes('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');

function simpleFlow(): TcpFlow {
  return {
    client: { ip: '127.0.0.1', port: 51234 },
    server: { ip: '127.0.0.1', port: 4321 },
    openUs: T,
    events: [
      { kind: 'data', tUs: T + 100, dir: 'in', off: 0, bytes: REQ },
      { kind: 'data', tUs: T + 900, dir: 'out', off: 0, bytes: RES.subarray(0, 20) },
      { kind: 'data', tUs: T + 950, dir: 'out', off: 20, bytes: RES.subarray(20) },
      { kind: 'fin', tUs: T + 2000, dir: 'in' },
      { kind: 'fin', tUs: T + 2100, dir: 'out' },
    ],
  };
}

describe('pcap writer', () => {
  it('writes a libpcap file of Ethernet frames with valid IPv4 and TCP checksums', () => {
    const { linktype, snaplen, packets } = parse(writePcap([simpleFlow()]));
    assert.equal(linktype, LINKTYPE_ETHERNET);
    assert.ok(snaplen >= 65_535);
    assert.ok(packets.length > 0);
    for (const p of packets) {
      assert.ok(p.ipChecksumOk, 'IPv4 header checksum');
      assert.ok(p.tcpChecksumOk, 'TCP checksum');
    }
  });

  it('opens with SYN, SYN-ACK, ACK and numbers every byte by its stream offset', () => {
    const { packets } = parse(writePcap([simpleFlow()]));
    const [syn, synAck, ack, req, res1, res2] = packets;
    assert.equal(syn!.flags, FLAG.SYN);
    assert.equal(synAck!.flags, FLAG.SYN | FLAG.ACK);
    assert.equal(ack!.flags, FLAG.ACK);
    const isnC = syn!.seq;
    const isnS = synAck!.seq;
    assert.equal(synAck!.ack, (isnC + 1) >>> 0);
    assert.equal(ack!.ack, (isnS + 1) >>> 0);
    assert.equal(syn!.srcPort, 51234);
    assert.equal(syn!.dstPort, 4321);

    assert.equal(req!.flags, FLAG.PSH | FLAG.ACK);
    assert.equal(req!.seq, (isnC + 1) >>> 0);
    assert.deepEqual(req!.payload, REQ);
    assert.equal(res1!.srcPort, 4321);
    assert.equal(res1!.seq, (isnS + 1) >>> 0);
    assert.equal(res1!.ack, (isnC + 1 + REQ.length) >>> 0, 'the response acknowledges the whole request');
    assert.equal(res2!.seq, (isnS + 1 + 20) >>> 0);
    assert.deepEqual(res2!.payload, RES.subarray(20));
  });

  it('ends with FIN from each side, each acknowledged, sequence numbers counting the FIN', () => {
    const { packets } = parse(writePcap([simpleFlow()]));
    const tail = packets.slice(-4);
    const [finC, ackS, finS, ackC] = tail;
    const isnC = packets[0]!.seq;
    const isnS = packets[1]!.seq;
    assert.equal(finC!.flags, FLAG.FIN | FLAG.ACK);
    assert.equal(finC!.seq, (isnC + 1 + REQ.length) >>> 0);
    assert.equal(ackS!.flags, FLAG.ACK);
    assert.equal(ackS!.ack, (isnC + 2 + REQ.length) >>> 0);
    assert.equal(finS!.flags, FLAG.FIN | FLAG.ACK);
    assert.equal(finS!.seq, (isnS + 1 + RES.length) >>> 0);
    assert.equal(ackC!.ack, (isnS + 2 + RES.length) >>> 0);
    assert.equal(ackC!.seq, (isnC + 2 + REQ.length) >>> 0);
  });

  it('takes timestamps from the capture, in order across flows', () => {
    const other: TcpFlow = {
      client: { ip: '10.0.0.7', port: 40000 },
      server: { ip: '10.0.0.1', port: 4321 },
      openUs: T + 500,
      events: [{ kind: 'data', tUs: T + 600, dir: 'in', off: 0, bytes: bytes('x') }],
    };
    const { packets } = parse(writePcap([simpleFlow(), other]));
    for (let i = 1; i < packets.length; i++) assert.ok(packets[i]!.tsUs >= packets[i - 1]!.tsUs);
    assert.equal(packets[0]!.tsUs, T);
    assert.ok(packets.some((p) => p.srcIp === '10.0.0.7' && p.dstIp === '10.0.0.1'));
  });

  it('splits a read larger than an IPv4 packet into segments with consecutive sequence numbers', () => {
    const big = new Uint8Array(MAX_SEGMENT * 2 + 10).map((_, i) => i & 0xff);
    const flow: TcpFlow = {
      client: { ip: '127.0.0.1', port: 1 },
      server: { ip: '127.0.0.1', port: 2 },
      events: [{ kind: 'data', tUs: T, dir: 'out', off: 0, bytes: big }],
    };
    const { packets } = parse(writePcap([flow]));
    assert.equal(packets.length, 3);
    assert.equal(packets[1]!.seq - packets[0]!.seq, MAX_SEGMENT);
    assert.equal(packets[2]!.payload.length, 10);
    assert.ok(packets.every((p) => p.tcpChecksumOk && p.ipChecksumOk));
  });

  it('ends a reset connection with RST, and leaves a capture gap as a jump in sequence numbers', () => {
    const flow: TcpFlow = {
      client: { ip: '127.0.0.1', port: 1 },
      server: { ip: '127.0.0.1', port: 2 },
      events: [
        { kind: 'data', tUs: T, dir: 'out', off: 100, bytes: bytes('late bytes') },
        { kind: 'rst', tUs: T + 5, dir: 'in' },
      ],
    };
    const { packets } = parse(writePcap([flow]));
    assert.equal(packets.length, 2, 'no handshake when the open was not captured');
    const rst = packets[1]!;
    assert.ok(rst.flags & FLAG.RST);
    assert.equal(rst.srcPort, 1);
    assert.equal(rst.ack, (packets[0]!.seq + 10) >>> 0);
  });

  it('writes IPv4 addresses for what the server reports', () => {
    assert.equal(asIpv4('::ffff:192.168.1.20', 'x'), '192.168.1.20');
    assert.equal(asIpv4('::1', 'x'), '127.0.0.1');
    assert.equal(asIpv4('fe80::1', '10.0.0.2'), '10.0.0.2');
    assert.equal(asIpv4(undefined, '10.0.0.2'), '10.0.0.2');
  });

  it('is read by tshark as HTTP over TCP, when tshark is installed', (t) => {
    let tshark = '';
    try {
      tshark = execFileSync('sh', ['-c', 'command -v tshark'], { encoding: 'utf8' }).trim();
    } catch {
      // not installed
    }
    if (!tshark) {
      t.skip('tshark is not installed');
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wl-pcap-'));
    const file = path.join(dir, 'capture.pcap');
    fs.writeFileSync(file, writePcap([simpleFlow()]));
    const out = execFileSync(
      tshark,
      [
        '-r',
        file,
        '-o',
        'tcp.check_checksum:TRUE',
        '-d',
        'tcp.port==4321,http',
        '-T',
        'fields',
        '-e',
        'frame.protocols',
        '-e',
        'http.response.code',
        '-e',
        '_ws.expert.message',
      ],
      { encoding: 'utf8', env: { ...process.env, HOME: dir } },
    );
    fs.rmSync(dir, { recursive: true, force: true });
    assert.match(out, /eth:ethertype:ip:tcp:http/);
    assert.match(out, /\t200\t/);
    assert.doesNotMatch(out, /checksum|previous segment|retransmission/i);
  });
});
