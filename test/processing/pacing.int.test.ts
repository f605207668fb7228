import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../../src/eventstore/index.js';
import { ProjectionManager, type Projection } from '../../src/processing/index.js';
import { PGLITE_BATCH_BUDGET_MS } from '../../src/processing/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';
import { driveOrder, pathOf, registry, silent, until } from '../projections/support.js';

const ORDERS = 150;

/** Records each batch's size; every event costs at least 1 ms, so a batch of n lasts at least n ms. */
function slowProjection(sizes: number[]): Projection {
  return {
    name: 'slow',
    eventTypes: ['OrderCreated'],
    tables: [],
    readYourWrites: false,
    async apply(_tx, events) {
      sizes.push(events.length);
      await sleep(events.length);
    },
  };
}

describe.each(ENGINES)('projection batch pacing on %s', (engine) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    const store = new EventStore(database, registry);
    for (let n = 0; n < ORDERS; n++) await driveOrder(store, `o${n}`, pathOf(n, 'user-1').slice(0, 1));
  });
  afterAll(() => database.close());

  it(
    engine === 'pglite'
      ? 'given a backlog of slow events, when caught up, then batches shrink to what fits the time budget'
      : 'given a backlog of slow events, when caught up, then it goes in whole batches',
    async () => {
      const sizes: number[] = [];
      const manager = new ProjectionManager({
        database,
        registry,
        logger: silent,
        projections: [slowProjection(sizes)],
        batchSize: 2_000,
      });
      await manager.start();
      try {
        await until(() => sizes.reduce((a, b) => a + b, 0) >= ORDERS, 30_000, 'the backlog applied');
      } finally {
        await manager.stop();
      }
      if (engine === 'pglite') {
        // The first batch (100 events) took at least 100 ms: every later one is at most a fifth of it.
        expect(sizes[0]).toBe(100);
        expect(Math.max(...sizes.slice(1))).toBeLessThanOrEqual((100 * PGLITE_BATCH_BUDGET_MS) / 100);
      } else {
        expect(sizes).toEqual([ORDERS]);
      }
    },
  );
});
