import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/connect.js';
import { LocalCarrier, type Carrier } from '../../src/sagas/carrier.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';
import { SagaHarness } from './harness.js';

async function productRow(h: SagaHarness, id: string) {
  await h.caughtUp();
  const [row] = await rows<{ on_hand: number; reserved: number }>(h.database.db, sql`SELECT on_hand, reserved FROM products WHERE id = ${id}`);
  return row;
}

async function notifications(h: SagaHarness, orderId: string) {
  return rows<{ kind: string; message: string; user_id: string }>(h.database.db, sql`
    SELECT kind, message, user_id FROM notifications WHERE order_id = ${orderId}`);
}

describe.each(ENGINES)('fulfilment saga on %s', (engine) => {
  let database: TestDatabase;
  let h: SagaHarness;
  // One database for the file (each test uses its own products and orders), the worker swapped where a test needs to.
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    h = new SagaHarness(database);
    await h.start();
  });
  afterAll(async () => {
    await h.stop();
    await database.close();
  });

  it('reserves, books, ships and notifies; an undefined product is not stock-managed', async () => {
    await h.product('widget', 'Widget', 5);
    await h.paidOrder('o-happy', 'u-1', [['widget', 2, 1000], ['prod-1', 1, 99]]);
    const done = await h.settled('o-happy');
    expect(done.fulfilment.state).toBe('SHIPPED');
    expect(done.fulfilment.trackingNumber).toBe((await new LocalCarrier().book('o-happy')).trackingNumber);
    expect(done.fulfilment.steps.map((s) => [s.name, s.state])).toEqual([
      ['payment', 'DONE'], ['reserve:widget', 'DONE'], ['reserve:prod-1', 'DONE'], ['ship', 'DONE'], ['notify', 'DONE'],
    ]);
    expect(await h.eventTypes('order-o-happy')).toEqual(['OrderCreated', 'OrderPaid', 'OrderShipped']);
    expect(await productRow(h, 'widget')).toEqual({ on_hand: 5, reserved: 2 });
    expect(await notifications(h, 'o-happy')).toEqual([
      { kind: 'shipped', user_id: 'u-1', message: `Your order o-happy has shipped, tracking ${done.fulfilment.trackingNumber}` },
    ]);
  });

  it('releases, cancels and refunds when a line is out of stock, and tells the customer', async () => {
    await h.product('a', 'Apple', 10);
    await h.product('b', 'Banana', 1);
    await h.paidOrder('o-short', 'u-2', [['a', 3, 100], ['b', 2, 50]]);
    const done = await h.settled('o-short');
    expect(done.fulfilment.state).toBe('COMPENSATED');
    expect(done.fulfilment.reason).toBe('out of stock: b');
    expect(await h.eventTypes('order-o-short')).toEqual(['OrderCreated', 'OrderPaid', 'OrderCancelled', 'OrderPaymentRefunded']);
    expect(await h.eventTypes('product-a')).toEqual(['ProductDefined', 'StockAdded', 'StockReserved', 'StockReleased']);
    expect(await productRow(h, 'a')).toEqual({ on_hand: 10, reserved: 0 });
    expect(await productRow(h, 'b')).toEqual({ on_hand: 1, reserved: 0 });
    expect(await notifications(h, 'o-short')).toEqual([{
      kind: 'compensated', user_id: 'u-2', message: 'Your order o-short was cancelled: out of stock: b; a refund of 4.00 is on its way',
    }]);
  });

  it('survives a failing carrier and a worker stopped between reserving and shipping', async () => {
    const down: Carrier = { book: () => Promise.reject(new Error('carrier unavailable')) };
    await h.worker!.stop();
    await h.startWorker(down);
    await h.product('w', 'Widget', 1);
    await h.paidOrder('o-crash', 'u-3', [['w', 1, 500]]);
    const stuck = await h.settled('o-crash', (f) => f.attempts >= 2);
    expect(stuck.fulfilment.state).toBe('SHIPPING');
    expect(stuck.lastError).toBe('carrier unavailable');
    await h.worker!.stop();

    let calls = 0;
    const flaky: Carrier = {
      book: (orderId) => (++calls === 1 ? Promise.reject(new Error('transient')) : new LocalCarrier().book(orderId)),
    };
    await h.startWorker(flaky);
    const done = await h.settled('o-crash');
    expect(done.fulfilment.state).toBe('SHIPPED');
    expect(calls).toBe(2);
    expect(await h.eventTypes('product-w')).toEqual(['ProductDefined', 'StockAdded', 'StockReserved']);
    expect(await h.eventTypes('order-o-crash')).toEqual(['OrderCreated', 'OrderPaid', 'OrderShipped']);
    expect(await notifications(h, 'o-crash')).toHaveLength(1);
  });

  it('ships exactly as many orders as there is stock when 50 are paid at once', async () => {
    await h.product('hot', 'Hot item', 10);
    const ids = Array.from({ length: 50 }, (_, i) => `o-rush-${i}`);
    await Promise.all(ids.map((id, i) => h.paidOrder(id, `u-rush-${i % 5}`, [['hot', 1, 1999]])));
    const states = await Promise.all(ids.map((id) => h.settled(id, undefined, 60_000).then((f) => f.fulfilment.state)));
    expect(states.filter((s) => s === 'SHIPPED')).toHaveLength(10);
    expect(states.filter((s) => s === 'COMPENSATED')).toHaveLength(40);
    expect(await productRow(h, 'hot')).toEqual({ on_hand: 10, reserved: 10 });
    const rejected = (await h.eventTypes('product-hot')).filter((t) => t === 'StockReservationRejected');
    expect(rejected).toHaveLength(40);
    // Never below zero at any point of the product's history, not only at the end.
    const stream = await h.commands.store.readStream('product-hot');
    let available = 0;
    for (const event of stream) {
      const data = event.data as { quantity?: number };
      if (event.type === 'StockAdded') available += data.quantity!;
      if (event.type === 'StockReserved') available -= data.quantity!;
      if (event.type === 'StockReleased') available += data.quantity!;
      expect(available).toBeGreaterThanOrEqual(0);
    }
    expect(available).toBe(0);
    const [counts] = await rows<{ shipped: number; cancelled: number; refunded: number }>(database.db, sql`
      SELECT count(*) FILTER (WHERE event_type = 'OrderShipped')::int AS shipped,
             count(*) FILTER (WHERE event_type = 'OrderCancelled')::int AS cancelled,
             count(*) FILTER (WHERE event_type = 'OrderPaymentRefunded')::int AS refunded
      FROM events WHERE stream_id LIKE 'order-o-rush-%'`);
    expect(counts).toEqual({ shipped: 10, cancelled: 40, refunded: 40 });
  }, 90_000);
});
