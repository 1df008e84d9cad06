/**
 * A real packet capture of loopback with `tshark`, and tshark's reading of pcap files, for tests
 * that compare the inspector's pcap export with the wire (tests/server/wire-endings.test.ts,
 * tests/e2e/endings.spec.ts). Capturing needs `tshark` and the right to capture on `lo` (root,
 * or dumpcap's capabilities): `cannotCapture()` and `LoopbackCapture.start()` say why not.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';

/** Why capturing cannot work here, or undefined when it can be tried. */
export function cannotCapture(): string | undefined {
  const v = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) return 'tshark is not installed (Debian package `tshark`)';
  if (process.platform !== 'linux') return 'loopback capture on `lo` is Linux only';
  return undefined;
}

/** What the kernel handed the capture and what it dropped (dumpcap's counters, pcapng's ISB). */
export interface CaptureStats {
  received: number;
  dropped: number;
}

/** One capture of loopback for the whole file: tshark starts slowly (seconds). */
export class LoopbackCapture {
  private readonly parts: Buffer[] = [];
  private size = 0;
  private stderr = '';
  private exited = false;
  private readonly proc: ChildProcess;
  private constructor(proc: ChildProcess) {
    this.proc = proc;
    proc.stdout!.on('data', (d: Buffer) => {
      this.parts.push(d);
      this.size += d.length;
    });
    proc.stderr!.on('data', (d: Buffer) => {
      this.stderr += String(d);
    });
    proc.on('exit', () => {
      this.exited = true;
    });
  }

  /** Starts tshark on `lo` for `port`; resolves once it is seen capturing, or says why it cannot. */
  static async start(port: number): Promise<LoopbackCapture | string> {
    // Packets written to a pipe as they come, so a probe connection shows when capture is live.
    // The kernel's buffer is 64 MiB, not dumpcap's 2: the other test worker loads the same port
    // with 64 KiB loopback segments, and while the two cores are busy 2 MiB filled and dropped
    // packets in most runs, now and then one of the flows under test.
    const proc = spawn('tshark', ['-i', 'lo', '-B', '64', '-f', `tcp port ${port}`, '-w', '-'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const cap = new LoopbackCapture(proc);
    const deadline = Date.now() + 60_000;
    while (cap.size <= 24) {
      if (cap.exited || Date.now() > deadline) {
        proc.kill('SIGKILL');
        return `tshark could not capture on lo: ${cap.stderr.trim().split('\n').at(-1) ?? 'no output'}`;
      }
      await probe(port);
      await new Promise((r) => setTimeout(r, 100));
    }
    return cap;
  }

  /** Whether a packet from client port `from` to `to` has been captured (its two ports, in order). */
  saw(from: number, to: number): boolean {
    const ports = Buffer.from([from >> 8, from & 0xff, to >> 8, to & 0xff]);
    return Buffer.concat(this.parts).includes(ports);
  }

  /**
   * Waits until everything before now is in the capture: the kernel's last packets (the answer
   * to a FIN) follow a socket's close by a moment, and tshark hands packets on with a lag, so
   * this waits for a probe connection opened after them to show.
   */
  async settle(port: number): Promise<void> {
    const last = await probe(port);
    const deadline = Date.now() + 30_000;
    while (!this.saw(last, port)) {
      if (Date.now() > deadline) throw new Error('the last probe never showed in the capture');
      await probe(port);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops capturing, writes the capture to `file` and returns its counters (what was dropped). */
  async stop(file: string): Promise<CaptureStats> {
    if (!this.exited) {
      this.proc.kill('SIGINT');
      await new Promise<void>((r) => (this.exited ? r() : this.proc.once('exit', () => r())));
    }
    const all = Buffer.concat(this.parts);
    writeFileSync(file, all);
    return captureStats(all);
  }
}

/**
 * The counters of a pcapng capture of one interface, from its last interface statistics block
 * (type 5): `isb_ifrecv` (option 4) and `isb_ifdrop` (option 5), each a 64-bit count since the
 * capture began (a later block repeats and adds to an earlier one's). Dumpcap writes one when it
 * stops; a capture without one (killed, or not pcapng) counts nothing dropped that it knows of.
 */
export function captureStats(file: Buffer): CaptureStats {
  const stats = { received: 0, dropped: 0 };
  if (file.length < 12 || file.readUInt32LE(0) !== 0x0a0d0d0a) return stats;
  const little = file.readUInt32LE(8) === 0x1a2b3c4d;
  const u32 = (at: number) => (little ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const u16 = (at: number) => (little ? file.readUInt16LE(at) : file.readUInt16BE(at));
  const u64 = (at: number) => Number(little ? file.readBigUInt64LE(at) : file.readBigUInt64BE(at));
  for (let at = 0; at + 12 <= file.length; ) {
    const type = u32(at);
    const length = u32(at + 4);
    if (length < 12 || at + length > file.length) break;
    if (type === 5) {
      // Interface id (4), timestamp (8), then options up to the trailing length (4).
      for (let o = at + 20; o + 4 <= at + length - 4; ) {
        const code = u16(o);
        const size = u16(o + 2);
        if (code === 0) break;
        if (size === 8 && code === 4) stats.received = u64(o + 4);
        if (size === 8 && code === 5) stats.dropped = u64(o + 4);
        o += 4 + ((size + 3) & ~3);
      }
    }
    at += length;
  }
  return stats;
}

/** Opens and closes a connection to `port` (it shows in the capture once capture is live); resolves to its client port. */
export function probe(port: number): Promise<number> {
  return new Promise((resolve) => {
    let local = 0;
    const c = net.connect(port, '127.0.0.1', () => {
      local = c.localPort ?? 0;
      c.end();
    });
    c.on('data', () => {});
    c.on('error', () => resolve(local));
    c.on('close', () => resolve(local));
  });
}

/** Runs tshark on a file; its banner on stderr ("Running as user root…") is dropped. */
function tshark(args: string[]): string {
  return execFileSync('tshark', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 1 << 26,
  });
}

export interface Packet {
  stream: number;
  src: number;
  dst: number;
  flags: string[];
  /** Wireshark finds a hole before it: a segment it follows, or one it acknowledges, is not in the file. */
  afterHole: boolean;
}

/**
 * Every TCP packet of a file: its stream, ports, control flags (SYN, SYN-ACK, FIN, RST) and
 * whether a packet before it is missing from the file.
 */
export function packets(file: string): Packet[] {
  const out = tshark([
    '-r',
    file,
    '-T',
    'fields',
    ...[
      'tcp.stream',
      'tcp.srcport',
      'tcp.dstport',
      'tcp.flags.syn',
      'tcp.flags.ack',
      'tcp.flags.fin',
      'tcp.flags.reset',
      'tcp.analysis.lost_segment',
      'tcp.analysis.ack_lost_segment',
    ].flatMap((f) => ['-e', f]),
  ]);
  const on = (v: string | undefined) => v === '1' || v === 'True';
  const list: Packet[] = [];
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const [stream, src, dst, syn, ack, fin, rst, lost, ackLost] = line.split('\t').map((x) => x.trim());
    const flags: string[] = [];
    if (on(syn)) flags.push(on(ack) ? 'SYN-ACK' : 'SYN');
    if (on(fin)) flags.push('FIN');
    if (on(rst)) flags.push('RST');
    const afterHole = Boolean(lost) || Boolean(ackLost);
    list.push({ stream: Number(stream), src: Number(src), dst: Number(dst), flags, afterHole });
  }
  return list;
}

/** Whether `p` belongs to the connection between `clientPort` and `serverPort`, either way. */
const onFlow = (p: Packet, clientPort: number, serverPort: number): boolean =>
  (p.src === clientPort && p.dst === serverPort) || (p.dst === clientPort && p.src === serverPort);

/** The packets of the connection from `clientPort` that come after a hole in the file. */
export function holes(all: Packet[], clientPort: number, serverPort: number): number {
  return all.filter((p) => p.afterHole && onFlow(p, clientPort, serverPort)).length;
}

/** The control packets of the connection from `clientPort`, in order: `in:SYN`, `out:SYN-ACK`, `out:FIN`… */
export function controlFlags(all: Packet[], clientPort: number, serverPort: number): string[] {
  return all
    .filter((p) => onFlow(p, clientPort, serverPort))
    .flatMap((p) => p.flags.map((f) => `${p.src === clientPort ? 'in' : 'out'}:${f}`));
}

/** The bytes each way of each connection, by client port, as `tshark -z follow,tcp,raw` gives them (hex). */
export function followRaw(file: string, all: Packet[], clientPorts: number[], serverPort: number) {
  const streams = new Map<number, number>();
  for (const port of clientPorts) {
    const p = all.find((x) => onFlow(x, port, serverPort));
    if (p) streams.set(p.stream, port);
  }
  const out = tshark([
    '-r',
    file,
    '-q',
    ...[...streams.keys()].flatMap((n) => ['-z', `follow,tcp,raw,${n}`]),
  ]);
  const byPort = new Map<number, { in: string; out: string }>();
  for (const block of out.split(/^={10,}$/m)) {
    const filter = /Filter: tcp\.stream eq (\d+)/.exec(block);
    if (!filter) continue;
    const port = streams.get(Number(filter[1]));
    if (port === undefined) continue;
    const lines = block.split('\n');
    // Node 0 is the side of the first packet seen; a line indented by a tab is node 1's.
    const node0IsClient = (lines.find((l) => l.startsWith('Node 0:')) ?? '').trim().endsWith(`:${port}`);
    const sides = { in: '', out: '' };
    for (const line of lines.slice(lines.findIndex((l) => l.startsWith('Node 1:')) + 1)) {
      if (!line.trim()) continue;
      sides[line.startsWith('\t') === node0IsClient ? 'out' : 'in'] += line.trim();
    }
    byPort.set(port, sides);
  }
  return byPort;
}
