import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../../src/eventstore/index.js';
import { ProjectionManager, type Projection } from '../../src/processing/index.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { driveOrder, registry, silent, until } from '../projections/support.js';

const T0 = '2025-10-29T10:00:00.000Z';
const REST_MS = 400;

/** Counts the events of each batch it is given; writes nothing. */
function counting(name: string, readYourWrites: boolean): Projection & { batches: number[] } {
  const batches: number[] = [];
  return {
    name,
    eventTypes: ['OrderCreated'],
    tables: [],
    readYourWrites,
    batches,
    async apply(_tx, events) {
      batches.push(events.length);
    },
  };
}

describe('a projection no write waits on rests once caught up', () => {
  let database: TestDatabase;
  let store: EventStore;
  const managers: ProjectionManager[] = [];
  const start = async (projections: Projection[], options: { restMs: number; batchSize?: number }) => {
    const manager = new ProjectionManager({
      database,
      registry,
      logger: silent,
      projections,
      store,
      pollIntervalMs: 5_000,
      retryInitialMs: 50,
      retryMaxMs: 200,
      ...options,
    });
    managers.push(manager);
    await manager.start();
    return manager;
  };
  let n = 0;
  const createOrders = async (count: number, gapMs: number) => {
    for (let i = 0; i < count; i++) {
      await driveOrder(store, `rest-${n++}`, [{ type: 'create', userId: 'user-rest', at: T0 }]);
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  };

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    store = new EventStore(database, registry);
  });
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.stop()));
  });
  afterAll(() => database.close());

  it('takes a busy spell in a few batches, while one that writes wait on takes each commit at once', async () => {
    const lazy = counting('lazy', false);
    const eager = counting('eager', true);
    await start([lazy, eager], { restMs: REST_MS });
    const began = performance.now();
    await createOrders(12, 30);
    const spell = performance.now() - began;
    await until(
      () => lazy.batches.reduce((a, b) => a + b, 0) === 12 && eager.batches.reduce((a, b) => a + b, 0) === 12,
      10_000,
      'all applied',
    );
    // 12 commits over about 400 ms: each woke the eager one, the lazy one woke at most
    // once per rest (plus the first commit, which found it awake). On a busy machine the
    // commits take longer, and so the rests they span are counted.
    expect(eager.batches.length).toBeGreaterThanOrEqual(8);
    expect(lazy.batches.length).toBeLessThanOrEqual(Math.max(4, 2 + Math.ceil(spell / REST_MS)));
  });

  it('never rests while catching up', async () => {
    await createOrders(40, 0);
    const backlog = counting('backlog', false);
    const started = performance.now();
    await start([backlog], { restMs: 10_000, batchSize: 10 });
    await until(() => backlog.batches.reduce((a, b) => a + b, 0) >= 40, 5_000, 'caught up');
    // Four full batches and more, not one per rest of 10 s.
    expect(backlog.batches.length).toBeGreaterThanOrEqual(4);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
