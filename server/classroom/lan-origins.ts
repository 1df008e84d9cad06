/**
 * Where learners can reach this server: the origins (`http://192.168.1.20:4321`) to print under
 * the join code and encode in its QR code. The server knows its network interfaces and the
 * address it listens on; the `Host` header says what the teacher typed, which on a LAN is often
 * the best answer of all.
 */
import type { AddressInfo } from 'node:net';
import os from 'node:os';

export interface LanOrigins {
  /** Best first. Empty when the server cannot be reached from other machines. */
  readonly origins: string[];
  /** False when the server listens on loopback only (and was not reached by another name): learners' laptops cannot reach it. */
  readonly exposed: boolean;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i;

/** The origins learners can use, from the request's `Host` header and the listening address. */
export function lanOrigins(
  hostHeader: string | undefined,
  listening: AddressInfo | string | null,
  interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(),
): LanOrigins {
  if (!listening || typeof listening === 'string') return { origins: [], exposed: false };
  const port = listening.port;
  const everywhere = listening.address === '0.0.0.0' || listening.address === '::';

  const origins: string[] = [];
  const host = parseHost(hostHeader);
  // What the teacher typed reaches this server (directly, or through a proxy), unless it is
  // "this machine" (localhost), which means something else on every learner's laptop.
  if (host && !LOOPBACK.test(host.name)) origins.push(`http://${host.raw}`);
  if (everywhere) {
    const addresses: string[] = [];
    for (const list of Object.values(interfaces)) {
      for (const nic of list ?? []) {
        if (!nic.internal && nic.family === 'IPv4') addresses.push(nic.address);
      }
    }
    addresses.sort((a, b) => rank(a) - rank(b));
    for (const a of addresses) origins.push(`http://${a}:${port}`);
  } else if (!LOOPBACK.test(listening.address)) {
    const name = listening.family === 'IPv6' ? `[${listening.address}]` : listening.address;
    origins.push(`http://${name}:${port}`);
  }
  const unique = [...new Set(origins)];
  return { origins: unique, exposed: unique.length > 0 };
}

/** Home and school networks first (192.168/16, 10/8), then 172.16/12 (often a container bridge), link-local last. */
function rank(address: string): number {
  if (address.startsWith('192.168.')) return 0;
  if (address.startsWith('10.')) return 1;
  if (/^172\.(1[6-9]|2\d|3[01])\./.test(address)) return 2;
  if (address.startsWith('169.254.')) return 4;
  return 3;
}

/** `192.168.1.20:4321` → its name and the text as typed; null when it is not a plausible host. */
function parseHost(header: string | undefined): { name: string; raw: string } | null {
  if (!header || !/^[A-Za-z0-9.\-:[\]]{1,255}$/.test(header)) return null;
  const name = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0];
  return name ? { name, raw: header } : null;
}
