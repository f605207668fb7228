import { boolean, integer, pgTable, text } from 'drizzle-orm/pg-core';

/** One row per defined product, kept by the products projection. */
export const products = pgTable('products', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  backorders: boolean('backorders').notNull().default(false),
  onHand: integer('on_hand').notNull().default(0),
  reserved: integer('reserved').notNull().default(0),
  version: integer('version').notNull(),
});

export type ProductRecord = typeof products.$inferSelect;
