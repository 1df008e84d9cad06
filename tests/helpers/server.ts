/**
 * Starts the real Wire Lab server on a free loopback port for one test file,
 * with optional bound overrides, and closes it afterwards.
 */
import { after } from 'node:test';
import { createWireLabServer, type WireLabServer } from '../../server/app.ts';
import type { Config } from '../../server/config.ts';

export async function startTestServer(overrides: Partial<Config> = {}): Promise<WireLabServer> {
  // Classes in memory unless a test names a data directory: tests never write into the repository.
  const config = { dataDir: ':memory:', ...overrides };
  const s = await createWireLabServer({ host: '127.0.0.1', port: 0, config });
  after(() => s.close());
  return s;
}

/** A fresh, valid, random session id. */
export function newSessionId(): string {
  return `t${crypto.randomUUID().replaceAll('-', '')}`;
}
