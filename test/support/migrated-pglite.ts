import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The file holding a dump of a freshly migrated PGlite database, made once per run. */
    migratedPglite: string;
  }
}

/**
 * Vitest's global setup: one PGlite database, migrated from empty and dumped to a file.
 * Every PGlite test database starts as a copy of it (openTestDatabase, startTestServer),
 * which loads in a fraction of what initdb and the migrations take on each open (about
 * 0.7 s against 3 s here). A broken migration still fails the run, here, and
 * test/db/migrate.int.test.ts migrates empty databases itself. Made in a PostgreSQL-only
 * run too: some tests are about PGlite whatever the engines under test.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'ledgerline-migrated-'));
  const database = await openDatabase({ kind: 'pglite' });
  try {
    await migrate(database);
    const client = (database.db as unknown as { $client: PGlite }).$client;
    const dump = await client.dumpDataDir('gzip');
    const file = join(dir, 'migrated.tar.gz');
    await writeFile(file, new Uint8Array(await dump.arrayBuffer()));
    project.provide('migratedPglite', file);
  } finally {
    await database.close();
  }
  return () => rm(dir, { recursive: true, force: true });
}
