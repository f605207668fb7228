import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collect, waitUntil, wsClient } from '../support/clients.js';
import { createPostgresDatabase, ENGINES } from '../support/database.js';
import { createOrder, payOrder, readOrder } from '../support/orders.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/** A spawned server on the first engine under test, so its JSON log lines can be read. */
async function spawnServer(): Promise<{ server: ServerProcess; cleanUp(): Promise<void> }> {
  if (ENGINES[0] === 'postgres') {
    const database = await createPostgresDatabase();
    const server = await startServerProcess('observed', { DATABASE_URL: database.url });
    return {
      server,
      cleanUp: async () => {
        await server.kill();
        await database.drop();
      },
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'ledgerline-obs-'));
  const server = await startServerProcess('observed', { DATABASE_URL: '', DATA_DIR: dataDir });
  return {
    server,
    cleanUp: async () => {
      await server.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe('logs and metrics', () => {
  let server: ServerProcess;
  let cleanUp: () => Promise<void>;
  beforeAll(async () => {
    ({ server, cleanUp } = await spawnServer());
  });
  afterAll(() => cleanUp?.());

  it('logs every request as JSON with its request id, which the events it caused carry too', async () => {
    const gql = server.gql.bind(server);
    const created = await createOrder(gql, 'obs-1', 'user-obs', { 'x-request-id': 'req-obs-1' });
    expect(created.outcome).toBe('CreateOrderSuccess');
    const order = await readOrder(gql, 'obs-1');
    expect(order?.events[0]?.metadata).toMatchObject({ requestId: 'req-obs-1', correlationId: 'req-obs-1' });
    await waitUntil(() => server.logs.some((l) => l.requestId === 'req-obs-1' && l.msg === 'request'), 5_000);
    expect(server.logs.find((l) => l.requestId === 'req-obs-1')).toMatchObject({
      method: 'POST',
      path: '/graphql',
      status: 200,
      service: 'ledgerline',
    });

    // Without a header the server makes one up, returns it, and logs it.
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await waitUntil(() => server.logs.some((l) => l.requestId === id), 5_000);

    // Each WebSocket operation gets an id of its own in the log.
    const client = wsClient(server.wsUrl);
    const sub = collect(client, 'subscription { orderStatusChanged { to } }');
    await waitUntil(
      () => server.logs.some((l) => l.msg === 'websocket operation' && typeof l.requestId === 'string'),
      5_000,
    );
    sub.stop();
    await client.dispose();

    // With an x-request-id on the connection, an operation's id is that id and its own.
    const tagged = createClient({
      url: server.wsUrl,
      retryAttempts: 0,
      lazy: true,
      webSocketImpl: class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers: { 'x-request-id': 'conn-obs' } });
        }
      },
    });
    const answer = await new Promise<any>((resolve, reject) => {
      tagged.subscribe(
        {
          query:
            'mutation { createOrder(input: { id: "obs-ws", userId: "user-obs", items: [{ productId: "p", quantity: 1, price: "1.00" }] }) { __typename } }',
        },
        { next: resolve, error: reject, complete: () => {} },
      );
    });
    expect(answer.data.createOrder.__typename).toBe('CreateOrderSuccess');
    const wsEvents = (await gql('{ order(id: "obs-ws") { events { metadata } } }')).data.order.events;
    expect(wsEvents[0].metadata.requestId).toMatch(/^conn-obs:[\w-]+$/);
    expect(
      server.logs.some(
        (l) => l.msg === 'websocket operation' && l.requestId === wsEvents[0].metadata.requestId,
      ),
    ).toBe(true);
    await tagged.dispose();
  });

  it('serves the metrics issue 7 asks for', async () => {
    const gql = server.gql.bind(server);
    const client = wsClient(server.wsUrl);
    const sub = collect(client, 'subscription { orderStatusChanged(orderId: "obs-2") { to } }');
    await new Promise((r) => setTimeout(r, 300));
    await createOrder(gql, 'obs-2');
    await payOrder(gql, 'obs-2');
    await sub.waitFor(3, 15_000);
    const text = await (await fetch(server.metricsUrl)).text();
    const value = (pattern: string) => Number(new RegExp(`^${pattern} ([0-9.e+-]+)$`, 'm').exec(text)?.[1]);
    expect(value('ledgerline_commands_total\\{type="CreateOrder",outcome="ok"\\}')).toBeGreaterThanOrEqual(2);
    expect(value('ledgerline_commands_total\\{type="ShipOrder",outcome="ok"\\}')).toBeGreaterThanOrEqual(1);
    expect(value('ledgerline_append_duration_seconds_count')).toBeGreaterThanOrEqual(4);
    expect(value('ledgerline_projection_position\\{projection="orders"\\}')).toBeGreaterThan(0);
    expect(value('ledgerline_projection_events_behind\\{projection="orders"\\}')).toBeGreaterThanOrEqual(0);
    expect(value('ledgerline_projection_seconds_behind\\{projection="orders"\\}')).toBeGreaterThanOrEqual(0);
    expect(value('ledgerline_active_subscriptions')).toBe(1);
    expect(value('ledgerline_websockets')).toBe(1);
    expect(
      value('ledgerline_saga_steps_total\\{saga="fulfilment",step="ship",outcome="ok"\\}'),
    ).toBeGreaterThanOrEqual(1);
    sub.stop();
    await client.dispose();
  });

  it('counts reserving a product that is not stock-managed as such, not as a failure', async () => {
    const gql = server.gql.bind(server);
    const scrape = async () => (await fetch(server.metricsUrl)).text();
    const reserves = (text: string) =>
      Object.fromEntries(
        [
          ...text.matchAll(
            /^ledgerline_saga_steps_total\{saga="fulfilment",step="reserve",outcome="(\w+)"\} (\d+)$/gm,
          ),
        ].map((m) => [m[1], Number(m[2])]),
      );
    // prod-1 (the helpers' product) was never defined: nothing to hold, the saga goes on.
    await createOrder(gql, 'obs-unmanaged');
    await payOrder(gql, 'obs-unmanaged');
    await waitUntil(async () => (await readOrder(gql, 'obs-unmanaged'))?.status === 'SHIPPED', 15_000);
    const first = await scrape();
    expect(reserves(first)).toEqual({ not_stock_managed: expect.any(Number) });
    // The command says the same: its outcome names the case, no NOT_FOUND is counted.
    expect(first).toMatch(
      /^ledgerline_commands_total\{type="ReserveStock",outcome="NOT_STOCK_MANAGED"\} [1-9]/m,
    );
    expect(first).not.toMatch(/outcome="NOT_FOUND"/);
    // A stock-managed product's reservation is ok.
    const stocked = await gql(`mutation {
      defineProduct(input: { productId: "obs-widget", name: "Widget" }) { __typename }
      addStock(input: { productId: "obs-widget", quantity: 5 }) { __typename }
      createOrder(input: { id: "obs-managed", userId: "user-obs", items: [{ productId: "obs-widget", quantity: 1, price: "10.00" }] }) { __typename }
    }`);
    expect(stocked.data).toEqual({
      defineProduct: { __typename: 'DefineProductSuccess' },
      addStock: { __typename: 'AddStockSuccess' },
      createOrder: { __typename: 'CreateOrderSuccess' },
    });
    await payOrder(gql, 'obs-managed');
    await waitUntil(async () => (await readOrder(gql, 'obs-managed'))?.status === 'SHIPPED', 15_000);
    expect(reserves(await scrape())).toEqual({ ok: 1, not_stock_managed: expect.any(Number) });
  });
});
