import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows, type Database } from '../../src/db/connect.js';
import { openMigratedPglite } from '../support/database.js';

// PGlite runs on this event loop: a long chain of statements must leave turns for requests.
describe('PGlite gives the event loop a turn before each statement', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openMigratedPglite();
  });
  afterAll(() => database.close());

  it.each([
    ['statements', (db: Database) => rows(db.db, sql`SELECT 1`)],
    ['transactions', (db: Database) => db.db.transaction((tx) => rows(tx, sql`SELECT 1`))],
  ])('lets a timer in during a chain of 200 %s', async (_what, run) => {
    let done = 0;
    let doneWhenTimerRan: number | undefined;
    setImmediate(() => {
      doneWhenTimerRan = done;
    });
    for (let i = 0; i < 200; i++) {
      await run(database);
      done++;
    }
    expect(doneWhenTimerRan).toBeLessThan(5);
  });
});
