import { bigint, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { cents, time, xid8 } from '../../db/tables/columns.js';
import type { OrderStatus } from '../../domain/index.js';

// The orders read model's tables: rebuilt from the feed, never the source of truth.

export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    status: text('status').$type<OrderStatus>().notNull(),
    totalCents: cents('total_cents').notNull(),
    paymentMethod: text('payment_method'),
    trackingNumber: text('tracking_number'),
    cancellationReason: text('cancellation_reason'),
    refundDueCents: cents('refund_due_cents').notNull().default(0),
    /** Version of the order's stream after the last event applied. */
    version: integer('version').notNull(),
    createdAt: time('created_at').notNull(),
    updatedAt: time('updated_at').notNull(),
    paidAt: time('paid_at'),
    shippedAt: time('shipped_at'),
    deliveredAt: time('delivered_at'),
    cancelledAt: time('cancelled_at'),
    lastTransactionId: xid8('last_transaction_id').notNull(),
    lastGlobalPosition: bigint('last_global_position', { mode: 'bigint' }).notNull(),
  },
  (t) => [
    index('orders_user_created_idx').on(t.userId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('orders_status_idx').on(t.status),
    index('orders_created_idx').on(t.createdAt, t.id),
  ],
);

export const orderItems = pgTable(
  'order_items',
  {
    orderId: text('order_id').notNull(),
    lineNumber: integer('line_number').notNull(),
    productId: text('product_id').notNull(),
    /** Filled once products are projected; null until then. */
    productName: text('product_name'),
    quantity: integer('quantity').notNull(),
    unitPriceCents: cents('unit_price_cents').notNull(),
    lineTotalCents: cents('line_total_cents').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.lineNumber] })],
);

/** One row per status change, keyed by the feed position of the event that made it. */
export const orderStatusHistory = pgTable(
  'order_status_history',
  {
    transactionId: xid8('transaction_id').notNull(),
    globalPosition: bigint('global_position', { mode: 'bigint' }).notNull(),
    orderId: text('order_id').notNull(),
    userId: text('user_id').notNull(),
    fromStatus: text('from_status').$type<OrderStatus>(),
    toStatus: text('to_status').$type<OrderStatus>().notNull(),
    occurredAt: time('occurred_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.transactionId, t.globalPosition] }),
    index('order_status_history_order_idx').on(t.orderId, t.transactionId, t.globalPosition),
    // No index by user: a subscription replays from a recent position, which the primary
    // key finds; one more index per status change cost the catch-up rate more than it saved.
  ],
);

/** An `orders` row as Drizzle reads and writes it: the one declaration of its columns. */
export type OrderRecord = typeof orders.$inferSelect;
export type ItemRecord = typeof orderItems.$inferSelect;
export type StatusChangeRecord = typeof orderStatusHistory.$inferSelect;
