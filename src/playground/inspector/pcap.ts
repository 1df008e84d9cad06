/**
 * Writes a capture as a classic libpcap file that Wireshark and tcpdump open.
 *
 * The server captured bytes at the socket, not packets, so the packets are synthesized:
 * Ethernet II + IPv4 + TCP, a three-way handshake (SYN, SYN-ACK, ACK) when the connection
 * was opened for these bytes, one data segment per captured read or write (split when larger
 * than an IPv4 packet can carry), and the FINs and RST the capture saw, in the order it saw
 * them. Sequence numbers follow the connection's stream offsets exactly — on a reused
 * connection they start after the earlier traffic, with no handshake — so Wireshark's "Follow
 * TCP Stream" shows the bytes as they crossed the socket, and bytes that are not here (an
 * earlier session's, the site's) show as "previous segment not captured".
 *
 * Formats: pcap (wiki.wireshark.org/Development/LibpcapFileFormat), IPv4 (RFC 791),
 * TCP (RFC 9293), the Internet checksum (RFC 1071).
 */

export type Dir = 'in' | 'out';

export interface Endpoint {
  /** Dotted IPv4. */
  ip: string;
  port: number;
}

/** `off` and `at`: offsets in the connection's stream that way (its sequence number − ISN − 1). */
export type FlowEvent =
  | { kind: 'data'; tUs: number; dir: Dir; off: number; bytes: Uint8Array }
  | { kind: 'fin'; tUs: number; dir: Dir; at?: number | undefined }
  | { kind: 'rst'; tUs: number; dir: Dir };

/** One TCP connection: `in` is client → server, `out` server → client. */
export interface TcpFlow {
  client: Endpoint;
  server: Endpoint;
  /** Time of the handshake in µs since the Unix epoch; without it no SYN is written. */
  openUs?: number | undefined;
  /** Bytes each way that crossed the connection before these events (a reused connection). */
  before?: { in: number; out: number } | undefined;
  /** In time order. */
  events: FlowEvent[];
}

/** LINKTYPE_ETHERNET (tcpdump.org/linktypes.html). */
export const LINKTYPE_ETHERNET = 1;
const PCAP_MAGIC = 0xa1b2c3d4; // microsecond timestamps
const SNAPLEN = 262_144;
const ETH = 14;
const IP = 20;
const TCP = 20;
/** Largest TCP payload one IPv4 packet can carry (total length is 16 bits). */
export const MAX_SEGMENT = 65_535 - IP - TCP;

export const FLAG = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

interface Packet {
  tUs: number;
  order: number;
  frame: Uint8Array;
}

/** Returns the pcap file for these flows, packets of all flows merged in time order. */
export function writePcap(flows: readonly TcpFlow[]): Uint8Array {
  const packets: Packet[] = [];
  let order = 0;
  flows.forEach((flow, i) => {
    for (const p of flowPackets(flow, i)) packets.push({ ...p, order: order++ });
  });
  packets.sort((a, b) => a.tUs - b.tUs || a.order - b.order);

  let size = 24;
  for (const p of packets) size += 16 + p.frame.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  // Global header, little-endian: magic, version 2.4, thiszone, sigfigs, snaplen, network.
  view.setUint32(0, PCAP_MAGIC, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setInt32(8, 0, true);
  view.setUint32(12, 0, true);
  view.setUint32(16, SNAPLEN, true);
  view.setUint32(20, LINKTYPE_ETHERNET, true);
  let at = 24;
  for (const p of packets) {
    const us = Math.max(0, Math.round(p.tUs));
    view.setUint32(at, Math.floor(us / 1e6), true);
    view.setUint32(at + 4, us % 1e6, true);
    view.setUint32(at + 8, p.frame.length, true);
    view.setUint32(at + 12, p.frame.length, true);
    out.set(p.frame, at + 16);
    at += 16 + p.frame.length;
  }
  return out;
}

/** The packets of one flow, in order. `n` makes its initial sequence numbers and MACs distinct. */
function flowPackets(flow: TcpFlow, n: number): Array<{ tUs: number; frame: Uint8Array }> {
  const out: Array<{ tUs: number; frame: Uint8Array }> = [];
  // Initial sequence numbers: arbitrary but fixed, so the same capture gives the same file.
  const isn: Record<Dir, number> = {
    in: (Math.imul(flow.client.port + 1, 2_654_435_761) + n * 7919) >>> 0,
    out: (Math.imul(flow.server.port + 1 + n, 40_503) ^ 0x5eed_0000) >>> 0,
  };
  /** Bytes of each direction's stream delivered so far (what the other side acknowledges). */
  const sent: Record<Dir, number> = { in: flow.before?.in ?? 0, out: flow.before?.out ?? 0 };
  const finSent: Record<Dir, boolean> = { in: false, out: false };
  const ipId: Record<Dir, number> = { in: (n * 1000) & 0xffff, out: (n * 1000 + 500) & 0xffff };
  const handshake = flow.openUs !== undefined;

  const packet = (tUs: number, dir: Dir, seq: number, flags: number, payload?: Uint8Array) => {
    const other: Dir = dir === 'in' ? 'out' : 'in';
    const ack = flags & FLAG.ACK ? isn[other] + 1 + sent[other] + (finSent[other] ? 1 : 0) : 0;
    const src = dir === 'in' ? flow.client : flow.server;
    const dst = dir === 'in' ? flow.server : flow.client;
    out.push({
      tUs,
      frame: frame(src, dst, n, dir, ipId[dir], seq >>> 0, ack >>> 0, flags, payload ?? new Uint8Array(0)),
    });
    ipId[dir] = (ipId[dir] + 1) & 0xffff;
  };

  if (handshake) {
    const t = flow.openUs!;
    packet(t, 'in', isn.in, FLAG.SYN);
    packet(t, 'out', isn.out, FLAG.SYN | FLAG.ACK);
    packet(t, 'in', isn.in + 1, FLAG.ACK);
  }
  for (const ev of flow.events) {
    const other: Dir = ev.dir === 'in' ? 'out' : 'in';
    if (ev.kind === 'data') {
      for (let i = 0; i < ev.bytes.length; i += MAX_SEGMENT) {
        const part = ev.bytes.subarray(i, i + MAX_SEGMENT);
        const off = ev.off + i;
        packet(ev.tUs, ev.dir, isn[ev.dir] + 1 + off, FLAG.PSH | FLAG.ACK, part);
        sent[ev.dir] = Math.max(sent[ev.dir], off + part.length);
      }
    } else if (ev.kind === 'fin') {
      if (finSent[ev.dir]) continue;
      // Bytes of others may have come before the FIN: it sits after them.
      if (ev.at !== undefined) sent[ev.dir] = Math.max(sent[ev.dir], ev.at);
      packet(ev.tUs, ev.dir, isn[ev.dir] + 1 + sent[ev.dir], FLAG.FIN | FLAG.ACK);
      finSent[ev.dir] = true;
      // The peer's kernel acknowledges the FIN at once.
      packet(ev.tUs, other, isn[other] + 1 + sent[other] + (finSent[other] ? 1 : 0), FLAG.ACK);
    } else {
      packet(ev.tUs, ev.dir, isn[ev.dir] + 1 + sent[ev.dir] + (finSent[ev.dir] ? 1 : 0), FLAG.RST | FLAG.ACK);
      break;
    }
  }
  return out;
}

/** One Ethernet II frame carrying an IPv4 packet carrying a TCP segment. */
function frame(
  src: Endpoint,
  dst: Endpoint,
  n: number,
  dir: Dir,
  id: number,
  seq: number,
  ack: number,
  flags: number,
  payload: Uint8Array,
): Uint8Array {
  const buf = new Uint8Array(ETH + IP + TCP + payload.length);
  const v = new DataView(buf.buffer);
  // Ethernet: locally administered MACs, 02:00:00:00:<flow>:<01 client | 02 server>.
  const mac = (side: number) => [0x02, 0, 0, (n >> 8) & 0xff, n & 0xff, side];
  buf.set(mac(dir === 'in' ? 2 : 1), 0); // destination
  buf.set(mac(dir === 'in' ? 1 : 2), 6); // source
  v.setUint16(12, 0x0800); // EtherType IPv4

  const ip = ETH;
  const srcIp = ipv4Bytes(src.ip);
  const dstIp = ipv4Bytes(dst.ip);
  v.setUint8(ip, 0x45); // version 4, header length 5 words
  v.setUint8(ip + 1, 0);
  v.setUint16(ip + 2, IP + TCP + payload.length);
  v.setUint16(ip + 4, id);
  v.setUint16(ip + 6, 0x4000); // don't fragment
  v.setUint8(ip + 8, 64); // TTL
  v.setUint8(ip + 9, 6); // TCP
  buf.set(srcIp, ip + 12);
  buf.set(dstIp, ip + 16);
  v.setUint16(ip + 10, internetChecksum(buf.subarray(ip, ip + IP)));

  const tcp = ETH + IP;
  v.setUint16(tcp, src.port);
  v.setUint16(tcp + 2, dst.port);
  v.setUint32(tcp + 4, seq);
  v.setUint32(tcp + 8, ack);
  v.setUint8(tcp + 12, (TCP / 4) << 4);
  v.setUint8(tcp + 13, flags);
  v.setUint16(tcp + 14, 65_535); // window
  v.setUint16(tcp + 18, 0); // urgent pointer
  buf.set(payload, tcp + TCP);
  v.setUint16(tcp + 16, tcpChecksum(srcIp, dstIp, buf.subarray(tcp)));
  return buf;
}

/**
 * The Internet checksum (RFC 1071): the one's complement of the one's complement sum of
 * 16-bit words, `initial` already summed in (the pseudo-header, for TCP).
 */
export function internetChecksum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  const n = bytes.length;
  for (let i = 0; i + 1 < n; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (n % 2 === 1) sum += bytes[n - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The TCP checksum over the segment (its checksum field zero) and the IPv4 pseudo-header (RFC 9293 §3.1). */
export function tcpChecksum(srcIp: Uint8Array, dstIp: Uint8Array, segment: Uint8Array): number {
  let pseudo = 6 + segment.length;
  for (const ip of [srcIp, dstIp]) pseudo += ((ip[0]! << 8) | ip[1]!) + ((ip[2]! << 8) | ip[3]!);
  return internetChecksum(segment, pseudo);
}

/** The four bytes of a dotted IPv4 address (0.0.0.0 when it is not one). */
export function ipv4Bytes(ip: string): Uint8Array {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    return new Uint8Array(4);
  return Uint8Array.from(parts);
}

/**
 * The IPv4 address to write for an address the server reported: itself when IPv4, the
 * embedded one for IPv4-mapped IPv6 (`::ffff:10.0.0.7`), 127.0.0.1 for `::1`, else `fallback`
 * (pcap here carries IPv4 only).
 */
export function asIpv4(address: string | undefined, fallback: string): string {
  if (!address) return fallback;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const v4 = mapped ? mapped[1]! : address;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v4) && ipv4Bytes(v4).some((b) => b !== 0)) return v4;
  if (address === '::1') return '127.0.0.1';
  return fallback;
}
