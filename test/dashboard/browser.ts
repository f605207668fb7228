import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: the suite drives the system browser, never a downloaded one. */
export const CHROMIUM = '/usr/bin/chromium';

export const hasChromium = existsSync(CHROMIUM);

/**
 * With REQUIRE_CHROMIUM=1 (CI) a missing browser fails the run instead of skipping the
 * browser tests, so they cannot quietly stop running.
 */
export function assertChromiumIfRequired(): void {
  if (process.env.REQUIRE_CHROMIUM === '1' && !hasChromium) {
    throw new Error(`REQUIRE_CHROMIUM=1 but ${CHROMIUM} does not exist: apt-get install -y chromium`);
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}
