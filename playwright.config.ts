import fs from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

/**
 * End-to-end tests drive a real headless Chromium against the real server.
 * The system Chromium is used when present; no browser is ever downloaded.
 */
const systemChromium = ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => fs.existsSync(p));

// One port for the whole run, shared by the runner and its workers (which re-read this file).
process.env.E2E_PORT ??= String(20_000 + Math.floor(Math.random() * 20_000));
const port = Number(process.env.E2E_PORT);
const baseURL = `http://127.0.0.1:${port}`;
/** The lan project's host name (tests/e2e/lan.spec.ts); Chromium resolves it to 127.0.0.1. */
const LAN_HOST = 'lan.test';

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const chromium = {
  ...devices['Desktop Chrome'],
  viewport: { width: 1280, height: 800 },
  launchOptions: systemChromium ? { executablePath: systemChromium } : {},
};

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  // One retry on CI, where the machine is shared: a test that passes only on its retry is still
  // reported as flaky in the list output, so it stays visible.
  retries: process.env.CI ? 1 : 0,
  workers: 2,
  timeout: 30_000,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL,
    // Traces stay off: a runner stuck in a loop (a case the tests make on purpose) stalls them.
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: 'lan.spec.ts',
      use: { ...chromium, launchOptions: { ...chromium.launchOptions, args: chromiumArgs } },
    },
    {
      // A classroom opens the site as http://192.168.x.x: plain http off loopback, not a secure
      // context (no crypto.subtle, no navigator.clipboard). A made-up name mapped to loopback is
      // the same to the browser, so lan.spec.ts runs there.
      name: 'lan',
      testMatch: 'lan.spec.ts',
      use: {
        ...chromium,
        baseURL: `http://${LAN_HOST}:${port}`,
        launchOptions: {
          ...chromium.launchOptions,
          args: [...chromiumArgs, `--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`],
        },
      },
    },
  ],
  webServer: {
    command: 'node server/index.ts',
    url: `${baseURL}/en/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      WIRELAB_REQUESTS_PER_SECOND: '200',
      // No class rate is raised: they key on the class, and every test browser sharing 127.0.0.1
      // is what a school behind one NAT looks like (docs/classroom.md "Bounds").
      // Classes in memory: the tests never write into the repository.
      WIRELAB_DATA_DIR: ':memory:',
    },
  },
});
