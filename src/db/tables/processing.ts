import { pgTable, text } from 'drizzle-orm/pg-core';
import { time } from './columns.js';

// ─── the processing engine's own (the read models' tables are in src/projections/<name>/table.ts) ──

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
