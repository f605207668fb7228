import type { Command, DomainEvent } from './decider.js';
import type { Cents } from './money.js';

export const ORDER_STREAM_TYPE = 'order';
export const ORDER_STATE_SCHEMA_VERSION = 1;

export const ORDER_STATUSES = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export function orderStreamId(orderId: string): string {
  return `order-${orderId}`;
}

// ── Events ───────────────────────────────────────────────────────────────

export interface OrderItem {
  productId: string;
  quantity: number;
  unitPrice: Cents;
}

export type OrderCreated = DomainEvent<
  'OrderCreated',
  { orderId: string; userId: string; items: OrderItem[]; total: Cents; createdAt: string }
>;
export type OrderPaid = DomainEvent<'OrderPaid', { paymentMethod: string; amount: Cents; paidAt: string }>;
export type OrderShipped = DomainEvent<'OrderShipped', { trackingNumber: string; shippedAt: string }>;
export type OrderDelivered = DomainEvent<'OrderDelivered', { deliveredAt: string }>;
export type OrderCancelled = DomainEvent<
  'OrderCancelled',
  { reason: string; cancelledAt: string; refundDue: Cents }
>;
export type OrderPaymentRefunded = DomainEvent<
  'OrderPaymentRefunded',
  { amount: Cents; reason: string; refundedAt: string }
>;

export type OrderEvent =
  OrderCreated | OrderPaid | OrderShipped | OrderDelivered | OrderCancelled | OrderPaymentRefunded;

export const ORDER_EVENT_SCHEMA_VERSIONS = {
  OrderCreated: 2,
  OrderPaid: 1,
  OrderShipped: 1,
  OrderDelivered: 1,
  OrderCancelled: 1,
  OrderPaymentRefunded: 1,
} as const satisfies Record<OrderEvent['type'], number>;

// ── Commands ─────────────────────────────────────────────────────────────

export type CreateOrder = Command<'CreateOrder', { orderId: string; userId: string; items: OrderItem[] }>;
export type PayOrder = Command<'PayOrder', { orderId: string; paymentMethod: string; amount: Cents }>;
export type ShipOrder = Command<'ShipOrder', { orderId: string; trackingNumber: string }>;
export type DeliverOrder = Command<'DeliverOrder', { orderId: string }>;
export type CancelOrder = Command<'CancelOrder', { orderId: string; reason: string }>;
export type RefundPayment = Command<'RefundPayment', { orderId: string; amount: Cents; reason: string }>;

export type OrderCommand = CreateOrder | PayOrder | ShipOrder | DeliverOrder | CancelOrder | RefundPayment;

// ── State (snapshotted: plain JSON, optional fields absent rather than undefined) ──

export interface OrderLine extends OrderItem {
  lineTotal: Cents;
}

export interface Order {
  status: OrderStatus;
  orderId: string;
  userId: string;
  items: OrderLine[];
  total: Cents;
  paymentMethod?: string;
  trackingNumber?: string;
  cancellationReason?: string;
  /** 0 unless the order was cancelled after payment. */
  refundDue: Cents;
  /** Paid back so far; absent until the first refund. */
  refunded?: Cents;
  createdAt: string;
  updatedAt: string;
  paidAt?: string;
  shippedAt?: string;
  deliveredAt?: string;
  cancelledAt?: string;
}

export type OrderState = { status: 'NONE' } | Order;
