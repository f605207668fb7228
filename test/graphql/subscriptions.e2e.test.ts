import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, collectSse, wsClient } from '../support/clients.js';
import { ENGINES } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

const CHANGES = `subscription($orderId: ID, $userId: ID, $after: Position) {
  orderStatusChanged(orderId: $orderId, userId: $userId, after: $after) { orderId userId from to position occurredAt }
}`;
const ITEMS = [
  { productId: 'prod-1', quantity: 2, price: '99.99' },
  { productId: 'prod-2', quantity: 1, price: '149.99' },
];

describe.each(ENGINES)('subscriptions on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(() => server.stop());

  const run = async (orderId: string, userId = 'user-123') => {
    await server.gql(`mutation($i: CreateOrderInput!) { createOrder(input: $i) { __typename } }`, {
      i: { id: orderId, userId, items: ITEMS },
    });
    await server.gql(`mutation($i: PayOrderInput!) { payOrder(input: $i) { __typename } }`, {
      i: { orderId, paymentMethod: 'credit_card', amount: '349.97' },
    });
    await server.gql(`mutation($i: ShipOrderInput!) { shipOrder(input: $i) { __typename } }`, {
      i: { orderId, trackingNumber: 'TRACK-1' },
    });
  };

  it('pushes PENDING, PAID, SHIPPED over graphql-ws, and resumes after a position exactly once', async () => {
    const client = wsClient(server.wsUrl);
    const live = collect(client, CHANGES, { orderId: 'order-ws' });
    await new Promise((r) => setTimeout(r, 200));
    await run('order-ws');
    const changes = (await live.waitFor(3)).map((d: any) => d.orderStatusChanged);
    expect(changes.map((c) => [c.from, c.to])).toEqual([
      [null, 'PENDING'],
      ['PENDING', 'PAID'],
      ['PAID', 'SHIPPED'],
    ]);
    expect(changes.every((c) => c.orderId === 'order-ws' && c.userId === 'user-123')).toBe(true);

    // A second client that saw only the first change resumes after it.
    const resumed = collect(client, CHANGES, { orderId: 'order-ws', after: changes[0].position });
    const rest = (await resumed.waitFor(2)).map((d: any) => d.orderStatusChanged);
    await server.gql(`mutation { deliverOrder(input: { orderId: "order-ws" }) { __typename } }`);
    await resumed.waitFor(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(resumed.items.map((d: any) => d.orderStatusChanged.to)).toEqual(['PAID', 'SHIPPED', 'DELIVERED']);
    expect(rest[0].position).toBe(changes[1].position);
    live.stop();
    resumed.stop();
    await client.dispose();
  });

  it('filters by user and pushes nothing of other users', async () => {
    const client = wsClient(server.wsUrl);
    const mine = collect(client, CHANGES, { userId: 'user-filter' });
    await new Promise((r) => setTimeout(r, 200));
    await run('order-other', 'someone-else');
    await run('order-mine', 'user-filter');
    await mine.waitFor(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(mine.items.map((d: any) => d.orderStatusChanged.orderId)).toEqual([
      'order-mine',
      'order-mine',
      'order-mine',
    ]);
    mine.stop();
    await client.dispose();
  });

  it('does the same over SSE', async () => {
    const live = collectSse(server.url, CHANGES, { orderId: 'order-sse' });
    await new Promise((r) => setTimeout(r, 300));
    await run('order-sse');
    const changes = (await live.waitFor(3)).map((d: any) => d.orderStatusChanged);
    expect(changes.map((c) => c.to)).toEqual(['PENDING', 'PAID', 'SHIPPED']);
    live.stop();
    const resumed = collectSse(server.url, CHANGES, { orderId: 'order-sse', after: changes[0].position });
    await resumed.waitFor(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(resumed.items.map((d: any) => d.orderStatusChanged.to)).toEqual(['PAID', 'SHIPPED']);
    resumed.stop();
  });

  it('executes a change once for every subscriber of the same operation and scope', async () => {
    const events = async () => {
      const text = await (await fetch(server.metricsUrl)).text();
      const count = (execution: string) =>
        Number(
          text.match(new RegExp(`subscription_events_total{execution="${execution}"} (\\d+)`))?.[1] ?? 0,
        );
      return { executed: count('executed'), shared: count('shared') };
    };
    const OTHER = `subscription($userId: ID) { orderStatusChanged(userId: $userId) { to position } }`;
    const clients = Array.from({ length: 12 }, () => wsClient(server.wsUrl));
    const same = clients.slice(0, 10).map((c) => collect(c, CHANGES, { userId: 'user-share' }));
    const other = clients.slice(10).map((c) => collect(c, OTHER, { userId: 'user-share' }));
    await new Promise((r) => setTimeout(r, 300));
    const before = await events();
    await server.gql(`mutation($i: CreateOrderInput!) { createOrder(input: $i) { __typename } }`, {
      i: { id: 'order-share', userId: 'user-share', items: ITEMS },
    });
    for (const c of [...same, ...other]) await c.waitFor(1);
    const after = await events();
    // Two operations: two executions; the other ten deliveries reuse them.
    expect({ executed: after.executed - before.executed, shared: after.shared - before.shared }).toEqual({
      executed: 2,
      shared: 10,
    });
    expect(new Set(same.map((c) => JSON.stringify(c.items)))).toEqual(
      new Set([JSON.stringify(same[0]!.items)]),
    );
    expect(same[0]!.items[0].orderStatusChanged).toMatchObject({
      orderId: 'order-share',
      userId: 'user-share',
      from: null,
      to: 'PENDING',
    });
    expect(other.map((c) => c.items[0].orderStatusChanged.to)).toEqual(['PENDING', 'PENDING']);
    for (const c of [...same, ...other]) c.stop();
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('fails a bad operation over WebSocket without closing the socket', async () => {
    const client = wsClient(server.wsUrl);
    const bad = collect(client, `subscription { orderStatusChanged(nope: 1) { to } }`);
    await bad.done;
    expect(String((bad.errors[0] as any)?.[0]?.message ?? (bad.errors[0] as any)?.message)).toMatch(/nope/);
    const badPosition = collect(client, CHANGES, { after: 'not-a-position' });
    await badPosition.done;
    expect(JSON.stringify(badPosition.errors)).toMatch(/position/);
    const good = collect(client, CHANGES, { orderId: 'order-after-bad' });
    await new Promise((r) => setTimeout(r, 200));
    await run('order-after-bad');
    expect((await good.waitFor(3)).length).toBe(3);
    good.stop();
    await client.dispose();
  });
});
