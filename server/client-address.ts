/**
 * Who sent a request: the client address every per-address share and rate keys on (the lab's
 * session, room and connection shares, the classroom's rates and join-code misses).
 *
 * It is the TCP peer's address, unless that peer is a reverse proxy listed in
 * `WIRELAB_TRUST_PROXY`: then the proxy's `Forwarded` (RFC 7239) or `X-Forwarded-For` header says
 * who the proxy talked to. The header is read right to left, skipping trusted proxies, and the first
 * address not trusted is the client: entries further left were written by the client itself and
 * prove nothing. Without `WIRELAB_TRUST_PROXY` the headers are ignored, so nobody can pass for
 * someone else by writing one.
 *
 * An IPv6 client is keyed by its /64: a host gets a /64 from its router and may pick a fresh
 * address inside it for every request (RFC 8981), so one address would be no key at all.
 */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';

export interface TrustedProxies {
  /** True when `address` (as `net.Socket.remoteAddress` gives it) is a listed proxy. */
  has(address: string): boolean;
  /** How many entries were listed (0: the headers are never read). */
  readonly size: number;
}

/**
 * Parses `WIRELAB_TRUST_PROXY`: IPv4 and IPv6 addresses and CIDRs, separated by commas or spaces
 * (`10.0.0.5, 192.168.1.0/24, ::1, fd00::/8`). Throws an error naming `env` and the bad entry.
 */
export function parseTrustedProxies(raw: string, env = 'WIRELAB_TRUST_PROXY'): TrustedProxies {
  const list = new net.BlockList();
  const entries = raw.split(/[\s,]+/).filter((e) => e !== '');
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = net.isIP(address);
    const max = family === 4 ? 32 : 128;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (family === 0 || extra !== undefined) {
      throw new Error(
        `${env}: "${entry}" is not an IP address or CIDR (e.g. 10.0.0.5, 192.168.0.0/16, fd00::/8).`,
      );
    }
    if (prefix === undefined) {
      list.addAddress(address, type);
      continue;
    }
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
      throw new Error(`${env}: "${entry}" has a bad prefix length (0–${max} for IPv${family}).`);
    }
    list.addSubnet(address, Number(prefix), type);
  }
  return {
    size: entries.length,
    has(address) {
      const plain = plainAddress(address);
      const family = net.isIP(plain);
      if (family === 0) return false;
      return list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/** `::ffff:192.0.2.1` (an IPv4 client of a dual-stack socket) is `192.0.2.1`; other addresses as they are. */
function plainAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? (m[1] as string) : address;
}

/**
 * The key of a client address: an IPv4 address as it is, an IPv6 one as its /64
 * (`2001:db8:1:2::/64`), `::1` as itself; '' for anything that is not an address.
 */
export function addressKey(address: string): string {
  const plain = plainAddress(address);
  const family = net.isIP(plain);
  if (family === 4) return plain;
  if (family !== 6) return '';
  if (plain === '::1') return plain;
  return `${expandIPv6(plain).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without leading zeros (`2001:db8::1` → 2001 db8 0 0 0 0 0 1). */
function expandIPv6(address: string): string[] {
  // A trailing dotted IPv4 (`::ffff:1.2.3.4` forms other than the mapped one) counts as two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  let text = address.replace(/%.*$/, ''); // a zone (`fe80::1%eth0`) is not part of the address
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text =
      text.slice(0, text.length - v4[0].length) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16).toString(16));
}

/** The addresses a `Forwarded` header (RFC 7239 §4, `for=`) lists, oldest hop first; null when absent. */
function forwardedFor(header: string | undefined): string[] | null {
  if (header === undefined) return null;
  const out: string[] = [];
  for (const element of header.split(',')) {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq === -1 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
      let value = pair.slice(eq + 1).trim();
      if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      // RFC 7239 §6: "[2001:db8::17]:4711", "192.0.2.43:47011", "unknown", "_hidden".
      const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
      if (bracketed) value = bracketed[1] as string;
      else if (/^[\d.]+:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
      out.push(value);
    }
  }
  return out;
}

/** The addresses of `X-Forwarded-For`, oldest hop first (Node joins repeated header lines with ", "). */
function xForwardedFor(header: string | undefined): string[] | null {
  if (header === undefined) return null;
  return header.split(',').map((e) => e.trim());
}

/**
 * The client address of `req`, keyed (`addressKey`): the peer's, or, when the peer is a trusted
 * proxy, the nearest address in `Forwarded` (else `X-Forwarded-For`) that is not a trusted proxy.
 * An entry that is not an address (`unknown`, an obfuscated `_name`) stops the walk at the proxy
 * that wrote it.
 */
export function clientAddress(req: IncomingMessage, trusted: TrustedProxies): string {
  const peer = req.socket.remoteAddress ?? '';
  if (trusted.size === 0 || !trusted.has(peer)) return addressKey(peer);
  const forwarded = req.headers.forwarded;
  const hops =
    forwardedFor(Array.isArray(forwarded) ? forwarded.join(',') : forwarded) ??
    xForwardedFor(req.headers['x-forwarded-for'] as string | undefined) ??
    [];
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = plainAddress(hops[i] as string);
    if (net.isIP(hop) === 0) break;
    client = hop;
    if (!trusted.has(hop)) break;
  }
  return addressKey(client);
}

/** Reads the client address of requests, for everything that keys on one. */
export type ClientAddressOf = (req: IncomingMessage) => string;

/** `clientAddress` bound to the proxies listed in `raw` (`WIRELAB_TRUST_PROXY`), parsed now. */
export function createClientAddressOf(raw: string): ClientAddressOf {
  const trusted = parseTrustedProxies(raw);
  return (req) => clientAddress(req, trusted);
}
