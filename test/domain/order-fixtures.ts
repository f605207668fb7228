import type { CommandMetadata } from '../../src/domain/decider.js';
import type { OrderCommand, OrderEvent } from '../../src/domain/order.js';

export const T0 = '2025-10-29T10:00:00.000Z';
export const T1 = '2025-10-29T11:00:00.000Z';
export const T2 = '2025-10-30T09:00:00.000Z';
export const T3 = '2025-11-01T15:30:00.000Z';
export const T4 = '2025-11-02T08:00:00.000Z';

export function meta(now: string): CommandMetadata {
  return { commandId: 'cmd-1', correlationId: 'corr-1', actor: 'user-123', now };
}

export const ORDER_ID = 'order-001';
// 2 × 99.99 + 1 × 149.99 = 349.97
export const ITEMS = [
  { productId: 'prod-1', quantity: 2, unitPrice: 9999 },
  { productId: 'prod-2', quantity: 1, unitPrice: 14999 },
];
export const TOTAL = 34997;

export const created: OrderEvent = {
  type: 'OrderCreated',
  data: { orderId: ORDER_ID, userId: 'user-123', items: ITEMS, total: TOTAL, createdAt: T0 },
};
export const paid: OrderEvent = {
  type: 'OrderPaid',
  data: { paymentMethod: 'card', amount: TOTAL, paidAt: T1 },
};
export const shipped: OrderEvent = { type: 'OrderShipped', data: { trackingNumber: 'TRK-1', shippedAt: T2 } };
export const delivered: OrderEvent = { type: 'OrderDelivered', data: { deliveredAt: T3 } };
export const cancelledPending: OrderEvent = {
  type: 'OrderCancelled',
  data: { reason: 'changed my mind', cancelledAt: T1, refundDue: 0 },
};

export const cancelledPaid: OrderEvent = {
  type: 'OrderCancelled',
  data: { reason: 'out of stock: prod-2', cancelledAt: T2, refundDue: TOTAL },
};
export const refunded = (amount: number): OrderEvent => ({
  type: 'OrderPaymentRefunded',
  data: { amount, reason: 'out of stock: prod-2', refundedAt: T3 },
});

export const HISTORIES = {
  NONE: [],
  PENDING: [created],
  PAID: [created, paid],
  SHIPPED: [created, paid, shipped],
  DELIVERED: [created, paid, shipped, delivered],
  CANCELLED: [created, cancelledPending],
} satisfies Record<string, OrderEvent[]>;

export type HistoryName = keyof typeof HISTORIES;

export const commands = {
  create: (items = ITEMS, orderId = ORDER_ID, userId = 'user-123'): OrderCommand => ({
    type: 'CreateOrder',
    data: { orderId, userId, items },
    metadata: meta(T0),
  }),
  pay: (amount = TOTAL, paymentMethod = 'card'): OrderCommand => ({
    type: 'PayOrder',
    data: { orderId: ORDER_ID, paymentMethod, amount },
    metadata: meta(T1),
  }),
  ship: (trackingNumber = 'TRK-1'): OrderCommand => ({
    type: 'ShipOrder',
    data: { orderId: ORDER_ID, trackingNumber },
    metadata: meta(T2),
  }),
  deliver: (): OrderCommand => ({ type: 'DeliverOrder', data: { orderId: ORDER_ID }, metadata: meta(T3) }),
  cancel: (reason = 'changed my mind'): OrderCommand => ({
    type: 'CancelOrder',
    data: { orderId: ORDER_ID, reason },
    metadata: meta(T4),
  }),
};
