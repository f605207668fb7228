import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { cents, time } from './columns.js';

// ─── the fulfilment saga (src/sagas) ──

/**
 * The fulfilment process manager's own state, one row per paid order: written by its feed
 * consumer (in the transaction that moves its checkpoint) and by its worker (outcomes that
 * never reach the feed, and retry bookkeeping). `version` counts writes, so the worker
 * never postpones a saga that a newer fact has just made due.
 */
export const fulfilments = pgTable(
  'fulfilments',
  {
    orderId: text('order_id').primaryKey(),
    userId: text('user_id').notNull(),
    state: text('state').notNull(),
    amountCents: cents('amount_cents').notNull(),
    lines: jsonb('lines').notNull(),
    steps: jsonb('steps').notNull(),
    reason: text('reason'),
    trackingNumber: text('tracking_number'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: time('next_attempt_at'),
    lastError: text('last_error'),
    version: integer('version').notNull().default(1),
    createdAt: time('created_at').notNull(),
    updatedAt: time('updated_at').notNull(),
  },
  (t) => [
    index('fulfilments_due_idx').on(t.nextAttemptAt),
    // The few sagas still reserving: those a restock may wake.
    index('fulfilments_reserving_idx')
      .on(t.orderId)
      .where(sql`state = 'RESERVING'`),
  ],
);

/** The customer notification outbox; the id derives from order and kind, so a fact recorded twice notifies once. */
export const notifications = pgTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    position: bigserial('position', { mode: 'bigint' }).notNull().unique(),
    userId: text('user_id').notNull(),
    orderId: text('order_id').notNull(),
    kind: text('kind').notNull(),
    message: text('message').notNull(),
    createdAt: time('created_at').notNull(),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.position)],
);
