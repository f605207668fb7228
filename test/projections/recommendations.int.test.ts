import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows, type Executor } from '../../src/db/connect.js';
import { EventStore } from '../../src/eventstore/index.js';
import { rebuildProjection } from '../../src/processing/index.js';
import { recommendForProduct, recommendForUser } from '../../src/projections/recommendations/queries.js';
import { productsProjection } from '../../src/projections/products/projection.js';
import { recommendationsProjection } from '../../src/projections/recommendations/projection.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';
import { EXPECTED, PRODUCTS, USERS, writeScenario } from './recommendations-scenario.js';
import { catchUp, driveOrder, nextId, registry, silent } from './support.js';

const TABLES = {
  recommendation_orders: 'order_id',
  product_pairs: 'product_id, other_product_id',
  user_products: 'user_id, product_id',
};

async function dump(exec: Executor): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(TABLES)) {
    result[table] = (
      await rows<{ row: unknown }>(exec, sql.raw(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY ${key}`))
    ).map((r) => (typeof r.row === 'string' ? JSON.parse(r.row) : r.row));
  }
  return result;
}

async function reset(exec: Executor): Promise<void> {
  for (const table of Object.keys(TABLES)) await exec.execute(sql.raw(`DELETE FROM ${table}`));
  await exec.execute(sql`DELETE FROM checkpoints WHERE name = 'recommendations'`);
}

const scores = (found: { productId: string; score: number }[]) =>
  found.map(({ productId, score }) => ({ productId, score }));

describe.each(ENGINES)('recommendations projection on %s', (engine) => {
  let database: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = new EventStore(database, registry);
    await writeScenario(store);
  });
  afterAll(() => database.close());

  it('scores the hand-computed example: paid orders only, the cancelled one taken back out, ties by product id', async () => {
    await reset(database.db);
    await catchUp(database, recommendationsProjection, 1_000);
    for (const product of PRODUCTS) {
      expect(scores(await recommendForProduct(database.db, product, 5)), product).toEqual(
        EXPECTED.products[product],
      );
    }
    for (const user of USERS)
      expect(scores(await recommendForUser(database.db, user, 5)), user).toEqual(EXPECTED.users[user]);
    expect(await recommendForUser(database.db, 'bob', 1)).toEqual([
      { productId: 'C', productName: null, score: 2 },
    ]);
    expect(await recommendForProduct(database.db, 'nothing', 5)).toEqual([]);
    expect(await recommendForUser(database.db, 'nobody', 5)).toEqual([]);

    const tables = await dump(database.db);
    // Remembered for a later cancellation: the counted ones and the unpaid o6; o5 is gone.
    expect(tables.recommendation_orders).toEqual([
      {
        order_id: 'o1',
        user_id: 'alice',
        product_ids: ['A', 'B', 'C'],
        counted: true,
        unrefunded_cents: 6_000,
      },
      { order_id: 'o2', user_id: 'bob', product_ids: ['A', 'B'], counted: true, unrefunded_cents: 3_000 },
      { order_id: 'o3', user_id: 'bob', product_ids: ['B', 'D'], counted: true, unrefunded_cents: 3_000 },
      { order_id: 'o4', user_id: 'carol', product_ids: ['A', 'E'], counted: true, unrefunded_cents: 6_000 },
      { order_id: 'o6', user_id: 'alice', product_ids: ['D', 'E'], counted: false, unrefunded_cents: 3_000 },
    ]);
    // No row left at zero by the cancellation.
    expect(tables.user_products).toHaveLength(3 + 3 + 2);
    expect(tables.product_pairs).toHaveLength(2 * 5);
  });

  it('names the products the catalogue defines', async () => {
    const defined = {
      id: nextId(),
      type: 'ProductDefined',
      data: { productId: 'B', name: 'Blue mug', backorders: false },
    };
    await store.appendToStream('product-B', [defined], { expectedVersion: 'no_stream' });
    await catchUp(database, productsProjection, 1_000);
    await catchUp(database, recommendationsProjection, 1_000);
    expect(await recommendForProduct(database.db, 'A', 2)).toEqual([
      { productId: 'B', productName: 'Blue mug', score: 2 },
      { productId: 'C', productName: null, score: 1 },
    ]);
    expect(await recommendForUser(database.db, 'carol', 5)).toEqual([
      { productId: 'B', productName: 'Blue mug', score: 2 },
      { productId: 'C', productName: null, score: 1 },
    ]);
  });

  it('gives the same tables whatever the batch size, so a cancellation in a later batch subtracts exactly', async () => {
    await reset(database.db);
    await catchUp(database, recommendationsProjection, 1);
    const oneByOne = await dump(database.db);
    await reset(database.db);
    await catchUp(database, recommendationsProjection, 3);
    expect(await dump(database.db)).toEqual(oneByOne);
    await reset(database.db);
    await catchUp(database, recommendationsProjection, 1_000);
    expect(await dump(database.db)).toEqual(oneByOne);
  });

  it('takes out an order cancelled after it was counted, and rebuilds into fresh tables to the same result', async () => {
    await reset(database.db);
    await catchUp(database, recommendationsProjection, 1_000);
    await driveOrder(store, 'o7', [
      {
        type: 'create',
        userId: 'carol',
        items: [
          { productId: 'B', quantity: 1, unitPrice: 500 },
          { productId: 'E', quantity: 1, unitPrice: 500 },
        ],
        at: '2025-11-20T00:00:00.000Z',
      },
      { type: 'pay', at: '2025-11-20T00:00:00.000Z' },
    ]);
    await catchUp(database, recommendationsProjection, 1_000);
    // carol now has A B E: C through A and B, D through B.
    expect(scores(await recommendForProduct(database.db, 'E', 5))).toEqual([
      { productId: 'A', score: 1 },
      { productId: 'B', score: 1 },
    ]);
    expect(scores(await recommendForUser(database.db, 'carol', 5))).toEqual([
      { productId: 'C', score: 2 },
      { productId: 'D', score: 1 },
    ]);

    await driveOrder(store, 'o7', [{ type: 'cancel', reason: 'too slow', at: '2025-11-21T00:00:00.000Z' }]);
    await catchUp(database, recommendationsProjection, 1_000);
    expect(scores(await recommendForProduct(database.db, 'E', 5))).toEqual(EXPECTED.products.E);
    expect(scores(await recommendForUser(database.db, 'carol', 5))).toEqual(EXPECTED.users.carol);
    const followed = await dump(database.db);

    await rebuildProjection({
      database,
      registry,
      projection: recommendationsProjection,
      logger: silent,
      batchSize: 4,
    });
    expect(await dump(database.db)).toEqual(followed);
  });
});
