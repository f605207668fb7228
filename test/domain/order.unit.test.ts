import { describe, expect, it } from 'vitest';
import { InvalidStateError, NotFoundError } from '../../src/domain/errors.js';
import {
  orderDecider,
  orderStreamId,
  ORDER_STATUSES,
  type OrderCommand,
  type OrderEvent,
} from '../../src/domain/order.js';
import { given } from './given.js';
import {
  commands,
  created,
  HISTORIES,
  ORDER_ID,
  T0,
  T2,
  T3,
  T4,
  TOTAL,
  type HistoryName,
} from './order-fixtures.js';

type Outcome = { events: OrderEvent[] } | { error: typeof NotFoundError | typeof InvalidStateError };
const ok = (...events: OrderEvent[]): Outcome => ({ events });
const notFound: Outcome = { error: NotFoundError };
const invalid: Outcome = { error: InvalidStateError };

// Every command in every status: the whole lifecycle as one table.
const matrix: Record<string, { command: OrderCommand; outcomes: Record<HistoryName, Outcome> }> = {
  CreateOrder: {
    command: commands.create(),
    outcomes: {
      NONE: ok(created),
      PENDING: invalid,
      PAID: invalid,
      SHIPPED: invalid,
      DELIVERED: invalid,
      CANCELLED: invalid,
    },
  },
  PayOrder: {
    command: commands.pay(),
    outcomes: {
      NONE: notFound,
      PENDING: ok({
        type: 'OrderPaid',
        data: { paymentMethod: 'card', amount: TOTAL, paidAt: '2025-10-29T11:00:00.000Z' },
      }),
      PAID: invalid,
      SHIPPED: invalid,
      DELIVERED: invalid,
      CANCELLED: invalid,
    },
  },
  ShipOrder: {
    command: commands.ship(),
    outcomes: {
      NONE: notFound,
      PENDING: invalid,
      PAID: ok({ type: 'OrderShipped', data: { trackingNumber: 'TRK-1', shippedAt: T2 } }),
      SHIPPED: invalid,
      DELIVERED: invalid,
      CANCELLED: invalid,
    },
  },
  DeliverOrder: {
    command: commands.deliver(),
    outcomes: {
      NONE: notFound,
      PENDING: invalid,
      PAID: invalid,
      SHIPPED: ok({ type: 'OrderDelivered', data: { deliveredAt: T3 } }),
      DELIVERED: invalid,
      CANCELLED: invalid,
    },
  },
  CancelOrder: {
    command: commands.cancel(),
    outcomes: {
      NONE: notFound,
      PENDING: ok({
        type: 'OrderCancelled',
        data: { reason: 'changed my mind', cancelledAt: T4, refundDue: 0 },
      }),
      PAID: ok({
        type: 'OrderCancelled',
        data: { reason: 'changed my mind', cancelledAt: T4, refundDue: TOTAL },
      }),
      SHIPPED: invalid,
      DELIVERED: invalid,
      CANCELLED: invalid,
    },
  },
};

const cases = Object.entries(matrix).flatMap(([name, { command, outcomes }]) =>
  (Object.entries(outcomes) as [HistoryName, Outcome][]).map(([status, outcome]) => ({
    name,
    status,
    command,
    outcome,
  })),
);

describe('order decider: every command in every status', () => {
  it.each(cases)('$name when $status', ({ status, command, outcome }) => {
    const when = given(orderDecider, HISTORIES[status]).when(command);
    if ('events' in outcome) when.then(outcome.events);
    else if (outcome.error === NotFoundError)
      when.thenThrows(NotFoundError, { entity: 'order', id: ORDER_ID, code: 'NOT_FOUND' });
    else when.thenThrows(InvalidStateError, { status, code: 'INVALID_STATE' });
  });

  it('names the order and its status in the messages', () => {
    const err = given(orderDecider, HISTORIES.SHIPPED).when(commands.cancel()).thenThrows(InvalidStateError);
    expect(err.message).toBe('cannot cancel order order-001: it is SHIPPED, expected PENDING or PAID');
    expect(err.name).toBe('InvalidStateError');
    const exists = given(orderDecider, HISTORIES.PAID).when(commands.create()).thenThrows(InvalidStateError);
    expect(exists.message).toBe('order order-001 already exists');
    const missing = given(orderDecider, []).when(commands.pay()).thenThrows(NotFoundError);
    expect(missing.message).toBe('order order-001 not found');
  });
});

describe('order state', () => {
  it('walks the happy path to DELIVERED with every timestamp', () => {
    const state = given(orderDecider, HISTORIES.SHIPPED)
      .when(commands.deliver())
      .then([{ type: 'OrderDelivered', data: { deliveredAt: T3 } }]);
    expect(state).toStrictEqual({
      status: 'DELIVERED',
      orderId: ORDER_ID,
      userId: 'user-123',
      items: [
        { productId: 'prod-1', quantity: 2, unitPrice: 9999, lineTotal: 19998 },
        { productId: 'prod-2', quantity: 1, unitPrice: 14999, lineTotal: 14999 },
      ],
      total: TOTAL,
      paymentMethod: 'card',
      trackingNumber: 'TRK-1',
      refundDue: 0,
      createdAt: T0,
      updatedAt: T3,
      paidAt: '2025-10-29T11:00:00.000Z',
      shippedAt: T2,
      deliveredAt: T3,
    });
  });

  it('records the refund due when a paid order is cancelled', () => {
    const state = given(orderDecider, HISTORIES.PAID)
      .when(commands.cancel('out of stock'))
      .then([
        { type: 'OrderCancelled', data: { reason: 'out of stock', cancelledAt: T4, refundDue: TOTAL } },
      ]);
    expect(state).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'out of stock',
      refundDue: TOTAL,
      cancelledAt: T4,
      updatedAt: T4,
    });
  });

  it('keeps the state of a never-created order when a stray event is folded (evolve is total)', () => {
    expect(
      orderDecider.evolve({ status: 'NONE' }, { type: 'OrderDelivered', data: { deliveredAt: T3 } }),
    ).toEqual({ status: 'NONE' });
  });

  it('exports the statuses and the stream id', () => {
    expect(ORDER_STATUSES).toEqual(['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED']);
    expect(orderStreamId('001')).toBe('order-001');
  });
});
