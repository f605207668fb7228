import { describe, expect, it } from 'vitest';
import {
  evolveFulfilment,
  nextActions,
  notificationFor,
  startFulfilment,
  type Fulfilment,
  type FulfilmentFact,
} from '../../src/sagas/fulfilment.js';

const T = '2026-01-01T00:00:00.000Z';
const paid = startFulfilment({
  orderId: 'o-1',
  userId: 'u-1',
  amount: 34997,
  paidAt: T,
  lines: [
    { productId: 'prod-1', quantity: 2 },
    { productId: 'prod-2', quantity: 1 },
  ],
});

/** given(facts) → the saga's state, then what it does next. */
function given(...facts: FulfilmentFact[]): Fulfilment {
  return facts.reduce(evolveFulfilment, paid);
}
const reserved = (productId: string, quantity = 1): FulfilmentFact => ({
  type: 'StockReserved',
  productId,
  quantity,
  at: T,
});
const commandsOf = (f: Fulfilment) =>
  nextActions(f).map((a) => (a.kind === 'book' ? { book: a.step } : { id: a.commandId, ...a.command }));

describe('fulfilment decisions', () => {
  it('on payment, reserves every line with ids derived from the order and step', () => {
    expect(paid.state).toBe('RESERVING');
    expect(commandsOf(paid)).toEqual([
      {
        id: 'fulfil:o-1:reserve:prod-1',
        type: 'ReserveStock',
        data: { productId: 'prod-1', orderId: 'o-1', quantity: 2 },
      },
      {
        id: 'fulfil:o-1:reserve:prod-2',
        type: 'ReserveStock',
        data: { productId: 'prod-2', orderId: 'o-1', quantity: 1 },
      },
    ]);
  });

  it('reserves only what is still pending; a product not stock-managed counts as reserved', () => {
    expect(commandsOf(given(reserved('prod-1', 2)))).toEqual([
      {
        id: 'fulfil:o-1:reserve:prod-2',
        type: 'ReserveStock',
        data: { productId: 'prod-2', orderId: 'o-1', quantity: 1 },
      },
    ]);
    const all = given(reserved('prod-1', 2), { type: 'ProductNotManaged', productId: 'prod-2', at: T });
    expect(all.state).toBe('SHIPPING');
  });

  it('books a shipment once everything is reserved, then ships with its tracking number', () => {
    const reservedAll = given(reserved('prod-1', 2), reserved('prod-2'));
    expect(commandsOf(reservedAll)).toEqual([{ book: 'ship' }]);
    const booked = evolveFulfilment(reservedAll, { type: 'ShipmentBooked', trackingNumber: 'LL1', at: T });
    expect(commandsOf(booked)).toEqual([
      { id: 'fulfil:o-1:ship', type: 'ShipOrder', data: { orderId: 'o-1', trackingNumber: 'LL1' } },
    ]);
    const shipped = evolveFulfilment(booked, { type: 'OrderShipped', trackingNumber: 'LL1', at: T });
    expect(shipped.state).toBe('SHIPPED');
    expect(commandsOf(shipped)).toEqual([]);
    expect(notificationFor(booked, shipped)).toEqual({
      kind: 'shipped',
      message: 'Your order o-1 has shipped, tracking LL1',
    });
  });

  it('on a rejection, releases what was reserved, then cancels, then refunds', () => {
    const rejected = given(reserved('prod-1', 2), {
      type: 'StockReservationRejected',
      productId: 'prod-2',
      requested: 1,
      available: 0,
      at: T,
    });
    expect(rejected).toMatchObject({ state: 'COMPENSATING', reason: 'out of stock: prod-2' });
    expect(commandsOf(rejected)).toEqual([
      {
        id: 'fulfil:o-1:release:prod-1',
        type: 'ReleaseStock',
        data: { productId: 'prod-1', orderId: 'o-1' },
      },
    ]);
    const released = evolveFulfilment(rejected, {
      type: 'StockReleased',
      productId: 'prod-1',
      quantity: 2,
      at: T,
    });
    expect(commandsOf(released)).toEqual([
      {
        id: 'fulfil:o-1:cancel',
        type: 'CancelOrder',
        data: { orderId: 'o-1', reason: 'out of stock: prod-2' },
      },
    ]);
    const cancelled = evolveFulfilment(released, {
      type: 'OrderCancelled',
      reason: 'out of stock: prod-2',
      at: T,
    });
    expect(commandsOf(cancelled)).toEqual([
      {
        id: 'fulfil:o-1:refund',
        type: 'RefundPayment',
        data: { orderId: 'o-1', amount: 34997, reason: 'out of stock: prod-2' },
      },
    ]);
    const refunded = evolveFulfilment(cancelled, { type: 'OrderPaymentRefunded', amount: 34997, at: T });
    expect(refunded.state).toBe('COMPENSATED');
    expect(notificationFor(cancelled, refunded)?.message).toBe(
      'Your order o-1 was cancelled: out of stock: prod-2; a refund of 349.97 is on its way',
    );
  });

  it('releases a reservation that arrives after compensation began', () => {
    const rejectedFirst = given(
      { type: 'StockReservationRejected', productId: 'prod-1', requested: 2, available: 0, at: T },
      reserved('prod-2'),
    );
    expect(commandsOf(rejectedFirst).map((c) => 'id' in c && c.id)).toEqual(['fulfil:o-1:release:prod-2']);
  });

  it('repeats nothing when a fact arrives twice', () => {
    const once = given(reserved('prod-1', 2));
    expect(evolveFulfilment(once, reserved('prod-1', 2))).toBe(once);
  });

  it('compensates when the customer cancels mid-way, refunding without cancelling again', () => {
    const cancelled = given(reserved('prod-1', 2), {
      type: 'OrderCancelled',
      reason: 'changed my mind',
      at: T,
    });
    expect(cancelled.state).toBe('COMPENSATING');
    expect(commandsOf(cancelled).map((c) => 'id' in c && c.id)).toEqual(['fulfil:o-1:release:prod-1']);
    const released = evolveFulfilment(cancelled, {
      type: 'StockReleased',
      productId: 'prod-1',
      quantity: 2,
      at: T,
    });
    expect(commandsOf(released).map((c) => 'id' in c && c.id)).toEqual(['fulfil:o-1:refund']);
  });

  it('compensates a step that can never succeed, and fails when compensation cannot', () => {
    const failed = given(reserved('prod-1', 2), reserved('prod-2'), {
      type: 'StepFailed',
      step: 'ship',
      error: 'order is CANCELLED',
      at: T,
    });
    expect(failed).toMatchObject({ state: 'COMPENSATING', reason: 'ship failed: order is CANCELLED' });
    const stuck = evolveFulfilment(failed, {
      type: 'StepFailed',
      step: 'cancel',
      error: 'order is DELIVERED',
      at: T,
    });
    expect(stuck.state).toBe('FAILED');
    expect(commandsOf(stuck)).toEqual([]);
  });
});

describe('fulfilment of a product that takes backorders', () => {
  const backordered = (productId: string, requested = 1, available = 0): FulfilmentFact => ({
    type: 'StockBackordered',
    productId,
    requested,
    available,
    at: T,
  });
  const restocked = (productId: string): FulfilmentFact => ({ type: 'Restocked', productId, at: T });
  const reserveOf = (f: Fulfilment, productId: string) =>
    f.steps.find((s) => s.name === `reserve:${productId}`);

  it('waits while short, sending nothing, and keeps reserving the other lines', () => {
    const waitingFirst = given(backordered('prod-2'));
    expect(waitingFirst.state).toBe('RESERVING');
    expect(reserveOf(waitingFirst, 'prod-2')).toMatchObject({
      state: 'WAITING',
      detail: 'waiting for restock: requested 1, available 0',
    });
    expect(commandsOf(waitingFirst).map((c) => 'id' in c && c.id)).toEqual(['fulfil:o-1:reserve:prod-1']);
    const waiting = evolveFulfilment(waitingFirst, reserved('prod-1', 2));
    expect(waiting.state).toBe('RESERVING');
    expect(commandsOf(waiting)).toEqual([]);
    expect(evolveFulfilment(waiting, backordered('prod-2'))).toBe(waiting);
  });

  it('asks again under a new command id each time stock comes in, then ships', () => {
    const waiting = given(reserved('prod-1', 2), backordered('prod-2'));
    expect(evolveFulfilment(waiting, restocked('prod-1'))).toBe(waiting);
    const woken = evolveFulfilment(waiting, restocked('prod-2'));
    expect(reserveOf(woken, 'prod-2')).toMatchObject({ state: 'PENDING', attempt: 2 });
    expect(commandsOf(woken)).toEqual([
      {
        id: 'fulfil:o-1:reserve:prod-2:2',
        type: 'ReserveStock',
        data: { productId: 'prod-2', orderId: 'o-1', quantity: 1 },
      },
    ]);
    expect(evolveFulfilment(woken, restocked('prod-2'))).toBe(woken);
    const stillShort = evolveFulfilment(evolveFulfilment(woken, backordered('prod-2')), restocked('prod-2'));
    expect(commandsOf(stillShort).map((c) => 'id' in c && c.id)).toEqual(['fulfil:o-1:reserve:prod-2:3']);
    const reservedAll = evolveFulfilment(stillShort, reserved('prod-2'));
    expect(reservedAll.state).toBe('SHIPPING');
    expect(commandsOf(reservedAll)).toEqual([{ book: 'ship' }]);
  });

  it('compensates as usual when the order is cancelled while it waits', () => {
    const cancelled = given(reserved('prod-1', 2), backordered('prod-2'), {
      type: 'OrderCancelled',
      reason: 'too slow',
      at: T,
    });
    expect(cancelled).toMatchObject({ state: 'COMPENSATING', reason: 'too slow' });
    expect(reserveOf(cancelled, 'prod-2')?.state).toBe('SKIPPED');
    expect(commandsOf(cancelled).map((c) => 'id' in c && c.id)).toEqual(['fulfil:o-1:release:prod-1']);
    expect(evolveFulfilment(cancelled, restocked('prod-2'))).toBe(cancelled);
    const released = evolveFulfilment(cancelled, {
      type: 'StockReleased',
      productId: 'prod-1',
      quantity: 2,
      at: T,
    });
    expect(commandsOf(released).map((c) => 'id' in c && c.id)).toEqual(['fulfil:o-1:refund']);
  });
});
