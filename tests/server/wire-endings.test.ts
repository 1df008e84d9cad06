/**
 * How every connection ends, against the wire: each ending below is run once against the real
 * server while `tshark` captures loopback, and the pcap the inspector exports for it (the same
 * model and writer as the panel) must show the same SYN / FIN / RST flags in the same order as
 * the real capture, and `tshark -z follow,tcp,raw` must give the same bytes each way as the real
 * capture and as the capture the inspector received.
 *
 * After the server closes its socket first (`socket.destroy()`, a keep-alive timeout), the
 * capture keeps the handle until the client's answer (its own FIN) arrives, so the export has
 * every flag of the wire, that answer included: nothing may be missing, and no close is `unseen`.
 * A server that closes with the client's bytes unread sends RST, not FIN: the export must say so
 * and carry those bytes.
 *
 * Needs `tshark` and the right to capture on `lo` (root, or dumpcap's capabilities): without
 * them every test here is skipped and says why.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { pcapFlows } from '../../src/playground/inspector/export.ts';
import { CaptureModel, type Connection } from '../../src/playground/inspector/model.ts';
import { type TcpFlow, writePcap } from '../../src/playground/inspector/pcap.ts';
import type { ChannelMessage } from '../../src/playground/inspector/protocol.ts';
import { ConnectionDissector } from '../../src/wire/index.ts';
import { InspectorClient, until } from './capture-harness.ts';
import {
  cannotCapture,
  controlFlags,
  followRaw,
  holes,
  type CaptureStats,
  LoopbackCapture,
  packets,
} from '../helpers/loopback-capture.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';

const KEEP_ALIVE_MS = 300;
/** More than Node buffers for a body nobody reads (its socket's and the request's 64 KiB each), less than the kernel holds. */
const UNREAD_BODY = 512 * 1024;

let skip = cannotCapture();
const server = skip ? undefined : await startTestServer({ keepAliveTimeoutMs: KEEP_ALIVE_MS });
const dir = mkdtempSync(join(tmpdir(), 'wire-endings-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  name: string;
  session: string;
  inspector: InspectorClient;
  /** The lab connection's client port (found from the capture's open record). */
  clientPort?: number;
}

const runs: Run[] = [];
let realFile = '';
let stats: CaptureStats = { received: 0, dropped: 0 };

/** A raw HTTP/1.1 client on its own connection: writes what it is given, reads everything. */
async function rawClient(
  port: number,
): Promise<{ socket: net.Socket; got: () => string; closed: Promise<void> }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  let got = '';
  socket.on('data', (d: Buffer) => {
    got += d.toString('latin1');
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return { socket, got: () => got, closed };
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;

/** Each ending, run once with the capture on: name → what the client does. */
const ENDINGS: Array<[string, (port: number, session: string) => Promise<void>]> = [
  [
    'drop=1 on a one-shot answer',
    async (port, s) => {
      const c = await rawClient(port);
      c.socket.write(get(`/lab/${s}/time?drop=1`));
      await c.closed;
    },
  ],
  [
    'drop=2 on a stream',
    async (port, s) => {
      const c = await rawClient(port);
      c.socket.write(get(`/lab/${s}/stream?drop=2`));
      await c.closed;
    },
  ],
  [
    'drop=1 on SSE',
    async (port, s) => {
      const c = await rawClient(port);
      c.socket.write(get(`/lab/${s}/sse?drop=1`));
      await c.closed;
    },
  ],
  [
    'drop=2 on a WebSocket',
    async (port, s) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/lab/${s}/echo?drop=2`, { perMessageDeflate: false });
      ws.on('error', () => {});
      await new Promise((r) => ws.once('open', r));
      ws.send('one');
      ws.send('two');
      await new Promise((r) => ws.once('close', r));
    },
  ],
  [
    'a keep-alive timeout',
    async (port, s) => {
      const c = await rawClient(port);
      c.socket.write(get(`/lab/${s}/time`));
      await c.closed;
    },
  ],
  [
    'the client closing',
    async (port, s) => {
      const c = await rawClient(port);
      c.socket.write(get(`/lab/${s}/time`));
      await until(() => c.got().includes('"seq"'), 'the answer');
      c.socket.end();
      await c.closed;
    },
  ],
  [
    'the server closing with the client’s bytes unread (RST)',
    async (port, s) => {
      const c = await rawClient(port);
      // A body the stream never reads: Node stops reading once its buffers are full, so the rest
      // stays in the kernel's receive buffer when drop=2 closes the socket, and TCP sends RST.
      const body = Buffer.alloc(UNREAD_BODY, 'x');
      c.socket.write(
        `GET /lab/${s}/stream?drop=2&interval=200 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      c.socket.write(body);
      await c.closed;
    },
  ],
  [
    'the client resetting',
    async (port, s) => {
      const c = await rawClient(port);
      c.socket.write(get(`/lab/${s}/time`));
      await until(() => c.got().includes('"seq"'), 'the answer');
      c.socket.resetAndDestroy();
      await c.closed;
    },
  ],
  [
    'a reused connection',
    async (port, s) => {
      const c = await rawClient(port);
      c.socket.write(get('/no-such-site-page'));
      await until(() => c.got().includes('\r\n\r\n'), 'the site answer');
      const before = c.got().length;
      c.socket.write(get(`/lab/${s}/time`));
      await until(() => c.got().slice(before).includes('"seq"'), 'the lab answer');
      c.socket.end();
      await c.closed;
    },
  ],
  [
    'a connection that serves the site between two of the session’s requests',
    async (port, s) => {
      const c = await rawClient(port);
      const count = (text: string) => c.got().split(text).length - 1;
      c.socket.write(get(`/lab/${s}/time`));
      await until(() => count('"seq"') === 1, 'the first lab answer');
      c.socket.write(get('/no-such-site-page'));
      await until(() => count('Not found.') === 1 && c.got().endsWith('0\r\n\r\n'), 'the site answer');
      c.socket.write(get(`/lab/${s}/time`));
      await until(() => count('"seq"') === 2, 'the second lab answer');
      c.socket.end();
      await c.closed;
    },
  ],
];

before(async () => {
  if (skip || !server) return;
  const cap = await LoopbackCapture.start(server.port);
  if (typeof cap === 'string') {
    skip = cap;
    return;
  }
  realFile = join(dir, 'real.pcap');
  try {
    for (const [name, act] of ENDINGS) {
      const session = newSessionId();
      const inspector = await InspectorClient.open(server.port, session);
      await act(server.port, session);
      await inspector.waitFor(
        (rs) => rs.some((r) => r.kind === 'close'),
        `${name}: the close record`,
        15_000,
      );
      const open = inspector.records.find((r) => r.kind === 'open');
      runs.push({ name, session, inspector, clientPort: open?.client?.port });
    }
    await cap.settle(server.port);
  } finally {
    stats = await cap.stop(realFile); // whatever happened, tshark must not outlive the file
  }
});

/** The session's inspector messages folded into the panel's model, and its lab connection. */
function modelOf(run: Run): { model: CaptureModel; conn: Connection | undefined } {
  const model = new CaptureModel({ createDissector: () => new ConnectionDissector() });
  for (const m of run.inspector.messages) model.apply(m as unknown as ChannelMessage);
  return { model, conn: model.connections.find((c) => c.client?.port === run.clientPort) };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** tshark's follow output marks a hole as "[N bytes missing in capture file]" and a NUL: takes them out. */
function withoutGaps(hex: string): { hex: string; gaps: number[] } {
  const gaps: number[] = [];
  const text = Buffer.from(hex, 'hex').toString('latin1');
  const clean = text.replace(/\[(\d+) bytes missing in capture file\]\0/g, (_, n: string) => {
    gaps.push(Number(n));
    return '';
  });
  return { hex: Buffer.from(clean, 'latin1').toString('hex'), gaps };
}

interface Compared {
  conn: Connection;
  /** Packets of the connection that follow one tshark dropped. */
  holes: number;
  real: string[];
  exported: string[];
  realBytes: { in: string; out: string } | undefined;
  exportedBytes: { in: string; out: string } | undefined;
}

/** Both files read once by tshark (it takes a second or two to start), every run compared after. */
let compared: Map<string, Compared> | undefined;
function compare(): Map<string, Compared> {
  if (compared) return compared;
  const port = server!.port;
  const flows: TcpFlow[] = [];
  const conns = new Map<string, Connection>();
  for (const run of runs) {
    const { model, conn } = modelOf(run);
    if (!conn) continue;
    conns.set(run.name, conn);
    flows.push(...pcapFlows(model, [conn], '127.0.0.1'));
  }
  const exportFile = join(dir, 'export.pcap');
  writeFileSync(exportFile, writePcap(flows));
  const realPackets = packets(realFile);
  const exportPackets = packets(exportFile);
  const ports = runs.map((r) => r.clientPort ?? 0);
  const realBytes = followRaw(realFile, realPackets, ports, port);
  const exportBytes = followRaw(exportFile, exportPackets, ports, port);
  compared = new Map();
  for (const run of runs) {
    const conn = conns.get(run.name);
    if (!conn || !run.clientPort) continue;
    compared.set(run.name, {
      conn,
      holes: holes(realPackets, run.clientPort, port),
      real: controlFlags(realPackets, run.clientPort, port),
      exported: controlFlags(exportPackets, run.clientPort, port),
      realBytes: realBytes.get(run.clientPort),
      exportedBytes: exportBytes.get(run.clientPort),
    });
  }
  return compared;
}

for (const [name] of ENDINGS) {
  test(`${name}: the exported pcap has the wire's flags in the wire's order, and its bytes`, (t) => {
    if (skip) return t.skip(skip);
    const c = compare().get(name);
    assert.ok(c, `${name}: ran, was captured and is in the model`);
    const { conn, real, exported } = c;
    // A packet tshark dropped is a hole in the wire's side, not in the export: say so, not "differs".
    // One lost at a flow's very end leaves no hole behind it: the comparisons say how many it dropped.
    const drops = `tshark dropped ${stats.dropped} of ${stats.received} packets`;
    assert.equal(c.holes, 0, `${name}: the real capture is whole (${drops})`);
    // A reused connection's handshake carried someone else's bytes first: not this session's.
    const wire = conn.reused ? real.filter((f) => f !== 'in:SYN' && f !== 'out:SYN-ACK') : real;
    assert.deepEqual(
      exported,
      wire.slice(0, exported.length),
      `${name}: the export follows the wire (${drops})`,
    );
    assert.deepEqual(
      wire.slice(exported.length),
      [],
      `${name}: nothing of the wire is missing from the export (${drops})`,
    );
    assert.equal(conn.closed?.unseen, false, `${name}: the capture saw the whole ending`);
    if (name.includes('(RST)')) {
      assert.deepEqual(exported.slice(-1), ['out:RST'], `${name}: the server's RST ends it`);
      assert.equal(conn.closed?.cause, 'unread', `${name}: the RST is put down to the unread bytes`);
      assert.ok((conn.closed?.unread ?? 0) > 0, `${name}: the unread bytes are counted`);
    }
    assert.ok(
      exported.some((f) => f.endsWith(':FIN') || f.endsWith(':RST')),
      `${name}: the export shows how it ended`,
    );

    const captured = {
      in: hex(conn.bytes.in.slice(0, conn.bytes.in.end)),
      out: hex(conn.bytes.out.slice(0, conn.bytes.out.end)),
    };
    assert.ok(c.realBytes && c.exportedBytes, `${name}: tshark followed both`);
    for (const d of ['in', 'out'] as const) {
      const exported = withoutGaps(c.exportedBytes[d]);
      assert.equal(exported.hex, captured[d], `${name} ${d}: the export carries the captured bytes`);
      // Others' bytes between the session's are a gap in the export, of exactly their length.
      const between = conn.wire[d]
        .slice(1)
        .map((s, i) => s.at - conn.wire[d][i]!.at - (s.from - conn.wire[d][i]!.from));
      assert.deepEqual(
        exported.gaps,
        between,
        `${name} ${d}: the gaps Wireshark reports are the others' bytes`,
      );
      // The session's stretches of the connection, cut from the wire where the capture says they sit.
      const stretches = conn.wire[d];
      const ours = stretches
        .map((s, i) => {
          const len = (stretches[i + 1]?.from ?? conn.bytes[d].end) - s.from;
          return c.realBytes![d].slice(s.at * 2, (s.at + len) * 2);
        })
        .join('');
      assert.equal(
        ours,
        captured[d],
        `${name} ${d}: the captured bytes are the wire's, where the capture says`,
      );
    }
    if (name.includes('between'))
      assert.ok(
        conn.wire.in.length === 2 && conn.wire.out.length === 2,
        'the session came back once each way',
      );
  });
}
