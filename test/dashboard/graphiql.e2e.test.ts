import { mkdir, stat } from 'node:fs/promises';
import { get, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { WITH_PGLITE } from '../support/database.js';
import { createOrder, payOrder } from '../support/orders.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { assertChromiumIfRequired, blockOtherOrigins, hasChromium, launchChromium } from './browser.js';

const ARTIFACTS = new URL('../artifacts/', import.meta.url);
const ORDER_ID = 'order-graphiql-1';
const QUERY = `{ order(id: "${ORDER_ID}") { id status totalAmount } }`;
const SUBSCRIPTION = `subscription { orderStatusChanged(orderId: "${ORDER_ID}") { orderId from to } }`;

assertChromiumIfRequired();

describe.skipIf(!WITH_PGLITE)('the GraphiQL page', () => {
  let open: TestServer;
  let closed: TestServer;

  beforeAll(async () => {
    [open, closed] = await Promise.all([
      startTestServer('pglite', { GRAPHQL_INTROSPECTION: 'true' }),
      startTestServer('pglite', { GRAPHQL_INTROSPECTION: 'false' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([open?.stop(), closed?.stop()]);
  });

  it('is sent gzipped to a client that takes gzip, and plain to one that does not', async () => {
    // Given a server, when the page is asked for with and without gzip
    const [gzipped, plain, refused, refusedDespiteStar, anything] = await Promise.all([
      getPage(open.url, 'gzip, deflate, br'),
      getPage(open.url, undefined),
      getPage(open.url, 'gzip;q=0, identity'),
      getPage(open.url, 'gzip;q=0, *'),
      getPage(open.url, '*'),
    ]);

    // Then each is the same self-contained page, over three times smaller gzipped
    expect([gzipped.status, plain.status, refused.status]).toEqual([200, 200, 200]);
    expect(gzipped.headers).toMatchObject({
      'content-encoding': 'gzip',
      vary: 'accept-encoding',
      'cache-control': 'no-cache',
    });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(refused.headers['content-encoding']).toBeUndefined();
    // A coding named with q=0 is refused even where `*` would take any other
    expect(refusedDespiteStar.headers['content-encoding']).toBeUndefined();
    expect(anything.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
    expect(gzipped.body.length).toBeLessThan(plain.body.length / 3);
    expect(plain.body.toString()).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
  });

  describe.skipIf(!hasChromium)('in Chromium, with no network beyond the server', () => {
    let browser: Browser;

    beforeAll(async () => {
      browser = await launchChromium();
      await mkdir(ARTIFACTS, { recursive: true });
    });
    afterAll(async () => {
      await browser?.close();
    });

    /** Replaces the query editor's text the way a user would: select all, then type over it. */
    async function typeOperation(page: Page, text: string): Promise<void> {
      await page.locator('.graphiql-query-editor .monaco-editor').click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Backspace');
      // Typed as one insertion, so the editor does not add its own closing braces.
      await page.keyboard.insertText(text);
    }

    const response = (page: Page) => page.locator('.graphiql-response .view-lines');

    const activeSubscriptions = async () => {
      const metrics = await (await fetch(open.metricsUrl)).text();
      return Number(/^ledgerline_active_subscriptions(?:\{[^}]*\})? (\d+)$/m.exec(metrics)?.[1]);
    };

    it('runs a query, then shows a subscription event pushed over graphql-ws', async () => {
      // Given an order, and a browser that can reach nothing but the server
      expect((await createOrder(open.gql, ORDER_ID)).outcome).toBe('CreateOrderSuccess');
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      const blocked = await blockOtherOrigins(page, new URL(open.url).origin);

      // When the page opens and a query is typed and run
      const loaded = await page.goto(open.url);
      expect(loaded?.status()).toBe(200);
      await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 10_000 });
      await typeOperation(page, QUERY);
      await page.locator('.graphiql-execute-button').click();

      // Then the result pane shows the order
      await expect
        .poll(() => response(page).innerText(), { timeout: 5_000 })
        .toMatch(new RegExp(`"${ORDER_ID}"[\\s\\S]*"PENDING"[\\s\\S]*"10\\.00"`));

      // When a subscription runs from the editor and, once it is open, the order is paid through the API
      await typeOperation(page, SUBSCRIPTION);
      await page.locator('.graphiql-execute-button').click();
      await expect.poll(activeSubscriptions, { timeout: 5_000 }).toBe(1);
      expect((await payOrder(open.gql, ORDER_ID)).outcome).toBe('PayOrderSuccess');

      // Then the pushed change appears in the result pane
      await expect
        .poll(() => response(page).innerText(), { timeout: 5_000 })
        .toMatch(/"from":\s*"PENDING"[\s\S]*"to":\s*"PAID"/);

      const screenshot = new URL('graphiql.png', ARTIFACTS).pathname;
      await page.screenshot({ path: screenshot });
      expect((await stat(screenshot)).size).toBeGreaterThan(0);
      expect(blocked).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('tells a browser that GraphiQL is off when introspection is', async () => {
      // Given a server with introspection off, when a browser opens the endpoint
      const page = await browser.newPage();
      const blocked = await blockOtherOrigins(page, new URL(closed.url).origin);
      const loaded = await page.goto(closed.url);

      // Then it gets the short page, with no editor
      expect(loaded?.status()).toBe(404);
      expect(await page.locator('h1').innerText()).toBe('GraphiQL is off on this server');
      expect(await page.locator('body').innerText()).toContain('GRAPHQL_INTROSPECTION=false');
      expect(await page.locator('.graphiql-container').count()).toBe(0);
      expect(blocked).toEqual([]);
      await page.close();
    });
  });
});

/** One GET of the page, its body as sent (node:http decompresses nothing). */
function getPage(
  url: string,
  acceptEncoding: string | undefined,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const headers = { accept: 'text/html', ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) };
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}
