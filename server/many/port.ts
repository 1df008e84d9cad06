/** TCP ports on this machine's loopback: is one free, and wait until something listens on one. */
import net from 'node:net';

/** Whether nothing listens on `port` of 127.0.0.1 right now (a listen there succeeds). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A port nothing listens on right now (the kernel's choice). */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Resolves once 127.0.0.1:`port` accepts a connection; rejects after `timeoutMs`, or as soon as
 * `alive()` says what should open it is gone.
 */
export async function waitForPort(port: number, timeoutMs: number, alive = () => true): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error(`gave up waiting for port ${port}: its process is gone`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
