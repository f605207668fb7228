import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

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
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Aborts every request of the page (HTTP and WebSocket) to an origin other than `origin`,
 * as if the machine had no network beyond that server. Returns the list of what it blocked,
 * filled as the page runs. Inlined data: and blob: URLs are not requests and pass.
 */
export async function blockOtherOrigins(page: Page, origin: string): Promise<string[]> {
  const { host } = new URL(origin);
  const blocked: string[] = [];
  const elsewhere = (url: URL) => /^(https?|wss?):$/.test(url.protocol) && url.host !== host;
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (!elsewhere(url)) return route.fallback();
    blocked.push(url.href);
    return route.abort('internetdisconnected');
  });
  await page.routeWebSocket(elsewhere, (ws) => {
    blocked.push(ws.url());
    return ws.close({ code: 1011, reason: 'test: offline' });
  });
  return blocked;
}
