import { bigint, boolean, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { xid8 } from '../../db/tables/columns.js';

/** One row per registered user, kept by the users projection. */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  username: text('username').notNull(),
  email: text('email').notNull(),
  deleted: boolean('deleted').notNull().default(false),
  version: integer('version').notNull(),
  lastTransactionId: xid8('last_transaction_id').notNull(),
  lastGlobalPosition: bigint('last_global_position', { mode: 'bigint' }).notNull(),
});

export type UserRecord = typeof users.$inferSelect;
