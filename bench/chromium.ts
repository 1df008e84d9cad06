/**
 * Chromium for the browser scenarios, launched exactly as the end-to-end tests launch it: the
 * system Chromium and the flags in playwright.config.ts.
 */
import { type Browser, chromium, type LaunchOptions } from '@playwright/test';
import config from '../playwright.config.ts';

export function launchChromium(): Promise<Browser> {
  const options = (config.projects?.[0]?.use?.launchOptions ?? {}) as LaunchOptions;
  return chromium.launch({ ...options, headless: true });
}
