import type { OrderEvent } from '../../src/domain/index.js';
import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { rows } from '../../src/db/connect.js';
import { comparePositions } from '../../src/eventstore/index.js';
import { EventStore } from '../../src/eventstore/index.js';
import { checkOrders, getOrder, ordersProjection, usersProjection } from '../../src/projections/index.js';
import {
  ProjectionManager,
  rebuildProjection,
  type Projection,
  type RebuildProgress,
} from '../../src/processing/index.js';
import { checkCommand, projectionsCommand } from '../../src/projections/cli.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';
import { catchUp, driveOrder, dumpReadSide, pathOf, registry, resetReadSide, silent } from './support.js';

describe.each(ENGINES)('rebuild and consistency check on %s', (engine) => {
  let database: TestDatabase;
  let store: EventStore;
  let manager: ProjectionManager;

  const tableIds = async () =>
    rows<{ name: string; oid: number }>(
      database.db,
      sql`
    SELECT relname AS name, oid::int AS oid FROM pg_class
    WHERE relname IN ('orders', 'order_items', 'order_status_history') AND relkind = 'r' ORDER BY relname`,
    );
  const indexNames = async () =>
    (
      await rows<{ name: string }>(
        database.db,
        sql`
    SELECT indexname AS name FROM pg_indexes
    WHERE tablename IN ('orders', 'order_items', 'order_status_history') ORDER BY indexname`,
      )
    ).map((r) => r.name);
  const schemas = async () =>
    (
      await rows<{ name: string }>(
        database.db,
        sql`
    SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'rebuild_%' OR nspname LIKE 'retired_%'`,
      )
    ).map((r) => r.name);

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = new EventStore(database, registry);
    for (let n = 0; n < 40; n++) await driveOrder(store, `r${n}`, pathOf(n, `user-${n % 4}`));
  });
  afterEach(() => manager?.stop());
  afterAll(() => database.close());

  it('replays into fresh tables while the live ones serve, then switches to them', async () => {
    manager = new ProjectionManager({
      database,
      registry,
      logger: silent,
      projections: [ordersProjection, usersProjection],
      batchSize: 25,
      pollIntervalMs: 100,
    });
    await manager.start();
    await manager.waitForPosition(
      (
        await rows<{ p: string }>(
          database.db,
          sql`
      SELECT transaction_id::text || ':' || global_position AS p FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
        )
      )[0]!.p,
      10_000,
    );
    const [idsBefore, indexesBefore] = [await tableIds(), await indexNames()];

    const progress: RebuildProgress[] = [];
    const statesSeen = new Set<string>();
    let written = 0;
    const result = await rebuildProjection({
      database,
      registry,
      projection: ordersProjection,
      logger: silent,
      batchSize: 15,
      progressIntervalMs: 0,
      async onProgress(p) {
        progress.push(p);
        statesSeen.add((await manager.status())[0]!.state);
        // Reads keep being served from the live tables, and writes keep coming.
        expect(await getOrder(database.db, 'r0')).toBeDefined();
        if (written < 3) await driveOrder(store, `during-${written++}`, pathOf(written + 2, 'user-during'));
      },
    });
    expect(result.processed).toBeGreaterThanOrEqual(progress.at(-2)!.processed);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.every((p) => p.eventsPerSecond > 0 && p.total >= 100)).toBe(true);
    expect(statesSeen).toContain('rebuilding');

    const idsAfter = await tableIds();
    expect(idsAfter.map((t) => t.name)).toEqual(idsBefore.map((t) => t.name));
    for (const [i, table] of idsAfter.entries()) expect(table.oid).not.toBe(idsBefore[i]!.oid);
    expect(await indexNames()).toEqual(indexesBefore);
    expect(await schemas()).toEqual([]);

    const head = await driveOrder(store, 'after-rebuild', pathOf(4, 'user-after'));
    await manager.waitForPosition(head, 10_000);
    expect(comparePositions((await manager.status())[0]!.position, result.position)).toBeGreaterThanOrEqual(
      0,
    );
    expect((await manager.status())[0]!.state).toBe('running');
    const rebuilt = await dumpReadSide(database.db);
    await manager.stop();
    await resetReadSide(database.db);
    await catchUp(database, ordersProjection, 1_000);
    await catchUp(database, usersProjection, 1_000);
    expect(rebuilt).toEqual(await dumpReadSide(database.db));
  });

  it('leaves the serving tables untouched when interrupted or failing half way, and equal to its output when done', async () => {
    manager = new ProjectionManager({
      database,
      registry,
      logger: silent,
      projections: [ordersProjection],
      batchSize: 25,
      pollIntervalMs: 100,
    });
    await manager.start();
    await catchUp(database, ordersProjection, 1_000);
    const [before, ids] = [await dumpReadSide(database.db), await tableIds()];

    const controller = new AbortController();
    await expect(
      rebuildProjection({
        database,
        registry,
        projection: ordersProjection,
        logger: silent,
        batchSize: 10,
        progressIntervalMs: 0,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.processed >= 30) controller.abort(new Error('interrupted'));
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(await dumpReadSide(database.db)).toEqual(before);
    expect(await tableIds()).toEqual(ids);
    expect(await schemas()).toEqual([]);

    let applied = 0;
    const failing: Projection<OrderEvent> = {
      ...ordersProjection,
      async apply(tx, events, context) {
        if (context.rebuilding && ++applied === 4) throw new Error('disk full');
        await ordersProjection.apply(tx, events, context);
      },
    };
    await expect(
      rebuildProjection({ database, registry, projection: failing, logger: silent, batchSize: 10 }),
    ).rejects.toThrow('disk full');
    expect(await dumpReadSide(database.db)).toEqual(before);
    expect(await tableIds()).toEqual(ids);
    expect((await manager.status())[0]!.state).not.toBe('rebuilding');

    // Finished, with nothing written meanwhile, the rebuild serves exactly the live tables' rows.
    await rebuildProjection({
      database,
      registry,
      projection: ordersProjection,
      logger: silent,
      batchSize: 10,
    });
    expect(await dumpReadSide(database.db)).toEqual(before);
    expect(await tableIds()).not.toEqual(ids);
  });

  describe('consistency checker', () => {
    const orderCount = async () =>
      (
        await rows<{ n: number }>(
          database.db,
          sql`
      SELECT count(*)::int AS n FROM streams WHERE stream_type = 'order'`,
        )
      )[0]!.n;
    beforeAll(async () => {
      for (let n = 0; n < 12; n++) await driveOrder(store, `k${n}`, pathOf(n, `user-${n % 2}`));
      await catchUp(database, ordersProjection, 1_000);
    });

    it('finds nothing when the read side agrees, nor when it is merely behind', async () => {
      expect(await checkOrders(database, registry, 5)).toMatchObject({
        checked: await orderCount(),
        mismatches: [],
      });
      await driveOrder(store, 'k-late', pathOf(3, 'user-late'));
      await driveOrder(store, 'k1', [{ type: 'pay', at: '2025-12-01T00:00:00.000Z' }]).catch(() => {});
      expect((await checkOrders(database, registry)).mismatches).toEqual([]);
      await catchUp(database, ordersProjection, 1_000);
    });

    it('names the order and field of every corrupted row', async () => {
      await database.db.execute(sql`UPDATE orders SET total_cents = total_cents + 1 WHERE id = 'k3'`);
      await database.db.execute(
        sql`UPDATE orders SET status = 'PAID', tracking_number = NULL WHERE id = 'k4'`,
      );
      await database.db.execute(sql`UPDATE order_items SET quantity = 99 WHERE order_id = 'k5'`);
      await database.db.execute(sql`UPDATE orders SET payment_method = 'cash', version = 7 WHERE id = 'k2'`);
      await database.db.execute(sql`DELETE FROM orders WHERE id = 'k6'`);
      await database.db.execute(sql`
        INSERT INTO orders (id, user_id, status, total_cents, version, created_at, updated_at, last_transaction_id, last_global_position)
        VALUES ('ghost', 'user-0', 'PENDING', 100, 1, now(), now(), '1', 1)`);

      const { mismatches } = await checkOrders(database, registry, 5);
      expect(mismatches).toEqual(
        expect.arrayContaining([
          { orderId: 'k3', field: 'totalCents', expected: 103, found: 104 },
          { orderId: 'k4', field: 'status', expected: 'DELIVERED', found: 'PAID' },
          { orderId: 'k4', field: 'trackingNumber', expected: 'TRK-4', found: null },
          { orderId: 'k5', field: 'items[0].quantity', expected: 3, found: 99 },
          { orderId: 'k2', field: 'paymentMethod', expected: 'card', found: 'cash' },
          { orderId: 'k2', field: 'version', expected: 3, found: 7 },
          { orderId: 'k6', field: 'existence', expected: 'present', found: 'absent' },
          { orderId: 'ghost', field: 'existence', expected: 'absent', found: 'present' },
        ]),
      );
      expect(mismatches).toHaveLength(8);
    });

    it.runIf(engine === 'postgres')(
      '`check` prints each mismatch and a summary and fails; `projections rebuild` repairs',
      async () => {
        const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' });
        const run = async (command: (out: PassThrough) => Promise<number>) => {
          const out = new PassThrough();
          let text = '';
          out.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          const code = await command(out);
          return { code, text };
        };
        const total = await orderCount();
        const failed = await run((out) => checkCommand(out, config));
        expect(failed.code).toBe(1);
        expect(failed.text).toContain('order k3: totalCents expected 103, found 104\n');
        expect(failed.text).toContain('order ghost: existence expected "absent", found "present"\n');
        expect(failed.text).toMatch(
          new RegExp(`checked ${total} orders at position \\d+:\\d+: 8 mismatches in 6 orders`),
        );

        const rebuilt = await run((out) => projectionsCommand(['rebuild', 'orders'], out, config));
        expect(rebuilt.code).toBe(0);
        expect(rebuilt.text).toMatch(/rebuild orders \[#+\] \d+\/\d+ events +\d+ events\/s/);
        expect(rebuilt.text).toContain('rebuilt orders');
        const clean = await run((out) => checkCommand(out, config));
        expect(clean).toMatchObject({ code: 0 });
        expect(clean.text).toMatch(/: 0 mismatches in 0 orders\n$/);
        expect((await run((out) => projectionsCommand(['rebuild', 'nothing'], out, config))).code).toBe(2);
      },
    );
  });
});
