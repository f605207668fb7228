import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { PROJECT_ROOT } from '../paths.js';
import { rows, type Database } from './connect.js';
import { sqlState } from './sql-state.js';

export const MIGRATIONS_FOLDER = join(PROJECT_ROOT, 'drizzle');

/** How many migrations this build has (drizzle-kit's journal). */
export const EXPECTED_MIGRATIONS = (
  JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
).entries.length;

/** PostgreSQL's code for a relation that does not exist. */
const UNDEFINED_TABLE = '42P01';

/** How many migrations the database has applied; 0 before the first (no table yet). Throws when it cannot be asked. */
export async function appliedMigrations(database: Database): Promise<number> {
  try {
    const [row] = await rows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`,
    );
    return row?.n ?? 0;
  } catch (error) {
    if (sqlState(error) === UNDEFINED_TABLE) return 0;
    throw error;
  }
}

/** Any number with this key; two instances starting at once migrate one after the other. */
const MIGRATION_LOCK = 7_370_001;

/**
 * Applies the migrations the database lacks. A database that has them all (every start
 * but the first) is told so by one query, without the migrator's file reads, hashing
 * and transaction: a tenth of a second of every restart on PGlite.
 */
export async function migrate(database: Database): Promise<void> {
  if ((await appliedMigrations(database)) >= EXPECTED_MIGRATIONS) return;
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (database.kind === 'pglite') {
    const { migrate: migratePglite } = await import('drizzle-orm/pglite/migrator');
    await migratePglite(database.db as unknown as PgliteDatabase, config);
    return;
  }
  const { migrate: migratePg } = await import('drizzle-orm/node-postgres/migrator');
  await database.withSession(async (session) => {
    await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migratePg(database.db as unknown as NodePgDatabase, config);
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  });
}
