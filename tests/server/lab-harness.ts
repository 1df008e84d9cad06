/**
 * Starts a server for lab tests: by default a bare http.Server that routes `/lab/` to the lab
 * (so lab tests do not depend on the rest of the app), or the real app with
 * `WIRELAB_LAB_TESTS_VIA_APP=1`. Either way over real loopback sockets, closed after the file.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after } from 'node:test';
import { config as defaultConfig, type Config } from '../../server/config.ts';
import { createLab, type Lab } from '../../server/lab/index.ts';

export interface LabServer {
  readonly url: string;
  readonly port: number;
  /** The lab in process; null when running through the app. */
  readonly lab: Lab | null;
  /** Every `note()` the lab made, in order; null when running through the app. */
  readonly notes: string[] | null;
  close(): Promise<void>;
}

/** True when the lab tests run through the real app (`startTestServer`). */
export const VIA_APP = process.env.WIRELAB_LAB_TESTS_VIA_APP === '1';

/** Starts a lab server with bound overrides; it closes after the test file. */
export async function startLab(overrides: Partial<Config> = {}): Promise<LabServer> {
  if (VIA_APP) {
    const { startTestServer } = await import('../helpers/server.ts');
    const s = await startTestServer(overrides);
    return { url: s.url, port: s.port, lab: null, notes: null, close: () => s.close() };
  }
  const cfg: Config = { ...defaultConfig, ...overrides };
  const notes: string[] = [];
  const lab = createLab(cfg, { note: (_socket: Socket, text: string) => notes.push(text) });
  const server = http.createServer({ keepAliveTimeout: cfg.keepAliveTimeoutMs });
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/lab/')) return lab.handleRequest(req, res);
    res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket, head) => {
    if (req.url?.startsWith('/lab/')) return lab.handleUpgrade(req, socket, head);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      server.close();
      await lab.close();
      server.closeAllConnections();
    })();
    return closing;
  };
  after(close);
  return { url: `http://127.0.0.1:${port}`, port, lab, notes, close };
}

/** A fresh, valid, random session id. */
export function newSession(): string {
  return `t${crypto.randomUUID().replaceAll('-', '')}`;
}
