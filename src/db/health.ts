import type { Database } from './connect.js';
import { appliedMigrations, EXPECTED_MIGRATIONS } from './migrate.js';

export interface Health {
  ready: boolean;
  database: 'up' | 'down';
  migrations: { applied: number; expected: number };
}

/** Ready only when the database answers and every migration of this build is applied. */
export async function checkHealth(database: Database): Promise<Health> {
  const expected = EXPECTED_MIGRATIONS;
  try {
    const applied = await appliedMigrations(database);
    return { ready: applied >= expected, database: 'up', migrations: { applied, expected } };
  } catch {
    return { ready: false, database: 'down', migrations: { applied: 0, expected } };
  }
}
