import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/connect.js';
import { EventStore } from '../../src/eventstore/index.js';
import { MAX_PAIRED_PRODUCTS } from '../../src/projections/recommendations/fold.js';
import { recommendForProduct } from '../../src/projections/recommendations/queries.js';
import { recommendationsProjection } from '../../src/projections/recommendations/projection.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';
import { catchUp, driveOrder, registry } from './support.js';

// One customer's 100-line orders must not write storage that grows with lines²: each
// paid order adds at most MAX_PAIRED_PRODUCTS·(MAX_PAIRED_PRODUCTS−1) pair counts.

const LINES = 100;
const AT = '2025-11-01T00:00:00.000Z';
const items = Array.from({ length: LINES }, (_, i) => ({
  productId: `p${String(LINES - i).padStart(3, '0')}`,
  quantity: 1,
  unitPrice: 1,
}));
const count = async (database: TestDatabase, table: 'product_pairs' | 'user_products') =>
  Number(
    (await rows<{ n: number | string }>(database.db, sql.raw(`SELECT count(*) AS n FROM ${table}`)))[0]!.n,
  );

describe.each(ENGINES)('recommendations of a %s order of 100 lines', (engine) => {
  let database: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = new EventStore(database, registry);
  });
  afterAll(() => database.close());

  it('counts pairs among its first products only, every product as bought, and a cancellation takes exactly that back out', async () => {
    await driveOrder(store, 'big-1', [
      { type: 'create', userId: 'heavy', items, at: AT },
      { type: 'pay', at: AT },
    ]);
    await driveOrder(store, 'big-2', [
      { type: 'create', userId: 'heavy', items, at: AT },
      { type: 'pay', at: AT },
    ]);
    await catchUp(database, recommendationsProjection, 1_000);
    expect(await count(database, 'product_pairs')).toBe(MAX_PAIRED_PRODUCTS * (MAX_PAIRED_PRODUCTS - 1));
    expect(await count(database, 'user_products')).toBe(LINES);
    // The lines list p100, p099, …: the first twenty, down to p081, are the ones paired (ties by id).
    const withFirst = await recommendForProduct(database.db, 'p100', 100);
    expect(withFirst).toHaveLength(MAX_PAIRED_PRODUCTS - 1);
    expect(withFirst[0]).toEqual({ productId: 'p081', productName: null, score: 2 });
    expect(await recommendForProduct(database.db, 'p001', 5)).toEqual([]);

    await driveOrder(store, 'big-1', [{ type: 'cancel', reason: 'too much', at: AT }]);
    await driveOrder(store, 'big-2', [{ type: 'cancel', reason: 'too much', at: AT }]);
    await catchUp(database, recommendationsProjection, 1);
    expect(await count(database, 'product_pairs')).toBe(0);
    expect(await count(database, 'user_products')).toBe(0);
  });
});
