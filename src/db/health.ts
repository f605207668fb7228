import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { rows, type Database } from './connect.js';
import { MIGRATIONS_FOLDER } from './migrate.js';

export interface Health { ready: boolean; database: 'up' | 'down'; migrations: { applied: number; expected: number } }

const expected = (JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;

/** Ready only when the database answers and every migration of this build is applied. */
export async function checkHealth(database: Database): Promise<Health> {
  try {
    const [row] = await rows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
    const applied = row?.n ?? 0;
    return { ready: applied >= expected, database: 'up', migrations: { applied, expected } };
  } catch {
    return { ready: false, database: 'down', migrations: { applied: 0, expected } };
  }
}
