import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { signToken } from '../../src/auth/tokens.js';
import { WITH_PGLITE } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { assertChromiumIfRequired, hasChromium, launchChromium } from './browser.js';

const ARTIFACTS = new URL('../artifacts/', import.meta.url);
const WITHIN_MS = 2_000;
const ITEMS = [
  { productId: 'prod-kettle', quantity: 2, price: '49.90' },
  { productId: 'prod-filters', quantity: 1, price: '6.50' },
];
const TOTAL = '106.30';

const CREATE = `mutation($i: CreateOrderInput!) { createOrder(input: $i) { __typename ... on Error { message } } }`;
const PAY = `mutation($i: PayOrderInput!) { payOrder(input: $i) { __typename ... on Error { message } } }`;
const SECRET = 'dashboard-test-secret-of-at-least-32-characters';
const NEEDS_TOKEN = 'This server requires a token: paste one above and press Save.';

assertChromiumIfRequired();

describe.skipIf(!hasChromium || !WITH_PGLITE)('the dashboard in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let dashboardUrl: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer('pglite'), launchChromium()]);
    dashboardUrl = server.url.replace(/\/graphql$/, '/dashboard');
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A page on the dashboard, by default live, failing the test on any script error in it. */
  async function openDashboard(
    setup?: (page: Page) => Promise<void>,
    {
      url = dashboardUrl,
      viewport = { width: 1440, height: 1000 },
      until = '#connection[data-state="live"]',
    } = {},
  ): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await setup?.(page);
    await page.goto(url);
    await page.locator(until).waitFor({ timeout: 10_000 });
    return { page, errors };
  }

  /** Runs a mutation and waits for the page to show its effect, within WITHIN_MS of sending it. */
  async function mutateAndSee(
    page: Page,
    query: string,
    input: Record<string, unknown>,
    selector: string,
  ): Promise<number> {
    const sent = performance.now();
    const { data, errors } = await server.gql(query, { i: input });
    expect(errors).toBeUndefined();
    expect(Object.values(data ?? {})[0]).toMatchObject({ __typename: expect.stringMatching(/Success$/) });
    await page.locator(selector).waitFor({ timeout: Math.max(1, WITHIN_MS - (performance.now() - sent)) });
    return performance.now() - sent;
  }

  const row = (orderId: string) => `#orders-body tr[data-order-id="${orderId}"]`;
  const rowStatus = (orderId: string, status: string) =>
    `${row(orderId)} [data-field="status"] [data-status="${status}"]`;
  const tileCount = async (page: Page, status: string) =>
    page.locator(`.status-tile[data-status="${status}"] [data-field="count"]`).textContent();

  it('shows an order created through the API, then its payment, each within 2 seconds', async () => {
    const { page, errors } = await openDashboard();
    expect(await page.locator('#orders-body').textContent()).toContain('No orders match.');

    const created = await mutateAndSee(
      page,
      CREATE,
      { id: 'order-live-1', userId: 'user-live', items: ITEMS },
      rowStatus('order-live-1', 'PENDING'),
    );
    expect(created).toBeLessThan(WITHIN_MS);
    expect(await page.locator(row('order-live-1')).textContent()).toContain(TOTAL);

    const paid = await mutateAndSee(
      page,
      PAY,
      { orderId: 'order-live-1', paymentMethod: 'credit_card', amount: TOTAL },
      rowStatus('order-live-1', 'PAID'),
    );
    expect(paid).toBeLessThan(WITHIN_MS);

    // The counts follow the same change (their refresh is debounced with the table's).
    await page.waitForFunction(
      () =>
        document.querySelector('.status-tile[data-status="PAID"] [data-field="count"]')?.textContent === '1',
    );
    expect(await tileCount(page, 'PENDING')).toBe('0');
    const stream = page.locator('#stream li[data-order-id="order-live-1"]');
    expect(await stream.evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.to))).toEqual([
      'PAID',
      'PENDING',
    ]);

    // Selecting the order shows its items, history and stored events.
    await page.locator(row('order-live-1')).click();
    await page.locator('#detail[data-order-id="order-live-1"] .events li').nth(1).waitFor();
    const detail = await page.locator('#detail').textContent();
    expect(detail).toContain('prod-kettle');
    expect(detail).toContain('OrderCreated');
    expect(detail).toContain('OrderPaid');
    expect(await page.locator('#detail .timeline li').count()).toBe(2);

    await page.screenshot({ path: new URL('dashboard.png', ARTIFACTS).pathname, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says it is reconnecting when the socket drops, and resumes after the last change it saw', async () => {
    // Every socket of the page goes through this route, so the test can cut it and keep it down.
    let down = false;
    const open = new Set<{ page: WebSocketRoute; server: WebSocketRoute }>();
    const subscribes: { after?: string }[] = [];
    const { page, errors } = await openDashboard((p) =>
      p.routeWebSocket(/\/graphql$/, (ws) => {
        if (down) return void ws.close({ code: 1011, reason: 'test: server unreachable' });
        const upstream = ws.connectToServer();
        ws.onMessage((message) => {
          const parsed = JSON.parse(String(message)) as {
            type: string;
            payload?: { variables?: { after?: string } };
          };
          if (parsed.type === 'subscribe') subscribes.push({ after: parsed.payload?.variables?.after });
          upstream.send(message);
        });
        const pair = { page: ws, server: upstream };
        open.add(pair);
        ws.onClose(() => {
          open.delete(pair);
          void upstream.close();
        });
      }),
    );

    await mutateAndSee(
      page,
      CREATE,
      { id: 'order-drop-1', userId: 'user-drop', items: ITEMS },
      rowStatus('order-drop-1', 'PENDING'),
    );
    const seen = await page.locator('#stream li[data-order-id="order-drop-1"]').getAttribute('data-position');
    expect(seen).toMatch(/^\d+:\d+$/);

    down = true;
    for (const pair of [...open]) {
      open.delete(pair);
      await pair.server.close({ code: 1001, reason: 'test: dropped' });
      await pair.page.close({ code: 1001, reason: 'test: dropped' });
    }
    await page.locator('#connection[data-state="reconnecting"]').waitFor({ timeout: WITHIN_MS });
    expect(await page.locator('#connection').textContent()).toBe('reconnecting…');
    await page.screenshot({ path: new URL('dashboard-reconnecting.png', ARTIFACTS).pathname });

    // Paid while the page cannot hear: only the resumed subscription can bring it.
    const { data } = await server.gql(PAY, {
      i: { orderId: 'order-drop-1', paymentMethod: 'paypal', amount: TOTAL },
    });
    expect(data.payOrder.__typename).toBe('PayOrderSuccess');
    await new Promise((r) => setTimeout(r, 300));
    expect(await page.locator('#connection').getAttribute('data-state')).toBe('reconnecting');

    down = false;
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 10_000 });
    await page.locator(rowStatus('order-drop-1', 'PAID')).waitFor({ timeout: WITHIN_MS });
    await page
      .locator('#stream li[data-order-id="order-drop-1"][data-to="PAID"]')
      .waitFor({ timeout: WITHIN_MS });

    expect(subscribes.at(-1)?.after).toBe(seen);
    const stream = page.locator('#stream li[data-order-id="order-drop-1"]');
    expect(await stream.evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.to))).toEqual([
      'PAID',
      'PENDING',
    ]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('keeps a token in the session and sends it on HTTP and in connectionParams', async () => {
    const inits: unknown[] = [];
    const { page, errors } = await openDashboard((p) =>
      p.routeWebSocket(/\/graphql$/, (ws) => {
        const upstream = ws.connectToServer();
        ws.onMessage((message) => {
          const parsed = JSON.parse(String(message)) as { type: string; payload?: unknown };
          if (parsed.type === 'connection_init') inits.push(parsed.payload ?? null);
          upstream.send(message);
        });
      }),
    );
    expect(inits).toEqual([null]);

    const authorised = page.waitForRequest(
      (r) => r.url().endsWith('/graphql') && r.headers().authorization === 'Bearer s3cret',
    );
    await page.fill('#token', 's3cret');
    await page.click('#token-form button[type="submit"]');
    await authorised;
    await page.waitForFunction(
      () => document.querySelector('#connection')?.getAttribute('data-state') === 'live',
    );
    await expect.poll(() => inits.at(-1)).toEqual({ authorization: 'Bearer s3cret' });
    expect(await page.evaluate(() => sessionStorage.getItem('ledgerline.token'))).toBe('s3cret');

    await page.reload();
    expect(await page.inputValue('#token')).toBe('s3cret');
    await page.click('#token-clear');
    expect(await page.evaluate(() => sessionStorage.getItem('ledgerline.token'))).toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps the projections table inside its card, on a wide screen and a narrow one', async () => {
    // The widest rows a projection can show: catching up, far behind, with a long error.
    const LAGGING = [
      {
        name: 'orders',
        state: 'catching_up',
        eventsBehind: 12_345_678,
        secondsBehind: 98_765.4,
        lastError: null,
      },
      {
        name: 'recommendations',
        state: 'failing',
        eventsBehind: 1_234_567,
        secondsBehind: 4_321.9,
        lastError: {
          message: `duplicate key value violates unique constraint "recommendation_pairs_pkey"; ${'x'.repeat(80)}`,
          at: '2030-01-01T00:00:00Z',
        },
      },
    ];
    for (const viewport of [
      { width: 2560, height: 1200 },
      { width: 800, height: 1000 },
    ]) {
      for (const lagging of [false, true]) {
        const { page, errors } = await openDashboard(
          (p) => (lagging ? answerProjections(p, LAGGING) : Promise.resolve()),
          { viewport },
        );
        await page.locator('#projections-body tr').first().waitFor();
        expect(
          await overhang(page, 'section.projections', 'section.projections table'),
          `${viewport.width} px, lagging: ${lagging}`,
        ).toEqual({ left: 0, right: 0, scrolls: false });
        await page.locator('section.projections').screenshot({
          path: new URL(`projections-${viewport.width}${lagging ? '-lagging' : ''}.png`, ARTIFACTS).pathname,
        });
        expect(errors).toEqual([]);
        await page.close();
      }
    }
  });

  describe('on a server that requires a token', () => {
    let secured: TestServer;
    let securedUrl: string;
    beforeAll(async () => {
      secured = await startTestServer('pglite', { AUTH_JWT_SECRET: SECRET });
      securedUrl = secured.url.replace(/\/graphql$/, '/dashboard');
    });
    afterAll(() => secured?.stop());

    it('says once that it needs one, disables what cannot work, and works once given one', async () => {
      const requests: string[] = [];
      const { page, errors } = await openDashboard(
        async (p) => {
          // The page's timers run on a clock the test can move on (time still flows by itself).
          await p.clock.install();
          p.on('request', (r) => {
            if (r.url().endsWith('/graphql')) requests.push(r.method());
          });
        },
        { url: securedUrl, until: '#notice:not([hidden])' },
      );

      // Two projection polls later (every 3 s), still the one message, and no request made for
      // it: the page's 6.5 s go by at once, then a moment for a request they sent to show.
      await page.locator('#connection[data-state="unauthorised"]').waitFor({ timeout: WITHIN_MS });
      const asked = requests.length;
      await page.clock.runFor(6_500);
      await new Promise((r) => setTimeout(r, 500));
      expect(requests.length).toBe(asked);
      expect(await page.locator('#notice').textContent()).toBe(NEEDS_TOKEN);
      expect(await page.getByText('requires a token').count()).toBe(1);
      expect(await page.locator('#page-prev').isDisabled()).toBe(true);
      expect(await page.locator('#page-next').isDisabled()).toBe(true);
      expect(await page.locator('#filter-status').isDisabled()).toBe(true);
      expect(await page.getByText('Waiting for the next change').isVisible()).toBe(false);
      await page.screenshot({ path: new URL('dashboard-needs-token.png', ARTIFACTS).pathname });

      // A token the server refuses: one message again, saying why.
      await page.fill('#token', 'not-a-token');
      await page.click('#token-form button[type="submit"]');
      await page.waitForFunction(() =>
        document.querySelector('#notice')?.textContent?.startsWith('This server refused the token'),
      );
      expect(await page.locator('#notice').textContent()).toBe(
        'This server refused the token (the token is not valid): paste a valid one above and press Save.',
      );
      expect(await page.locator('#page-next').isDisabled()).toBe(true);

      // A valid one: live, no message, and the page follows changes as on an open server.
      await page.fill('#token', await signToken(SECRET, { sub: 'dash-admin', role: 'admin' }));
      await page.click('#token-form button[type="submit"]');
      await page.locator('#connection[data-state="live"]').waitFor({ timeout: 10_000 });
      await page.locator('#orders-body td.empty').waitFor({ timeout: WITHIN_MS });
      expect(await page.locator('#notice').isHidden()).toBe(true);
      expect(await page.getByText('Waiting for the next change').isVisible()).toBe(true);
      expect(await page.locator('#filter-status').isDisabled()).toBe(false);
      expect(await page.locator('#page-prev').isDisabled()).toBe(true);
      expect(await page.locator('#page-next').isDisabled()).toBe(true);
      const admin = {
        authorization: `Bearer ${await signToken(SECRET, { sub: 'test-admin', role: 'admin' })}`,
      };
      const created = await secured.gql(
        CREATE,
        { i: { id: 'order-token-1', userId: 'user-token', items: ITEMS } },
        admin,
      );
      expect(created.data.createOrder.__typename).toBe('CreateOrderSuccess');
      await page.locator(rowStatus('order-token-1', 'PENDING')).waitFor({ timeout: WITHIN_MS });
      await page.locator('#stream li[data-order-id="order-token-1"]').waitFor({ timeout: WITHIN_MS });
      await page.locator('#projections-body tr').first().waitFor({ timeout: 5_000 });
      expect(await page.locator('#notice').isHidden()).toBe(true);
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);
  });
});

/** Answers the page's Projections query with these rows instead of the server's. */
async function answerProjections(page: Page, projections: unknown[]): Promise<void> {
  await page.route(/\/graphql$/, (route) => {
    const body = route.request().postDataJSON() as { query?: string } | null;
    if (!body?.query?.startsWith('query Projections')) return route.fallback();
    return route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify({ data: { projections } }),
    });
  });
}

/**
 * How far (in whole px) `inner` sticks out of the content box of `outer` (inside its
 * padding), and whether `outer` has anything wider than itself to scroll to.
 */
async function overhang(
  page: Page,
  outer: string,
  inner: string,
): Promise<{ left: number; right: number; scrolls: boolean }> {
  return page.evaluate(
    ([outerSelector, innerSelector]) => {
      const card = document.querySelector(outerSelector)!;
      const box = card.getBoundingClientRect();
      const style = getComputedStyle(card);
      const contentLeft = box.left + card.clientLeft + parseFloat(style.paddingLeft);
      const contentRight = box.left + card.clientLeft + card.clientWidth - parseFloat(style.paddingRight);
      const table = document.querySelector(innerSelector)!.getBoundingClientRect();
      return {
        left: Math.max(0, Math.round(contentLeft - table.left)),
        right: Math.max(0, Math.round(table.right - contentRight)),
        scrolls: card.scrollWidth > card.clientWidth,
      };
    },
    [outer, inner] as const,
  );
}
