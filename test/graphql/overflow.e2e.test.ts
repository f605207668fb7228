import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collect, waitUntil, wsClient } from '../support/clients.js';
import { ENGINES } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

// Each change carries its order's hundred lines (about 10 KB), so the socket's buffers fill
// after a few hundred changes rather than tens of thousands.
const CHANGES = `subscription($after: Position) {
  orderStatusChanged(userId: "u-slow", after: $after) { orderId to position order { items { productId quantity unitPrice lineTotal } } }
}`;
const ITEMS = Array.from({ length: 100 }, (_, i) => ({
  productId: `product-with-a-long-enough-id-${i}`,
  quantity: 1,
  price: '1.00',
}));

interface Message {
  type: string;
  id?: string;
  payload?: any;
}

// The overflow is the hub's and graphql-ws's, alike on both engines; PostgreSQL projects
// the few hundred hundred-line orders it takes several times faster than PGlite.
describe.runIf(ENGINES.includes('postgres'))('a subscriber that stops reading', () => {
  let server: TestServer;
  // Bursts here are at most 20 changes: a subscriber that reads never has 50 waiting.
  beforeAll(async () => {
    server = await startTestServer('postgres', { SUBSCRIBER_BUFFER: '50' });
  });
  afterAll(() => server.stop());

  const activeSubscriptions = async () => {
    const text = await (await fetch(server.metricsUrl)).text();
    return Number(/^ledgerline_active_subscriptions (\d+)/m.exec(text)?.[1]);
  };

  it('is ended with SUBSCRIBER_OVERFLOW and where to resume, and resuming there misses nothing', async () => {
    // graphql-ws spoken by hand over `ws`, so the socket itself can stop reading.
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    const received: Message[] = [];
    socket.on('message', (data: Buffer) => received.push(JSON.parse(data.toString()) as Message));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await waitUntil(() => received.some((m) => m.type === 'connection_ack'), 5_000);
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: CHANGES } }));
    // A subscriber that reads, beside it, keeps up under the same load.
    const reader = wsClient(server.wsUrl);
    const reading = collect(reader, CHANGES);
    await waitUntil(async () => (await activeSubscriptions()) === 2, 5_000);

    // Stop reading: the kernel's buffers fill, then the server's queue of 50, then it gives up.
    (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    let created = 0;
    while ((await activeSubscriptions()) > 1) {
      if (created >= 2_000) throw new Error('the subscription never overflowed');
      await Promise.all(
        Array.from({ length: 20 }, () =>
          server.gql('mutation($i: CreateOrderInput!) { createOrder(input: $i) { __typename } }', {
            i: { id: `o-slow-${created++}`, userId: 'u-slow', items: ITEMS },
          }),
        ),
      );
    }
    (socket as unknown as { _socket: { resume(): void } })._socket.resume();
    await waitUntil(() => received.some((m) => m.type === 'error'), 10_000);

    const delivered = received.filter((m) => m.type === 'next').map((m) => m.payload.data.orderStatusChanged);
    const error = received.find((m) => m.type === 'error')!;
    expect(error.payload[0].extensions).toMatchObject({
      code: 'SUBSCRIBER_OVERFLOW',
      resumeAfter: delivered.at(-1).position,
    });
    expect(error.payload[0].message).toMatch(/subscribe again with after/);
    expect(delivered.length).toBeGreaterThan(50);
    expect(delivered.length).toBeLessThan(created);
    socket.close();

    // Resuming after the last change received brings every later one, none twice.
    const client = wsClient(server.wsUrl);
    const resumed = collect(client, CHANGES, { after: error.payload[0].extensions.resumeAfter });
    const rest = await resumed.waitFor(created - delivered.length, 20_000);
    const ids = [...delivered, ...rest.map((d: any) => d.orderStatusChanged)].map((c) => c.orderId);
    expect(new Set(ids).size).toBe(created);
    expect(ids).toHaveLength(created);
    resumed.stop();
    await client.dispose();
    expect(reading.errors).toEqual([]);
    const read = (await reading.waitFor(created)).map((d: any) => d.orderStatusChanged.orderId);
    expect([read.length, new Set(read)]).toEqual([created, new Set(ids)]);
    reading.stop();
    await reader.dispose();
  }, 120_000);
});
