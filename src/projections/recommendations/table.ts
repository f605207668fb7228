import { boolean, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { cents } from '../../db/tables/columns.js';

// ─── recommendations (kept by the recommendations projection from paid orders) ──

/**
 * Every order the projection has seen created and not yet taken back out, with what it
 * would count: a payment only names the order, and a cancellation or refund must
 * subtract exactly what the payment added.
 */
export const recommendationOrders = pgTable('recommendation_orders', {
  orderId: text('order_id').primaryKey(),
  userId: text('user_id').notNull(),
  /** The order's distinct product ids, sorted. */
  productIds: jsonb('product_ids').$type<string[]>().notNull(),
  /** True once paid: its products are in the counts below. */
  counted: boolean('counted').notNull().default(false),
  /** What of its total has not been refunded: a refund to zero takes the order out. */
  unrefundedCents: cents('unrefunded_cents').notNull(),
});

/** How many paid orders hold both products; each pair is stored in both directions. */
export const productPairs = pgTable(
  'product_pairs',
  {
    productId: text('product_id').notNull(),
    otherProductId: text('other_product_id').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.otherProductId] })],
);

/** How many of a user's paid orders hold the product. */
export const userProducts = pgTable(
  'user_products',
  {
    userId: text('user_id').notNull(),
    productId: text('product_id').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.productId] })],
);
