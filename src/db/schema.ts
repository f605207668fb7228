import { sql } from 'drizzle-orm';
import {
  bigint, boolean, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';

/** PostgreSQL's 64-bit transaction id; read and written as text so both drivers agree. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

// ─── event store ─────────────────────────────────────────────────────────────

export const events = pgTable('events', {
  globalPosition: bigint('global_position', { mode: 'bigint' }).primaryKey().generatedAlwaysAsIdentity(),
  transactionId: xid8('transaction_id').notNull().default(sql`pg_current_xact_id()`),
  eventId: uuid('event_id').notNull(),
  streamId: text('stream_id').notNull(),
  streamType: text('stream_type').notNull(),
  streamVersion: integer('stream_version').notNull(),
  eventType: text('event_type').notNull(),
  schemaVersion: integer('schema_version').notNull(),
  data: jsonb('data').notNull(),
  metadata: jsonb('metadata').notNull(),
  recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
}, (t) => [
  uniqueIndex('events_event_id_key').on(t.eventId),
  uniqueIndex('events_stream_version_key').on(t.streamId, t.streamVersion),
  index('events_feed_idx').on(t.transactionId, t.globalPosition),
]);

/** One row per stream: the row that optimistic concurrency locks. */
export const streams = pgTable('streams', {
  streamId: text('stream_id').primaryKey(),
  streamType: text('stream_type').notNull(),
  version: integer('version').notNull(),
});

export const snapshots = pgTable('snapshots', {
  streamId: text('stream_id').notNull(),
  version: integer('version').notNull(),
  schemaVersion: integer('schema_version').notNull(),
  state: jsonb('state').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.streamId, t.version] })]);

/** Where each feed consumer (projection, saga) has got to, as a feed position. */
export const checkpoints = pgTable('checkpoints', {
  name: text('name').primaryKey(),
  transactionId: xid8('transaction_id').notNull(),
  globalPosition: bigint('global_position', { mode: 'bigint' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
});

export const idempotencyKeys = pgTable('idempotency_keys', {
  key: text('key').primaryKey(),
  requestHash: text('request_hash').notNull(),
  result: jsonb('result'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'string' }).notNull(),
}, (t) => [index('idempotency_keys_expires_idx').on(t.expiresAt)]);

// ─── read side (kept by src/projections; rebuilt from the feed, never the source of truth) ──

const cents = (name: string) => bigint(name, { mode: 'number' });
const time = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

export const orders = pgTable('orders', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  status: text('status').notNull(),
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
}, (t) => [
  index('orders_user_created_idx').on(t.userId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  index('orders_status_idx').on(t.status),
  index('orders_created_idx').on(t.createdAt, t.id),
]);

export const orderItems = pgTable('order_items', {
  orderId: text('order_id').notNull(),
  lineNumber: integer('line_number').notNull(),
  productId: text('product_id').notNull(),
  /** Filled once products are projected; null until then. */
  productName: text('product_name'),
  quantity: integer('quantity').notNull(),
  unitPriceCents: cents('unit_price_cents').notNull(),
  lineTotalCents: cents('line_total_cents').notNull(),
}, (t) => [primaryKey({ columns: [t.orderId, t.lineNumber] })]);

/** One row per status change, keyed by the feed position of the event that made it. */
export const orderStatusHistory = pgTable('order_status_history', {
  transactionId: xid8('transaction_id').notNull(),
  globalPosition: bigint('global_position', { mode: 'bigint' }).notNull(),
  orderId: text('order_id').notNull(),
  userId: text('user_id').notNull(),
  fromStatus: text('from_status'),
  toStatus: text('to_status').notNull(),
  occurredAt: time('occurred_at').notNull(),
}, (t) => [
  primaryKey({ columns: [t.transactionId, t.globalPosition] }),
  index('order_status_history_order_idx').on(t.orderId, t.transactionId, t.globalPosition),
  // No index by user: a subscription replays from a recent position, which the primary
  // key finds; one more index per status change cost the catch-up rate more than it saved.
]);

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  username: text('username').notNull(),
  email: text('email').notNull(),
  deleted: boolean('deleted').notNull().default(false),
  version: integer('version').notNull(),
  lastTransactionId: xid8('last_transaction_id').notNull(),
  lastGlobalPosition: bigint('last_global_position', { mode: 'bigint' }).notNull(),
});

/**
 * What a projection's runner reports beside its checkpoint, so that every instance (not
 * only the one holding the projection's lock) can show it: the error it is stuck on, and
 * a rebuild in progress.
 */
export const projectionStatus = pgTable('projection_status', {
  name: text('name').primaryKey(),
  lastError: text('last_error'),
  errorPosition: text('error_position'),
  failedAt: time('failed_at'),
  rebuildPosition: text('rebuild_position'),
  rebuildUpdatedAt: time('rebuild_updated_at'),
  updatedAt: time('updated_at').notNull().defaultNow(),
});
