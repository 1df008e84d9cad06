/**
 * Saving the capture: the model's connections handed to the HAR and pcap writers, and the
 * result offered as a download (a blob: link, which the page's CSP allows).
 */
import { buildHar, type HarConnection } from './har.ts';
import type { CaptureModel, Connection } from './model.ts';
import { asIpv4, type FlowEvent, type TcpFlow, writePcap } from './pcap.ts';

/** The connection as the HAR writer reads it. */
export function harConnection(
  c: Connection,
  serverIp?: string,
  sayEnding?: (c: Connection) => string,
): HarConnection {
  return {
    id: c.id,
    items: c.items,
    bytes: (dir, from, to) => c.bytes[dir].slice(from, to),
    openT: c.openT ?? c.firstT,
    closeT: c.closed?.t,
    serverIp,
    ending: sayEnding ? sayEnding(c) : undefined,
  };
}

/**
 * The connection as a TCP flow for the pcap writer: its kept bytes, FINs and ending, in time
 * order, exactly as the capture saw them: the FIN of each side that was seen, the RST of a
 * reset, and nothing the server could not see (the client's answer after the server's socket
 * was gone). A reused connection keeps its real sequence numbers and has no handshake.
 */
export function tcpFlow(c: Connection, wallUs: (t: number) => number, serverIp: string): TcpFlow {
  const events: FlowEvent[] = [];
  const marks = c.marks;
  for (const m of marks) {
    const store = c.bytes[m.dir];
    const bytes = store.slice(m.off, m.off + m.len);
    if (bytes.length === 0) continue;
    // A mark partly dropped from the display cap starts later than it did.
    const off = Math.max(m.off, m.off + m.len - bytes.length);
    events.push({ kind: 'data', tUs: wallUs(m.t), dir: m.dir, off: c.wireOffset(m.dir, off), bytes });
  }
  for (const dir of ['in', 'out'] as const) {
    const t = c.fin[dir];
    if (t !== undefined) events.push({ kind: 'fin', tUs: wallUs(t), dir, at: c.finAt[dir] });
  }
  if (c.closed) {
    const t = wallUs(c.closed.t);
    const first = c.closed.by === 'client' ? 'in' : 'out';
    if (c.closed.how === 'fin') {
      if (c.fin[first] === undefined) events.push({ kind: 'fin', tUs: t, dir: first });
      const other = first === 'in' ? 'out' : 'in';
      if (c.fin[other] === undefined && !c.closed.unseen) events.push({ kind: 'fin', tUs: t, dir: other });
    } else {
      events.push({ kind: 'rst', tUs: t, dir: first });
    }
  }
  events.sort((a, b) => a.tUs - b.tUs);
  const client = asIpv4(c.client?.address, '10.0.0.2');
  return {
    client: { ip: client, port: c.client?.port ?? 40_000 + c.index },
    server: { ip: serverIp, port: c.server?.port ?? 80 },
    // A reused connection's handshake was for someone else's bytes, long before.
    openUs: c.openT === undefined || c.reused ? undefined : wallUs(c.openT),
    before: c.before,
    events,
  };
}

/** The server's address for exports: the page's host when it is an IPv4 literal, else loopback. */
export function serverIpFor(host: string): string {
  return asIpv4(host.replace(/^\[|\]$/g, ''), '127.0.0.1');
}

/** Wall-clock µs of capture time `t` (the model's clock pair, or the page's clock as a stand-in). */
function wallUsOf(model: CaptureModel): (t: number) => number {
  return (t) => {
    const ms = model.wallMs(t);
    return ms === undefined ? t : ms * 1000;
  };
}

/**
 * The capture as a HAR 1.2 document (JSON text); `sayEnding` says how a connection ended (the
 * panel's sentence), written as the comment of its last entry.
 */
export function exportHar(
  model: CaptureModel,
  conns: readonly Connection[],
  origin: string,
  sayEnding?: (c: Connection) => string,
): string {
  const ip = serverIpFor(new URL(origin).hostname);
  const har = buildHar(
    conns.map((c) => harConnection(c, ip, c.closed ? sayEnding : undefined)),
    {
      origin,
      wallMs: (t) => model.wallMs(t) ?? t / 1000,
      comment: 'Exported from the Wire Lab inspector.',
    },
  );
  return JSON.stringify(har, null, 2);
}

/** The connections as TCP flows on the wall clock, as the pcap export writes them. */
export function pcapFlows(model: CaptureModel, conns: readonly Connection[], host: string): TcpFlow[] {
  const ip = serverIpFor(host);
  const wallUs = wallUsOf(model);
  return conns.map((c) => tcpFlow(c, wallUs, ip));
}

/** The capture as a pcap file. */
export function exportPcap(model: CaptureModel, conns: readonly Connection[], host: string): Uint8Array {
  return writePcap(pcapFlows(model, conns, host));
}

/** Offers `data` as a file download. */
export function download(data: BlobPart, type: string, name: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name stamped with the local date and time: wire-lab-2025-11-26-1142.har. */
export function fileName(ext: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `wire-lab-${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}.${ext}`;
}
