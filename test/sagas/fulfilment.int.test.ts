import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/connect.js';
import { LocalCarrier, type Carrier } from '../../src/sagas/carrier.js';
import { fulfilmentProjection } from '../../src/sagas/fulfilment-projection.js';
import { loadFulfilment, type StoredFulfilment } from '../../src/sagas/fulfilment-store.js';
import { meta } from '../support/commands.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';
import { SagaHarness } from './harness.js';

async function productRow(h: SagaHarness, id: string) {
  await h.caughtUp();
  const [row] = await rows<{ on_hand: number; reserved: number }>(
    h.database.db,
    sql`SELECT on_hand, reserved FROM products WHERE id = ${id}`,
  );
  return row;
}

async function notifications(h: SagaHarness, orderId: string) {
  return rows<{ kind: string; message: string; user_id: string }>(
    h.database.db,
    sql`
    SELECT kind, message, user_id FROM notifications WHERE order_id = ${orderId}`,
  );
}

const stepOf = (f: StoredFulfilment, name: string) => f.fulfilment.steps.find((s) => s.name === name);
const waitingFor = (productId: string) => (f: StoredFulfilment) =>
  stepOf(f, `reserve:${productId}`)?.state === 'WAITING';
/** Within a test's time, so a saga that never gets there fails saying where it is. */
const SOON = 15_000;

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
    await h.paidOrder('o-happy', 'u-1', [
      ['widget', 2, 1000],
      ['prod-1', 1, 99],
    ]);
    const done = await h.settled('o-happy');
    expect(done.fulfilment.state).toBe('SHIPPED');
    expect(done.fulfilment.trackingNumber).toBe((await new LocalCarrier().book('o-happy')).trackingNumber);
    expect(done.fulfilment.steps.map((s) => [s.name, s.state])).toEqual([
      ['payment', 'DONE'],
      ['reserve:widget', 'DONE'],
      ['reserve:prod-1', 'DONE'],
      ['ship', 'DONE'],
      ['notify', 'DONE'],
    ]);
    expect(await h.eventTypes('order-o-happy')).toEqual(['OrderCreated', 'OrderPaid', 'OrderShipped']);
    expect(await productRow(h, 'widget')).toEqual({ on_hand: 5, reserved: 2 });
    expect(await notifications(h, 'o-happy')).toEqual([
      {
        kind: 'shipped',
        user_id: 'u-1',
        message: `Your order o-happy has shipped, tracking ${done.fulfilment.trackingNumber}`,
      },
    ]);
  });

  it('releases, cancels and refunds when a line is out of stock, and tells the customer', async () => {
    await h.product('a', 'Apple', 10);
    await h.product('b', 'Banana', 1);
    await h.paidOrder('o-short', 'u-2', [
      ['a', 3, 100],
      ['b', 2, 50],
    ]);
    const done = await h.settled('o-short');
    expect(done.fulfilment.state).toBe('COMPENSATED');
    expect(done.fulfilment.reason).toBe('out of stock: b');
    expect(await h.eventTypes('order-o-short')).toEqual([
      'OrderCreated',
      'OrderPaid',
      'OrderCancelled',
      'OrderPaymentRefunded',
    ]);
    expect(await h.eventTypes('product-a')).toEqual([
      'ProductDefined',
      'StockAdded',
      'StockReserved',
      'StockReleased',
    ]);
    expect(await productRow(h, 'a')).toEqual({ on_hand: 10, reserved: 0 });
    expect(await productRow(h, 'b')).toEqual({ on_hand: 1, reserved: 0 });
    expect(await notifications(h, 'o-short')).toEqual([
      {
        kind: 'compensated',
        user_id: 'u-2',
        message: 'Your order o-short was cancelled: out of stock: b; a refund of 4.00 is on its way',
      },
    ]);
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
      book: (orderId) =>
        ++calls === 1 ? Promise.reject(new Error('transient')) : new LocalCarrier().book(orderId),
    };
    await h.startWorker(flaky);
    const done = await h.settled('o-crash');
    expect(done.fulfilment.state).toBe('SHIPPED');
    expect(calls).toBe(2);
    expect(await h.eventTypes('product-w')).toEqual(['ProductDefined', 'StockAdded', 'StockReserved']);
    expect(await h.eventTypes('order-o-crash')).toEqual(['OrderCreated', 'OrderPaid', 'OrderShipped']);
    expect(await notifications(h, 'o-crash')).toHaveLength(1);
  });

  it('keeps an order short of a product taking backorders PAID, sending nothing, until stock comes in; then ships it', async () => {
    await h.product('espresso', 'Espresso machine', 0, { backorders: true });
    await h.product('tamper', 'Tamper', 5);
    await h.paidOrder('o-wait', 'u-4', [
      ['tamper', 1, 2999],
      ['espresso', 1, 64900],
    ]);
    await h.settled('o-wait', waitingFor('espresso'), SOON);
    // Several worker passes (it polls every 100 ms, rechecks after 500 ms): none touches the waiting saga.
    await new Promise((r) => setTimeout(r, 1_500));
    const waiting = (await loadFulfilment(database.db, 'o-wait'))!;
    expect(waiting).toMatchObject({ nextAttemptAt: null, fulfilment: { state: 'RESERVING', reason: null } });
    expect(waiting.fulfilment.steps.map((s) => [s.name, s.state])).toEqual([
      ['payment', 'DONE'],
      ['reserve:tamper', 'DONE'],
      ['reserve:espresso', 'WAITING'],
      ['ship', 'PENDING'],
    ]);
    expect(stepOf(waiting, 'reserve:espresso')?.detail).toBe('waiting for restock: requested 1, available 0');
    expect(await h.eventTypes('order-o-wait')).toEqual(['OrderCreated', 'OrderPaid']);
    expect(await h.eventTypes('product-espresso')).toEqual(['ProductDefined', 'StockBackordered']);
    expect(await productRow(h, 'espresso')).toEqual({ on_hand: 0, reserved: 0 });

    await h.addStock('espresso', 1);
    const done = await h.settled('o-wait', undefined, SOON);
    expect(done.fulfilment.state).toBe('SHIPPED');
    expect(stepOf(done, 'reserve:espresso')).toMatchObject({
      state: 'DONE',
      attempt: 2,
      detail: '1 reserved',
    });
    expect(await h.eventTypes('product-espresso')).toEqual([
      'ProductDefined',
      'StockBackordered',
      'StockAdded',
      'StockReserved',
    ]);
    expect(await h.eventTypes('order-o-wait')).toEqual(['OrderCreated', 'OrderPaid', 'OrderShipped']);
    expect(await productRow(h, 'espresso')).toEqual({ on_hand: 1, reserved: 1 });
  });

  it('compensates as usual when an order waiting for restock is cancelled, and a later restock leaves it alone', async () => {
    await h.product('lamp', 'Lamp', 0, { backorders: true });
    await h.product('bulb', 'Bulb', 4);
    await h.paidOrder('o-wait-cancel', 'u-5', [
      ['bulb', 2, 300],
      ['lamp', 1, 4500],
    ]);
    await h.settled(
      'o-wait-cancel',
      (f) => waitingFor('lamp')(f) && stepOf(f, 'reserve:bulb')?.state === 'DONE',
      SOON,
    );
    await h.commands.handle({
      type: 'CancelOrder',
      data: { orderId: 'o-wait-cancel', reason: 'no longer needed' },
      metadata: meta(),
    });
    const done = await h.settled('o-wait-cancel', undefined, SOON);
    expect(done.fulfilment).toMatchObject({ state: 'COMPENSATED', reason: 'no longer needed' });
    expect(stepOf(done, 'reserve:lamp')?.state).toBe('SKIPPED');
    expect(await h.eventTypes('order-o-wait-cancel')).toEqual([
      'OrderCreated',
      'OrderPaid',
      'OrderCancelled',
      'OrderPaymentRefunded',
    ]);
    expect(await h.eventTypes('product-bulb')).toEqual([
      'ProductDefined',
      'StockAdded',
      'StockReserved',
      'StockReleased',
    ]);
    expect(await notifications(h, 'o-wait-cancel')).toEqual([
      {
        kind: 'compensated',
        user_id: 'u-5',
        message: 'Your order o-wait-cancel was cancelled: no longer needed; a refund of 51.00 is on its way',
      },
    ]);

    await h.addStock('lamp', 1);
    await h.caughtUp();
    expect(await h.eventTypes('product-lamp')).toEqual(['ProductDefined', 'StockBackordered', 'StockAdded']);
    expect(await productRow(h, 'lamp')).toEqual({ on_hand: 1, reserved: 0 });
  });

  it('wakes an order waiting for a unit that another order gives back', async () => {
    const down: Carrier = { book: () => Promise.reject(new Error('carrier unavailable')) };
    await h.worker!.stop();
    await h.startWorker(down);
    await h.product('kiln', 'Kiln', 1, { backorders: true });
    await h.paidOrder('o-first', 'u-6', [['kiln', 1, 90000]]);
    await h.settled('o-first', (f) => f.fulfilment.state === 'SHIPPING', SOON);
    await h.paidOrder('o-second', 'u-7', [['kiln', 1, 90000]]);
    await h.settled('o-second', waitingFor('kiln'), SOON);

    await h.commands.handle({
      type: 'CancelOrder',
      data: { orderId: 'o-first', reason: 'found one elsewhere' },
      metadata: meta(),
    });
    const second = await h.settled('o-second', (f) => f.fulfilment.state === 'SHIPPING', SOON);
    expect(stepOf(second, 'reserve:kiln')).toMatchObject({ state: 'DONE', attempt: 2 });
    expect(await h.eventTypes('product-kiln')).toEqual([
      'ProductDefined',
      'StockAdded',
      'StockReserved',
      'StockBackordered',
      'StockReleased',
      'StockReserved',
    ]);
    await h.worker!.stop();
    await h.startWorker();
    expect((await h.settled('o-second', undefined, SOON)).fulfilment.state).toBe('SHIPPED');
  });

  it('ships exactly as many orders as there is stock when 50 are paid at once', async () => {
    await h.product('hot', 'Hot item', 10);
    const ids = Array.from({ length: 50 }, (_, i) => `o-rush-${i}`);
    await Promise.all(ids.map((id, i) => h.paidOrder(id, `u-rush-${i % 5}`, [['hot', 1, 1999]])));
    // Waited for one at a time, under one deadline: fifty polling at once would load the
    // one connection (on PGlite) that the saga works on.
    const deadline = Date.now() + 60_000;
    const states: string[] = [];
    for (const id of ids)
      states.push((await h.settled(id, undefined, Math.max(0, deadline - Date.now()))).fulfilment.state);
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
    const [counts] = await rows<{ shipped: number; cancelled: number; refunded: number }>(
      database.db,
      sql`
      SELECT count(*) FILTER (WHERE event_type = 'OrderShipped')::int AS shipped,
             count(*) FILTER (WHERE event_type = 'OrderCancelled')::int AS cancelled,
             count(*) FILTER (WHERE event_type = 'OrderPaymentRefunded')::int AS refunded
      FROM events WHERE stream_id LIKE 'order-o-rush-%'`,
    );
    expect(counts).toEqual({ shipped: 10, cancelled: 40, refunded: 40 });
  }, 90_000);
});

describe.each(ENGINES)(
  "the saga's feed consumer on %s, with a restock read before the backorder it follows",
  (engine) => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await openTestDatabase(engine);
    });
    afterAll(() => database.close());

    it('wakes the order at once, since no later restock would', async () => {
      // given an order waiting on a backorder product, and a unit added after that decision
      const h = new SagaHarness(database); // not started: this test feeds the consumer itself
      await h.product('late', 'Late', 0, { backorders: true });
      await h.paidOrder('o-late', 'u-late', [['late', 1, 100]]);
      await h.commands.handle({
        type: 'ReserveStock',
        data: { productId: 'late', orderId: 'o-late', quantity: 1 },
        metadata: meta(),
      });
      await h.commands.handle({
        type: 'AddStock',
        data: { productId: 'late', quantity: 1 },
        metadata: meta(),
      });
      const product = await h.commands.store.readStream('product-late');
      const backordered = product.filter((e) => e.type === 'StockBackordered')[0]!;
      const added = product.filter((e) => e.type === 'StockAdded')[0]!;
      expect(added.version).toBeGreaterThan(backordered.version);
      const paid = (await h.commands.store.readStream('order-o-late')).filter((e) => e.type === 'OrderPaid');
      const consumer = fulfilmentProjection(h.commands.store.registry);
      // when the feed hands the consumer the restock first (its transaction began first, it committed last)
      await database.db.transaction(async (tx) => {
        await consumer.apply(tx, paid, { rebuilding: false });
        await consumer.apply(tx, [added, backordered], { rebuilding: false });
      });
      // then the order is not left waiting: its reservation is due again, under a new attempt
      const saga = await loadFulfilment(database.db, 'o-late');
      expect(stepOf(saga!, 'reserve:late')).toMatchObject({ state: 'PENDING', attempt: 2 });
      expect(saga!.nextAttemptAt).not.toBeNull();
    });
  },
);
