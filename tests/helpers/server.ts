/**
 * Starts the real Wire Lab server on a free loopback port for one test file,
 * with optional bound overrides, and closes it afterwards.
 */
import { after } from 'node:test';
import { createWireLabServer, type WireLabServer } from '../../server/app.ts';
import type { Config } from '../../server/config.ts';

export async function startTestServer(overrides: Partial<Config> = {}): Promise<WireLabServer> {
  const s = await createWireLabServer({ host: '127.0.0.1', port: 0, config: overrides });
  after(() => s.close());
  return s;
}

/** A fresh, valid, random session id. */
export function newSessionId(): string {
  return `t${crypto.randomUUID().replaceAll('-', '')}`;
}
