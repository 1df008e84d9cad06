/** Loopback ports for servers a test starts as processes of their own: the launcher's own code. */
import { freePort, waitForPort as waitUntilListening } from '../../server/many/port.ts';

/** A TCP port nothing listens on right now. */
export const freeTcpPort = freePort;

/** Resolves once something accepts TCP connections on `port` (or rejects after `timeoutMs`). */
export function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  return waitUntilListening(port, timeoutMs);
}
