import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/connect.js';
import { appliedMigrations, EXPECTED_MIGRATIONS, migrate } from '../../src/db/migrate.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';

describe.each(ENGINES)('migrations on %s', (engine) => {
  let database: TestDatabase;
  afterEach(() => database?.close());

  const hasBackorders = async () =>
    (
      await rows<{ n: number }>(
        database.db,
        sql`
    SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'products' AND column_name = 'backorders'`,
      )
    )[0]!.n === 1;

  it('leaves a database that has them all as it is, however often it starts', async () => {
    // given a migrated database (openTestDatabase migrates)
    database = await openTestDatabase(engine);
    // when it is migrated again, twice
    await migrate(database);
    await migrate(database);
    // then every migration is applied once
    expect(await appliedMigrations(database)).toBe(EXPECTED_MIGRATIONS);
    expect(await hasBackorders()).toBe(true);
  });

  it('still applies the one a database lacks: the quick check at start skips nothing', async () => {
    // given a database whose last migration was never applied
    database = await openTestDatabase(engine);
    await database.db.execute(sql`ALTER TABLE products DROP COLUMN backorders`);
    await database.db.execute(sql`DROP INDEX fulfilments_reserving_idx`);
    await database.db.execute(
      sql`DELETE FROM drizzle.__drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM drizzle.__drizzle_migrations)`,
    );
    expect(await appliedMigrations(database)).toBe(EXPECTED_MIGRATIONS - 1);
    // when it is migrated
    await migrate(database);
    // then that migration is applied
    expect(await appliedMigrations(database)).toBe(EXPECTED_MIGRATIONS);
    expect(await hasBackorders()).toBe(true);
  });
});
