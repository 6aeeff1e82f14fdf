import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium (never a browser download): /usr/bin/chromium, or
 * CHROMIUM_PATH. Without it the browser suites are skipped with a notice,
 * except in CI, where a missing browser must fail rather than pass silently.
 */
export const chromiumPath = (): string | undefined => {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return path;
  const message = `Chromium not found at ${path}: install Debian's with \`apt-get install chromium\`, or set CHROMIUM_PATH.`;
  const inCi = Boolean(process.env.CI) && !['0', 'false'].includes(process.env.CI ?? '');
  if (inCi) throw new Error(message);
  console.warn(`[browser tests] skipped. ${message}`);
  return undefined;
};

// Headless, and nothing that reaches out to Google's services or needs a GPU or a sandbox (root in CI).
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with a fresh user-data dir (playwright makes one per launch). */
export const launchChromium = (executablePath: string): Promise<Browser> =>
  chromium.launch({ executablePath, headless: true, args: ARGS });
