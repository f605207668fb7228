import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';

export type Engine = 'pglite' | 'postgres';

/**
 * PGlite always; PostgreSQL too when TEST_DATABASE_URL names a server. TEST_ENGINES
 * (a comma list) narrows that, so CI need not run the PGlite half twice.
 */
export const ENGINES: Engine[] = (() => {
  const available: Engine[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
  const wanted = process.env.TEST_ENGINES?.split(',').map((e) => e.trim());
  return wanted ? available.filter((e) => wanted.includes(e)) : available;
})();

export interface TestDatabase extends Database {
  /** Connection string of the fresh database (PostgreSQL only), for a second process or client. */
  readonly url?: string;
}

/**
 * A migrated database of its own: PGlite in memory, or a freshly created PostgreSQL
 * database that is dropped on close, so test files never see each other's rows.
 */
export async function openTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const database = await openMigratedPglite();
    await migrate(database); // finds them all applied: one query
    return database;
  }
  const fresh = await createPostgresDatabase();
  const database = await openDatabase({ kind: 'postgres', url: fresh.url, poolMax: 40 });
  await migrate(database);
  return {
    ...database,
    url: fresh.url,
    async close() {
      await database.close();
      await fresh.drop();
    },
  };
}

/**
 * A PGlite database of its own, a copy of the run's migrated one (migrated-pglite.ts): in
 * memory, or in `dataDir`, a new data directory that later opens need not copy again.
 */
export async function openMigratedPglite(dataDir?: string): Promise<Database> {
  const dump = new Blob([await readFile(inject('migratedPglite'))], { type: 'application/x-gzip' });
  return openDatabase({ kind: 'pglite', dataDir, from: dump });
}

/** An empty PostgreSQL database of its own on the TEST_DATABASE_URL server, for a server under test. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `ledgerline_test_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Tests written for the embedded default only (a spawned server, the browser) run in the PGlite pass. */
export const WITH_PGLITE = ENGINES.includes('pglite');
