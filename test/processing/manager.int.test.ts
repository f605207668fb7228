import type { OrderEvent } from '../../src/domain/index.js';
import { spawn } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, rows, type Database } from '../../src/db/connect.js';
import { comparePositions } from '../../src/eventstore/index.js';
import { EventStore } from '../../src/eventstore/index.js';
import { runBatch } from '../../src/processing/index.js';
import { readCheckpoints } from '../../src/processing/index.js';
import { checkOrders, getOrder, ordersProjection, usersProjection } from '../../src/projections/index.js';
import {
  ProjectionManager,
  WaitForPositionTimeoutError,
  type Projection,
  type ProjectionManagerOptions,
} from '../../src/processing/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';
import {
  catchUp,
  driveOrder,
  driveUser,
  dumpReadSide,
  pathOf,
  registry,
  resetReadSide,
  silent,
  until,
} from '../projections/support.js';

const T0 = '2025-10-29T10:00:00.000Z';

/** Applies part of the batch for real, then dies before the checkpoint is written. */
function crashingAfter(rowsBeforeCrash: number): Projection<OrderEvent> {
  return {
    ...ordersProjection,
    async apply(tx, events, context) {
      await ordersProjection.apply(tx, events.slice(0, rowsBeforeCrash), context);
      throw new Error('crash in the middle of a batch');
    },
  };
}

describe.each(ENGINES)('projection batches and manager on %s', (engine) => {
  let database: TestDatabase;
  let store: EventStore;
  const managers: ProjectionManager[] = [];
  const others: Database[] = [];

  const manage = (options: Partial<ProjectionManagerOptions> = {}, on: Database = database) => {
    const manager = new ProjectionManager({
      database: on,
      registry,
      logger: silent,
      projections: [ordersProjection, usersProjection],
      batchSize: 50,
      pollIntervalMs: 200,
      lockRetryMs: 200,
      retryInitialMs: 50,
      retryMaxMs: 200,
      ...options,
    });
    managers.push(manager);
    return manager;
  };
  /** A second server instance: its own pool, listener and lock connection. */
  const secondInstance = async () => {
    if (!database.url) return database;
    const other = await openDatabase({ kind: 'postgres', url: database.url, poolMax: 5 });
    others.push(other);
    return other;
  };

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = new EventStore(database, registry);
    await driveUser(store, 'user-1', ['RegisterUser']);
    for (let n = 0; n < 30; n++) await driveOrder(store, `o${n}`, pathOf(n, `user-${n % 3}`));
  });
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.stop()));
    await Promise.all(others.splice(0).map((d) => d.close()));
    await resetReadSide(database.db);
  });
  afterAll(() => database.close());

  it('leaves nothing of a batch that crashed half way, and resumes to what a clean build gives', async () => {
    await expect(runBatch(database, registry, crashingAfter(5), { batchSize: 20 })).rejects.toThrow('crash');
    expect(await dumpReadSide(database.db)).toEqual({
      orders: [],
      order_items: [],
      order_status_history: [],
      users: [],
    });
    expect((await readCheckpoints(database.db, ['orders'])).get('orders')).toBe('0:0');

    await runBatch(database, registry, ordersProjection, { batchSize: 20 });
    const afterOne = await dumpReadSide(database.db);
    const checkpoint = (await readCheckpoints(database.db, ['orders'])).get('orders');
    await expect(runBatch(database, registry, crashingAfter(12), { batchSize: 20 })).rejects.toThrow('crash');
    expect(await dumpReadSide(database.db)).toEqual(afterOne);
    expect((await readCheckpoints(database.db, ['orders'])).get('orders')).toBe(checkpoint);

    await catchUp(database, ordersProjection, 20);
    await catchUp(database, usersProjection, 20);
    const resumed = await dumpReadSide(database.db);

    await resetReadSide(database.db);
    await catchUp(database, ordersProjection, 1_000);
    await catchUp(database, usersProjection, 1_000);
    expect(resumed).toEqual(await dumpReadSide(database.db));
    expect(resumed.orders).toHaveLength(30);
    expect(resumed.order_status_history).toHaveLength(30 + 6 + 12 + 12 + 18);
  });

  it('gives the same tables whatever the batch size', async () => {
    await resetReadSide(database.db);
    await catchUp(database, ordersProjection, 1);
    const oneByOne = await dumpReadSide(database.db);
    await resetReadSide(database.db);
    await catchUp(database, ordersProjection, 7);
    expect(await dumpReadSide(database.db)).toEqual(oneByOne);
  });

  it('follows 8 concurrent writers: the read tables equal the fold of all events', async () => {
    const manager = manage();
    await manager.start();
    const perWriter = engine === 'postgres' ? 25 : 8;
    const positions = await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        let last = '0:0';
        for (let i = 0; i < perWriter; i++) {
          const n = w * perWriter + i;
          last = await driveOrder(store, `w${w}-${i}`, pathOf(n, `user-${n % 5}`));
        }
        return last;
      }),
    );
    const newest = positions.reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b));
    await manager.waitForPosition(newest, 20_000);

    const check = await checkOrders(database, registry);
    expect(check.mismatches).toEqual([]);
    expect(check.checked).toBe(30 + 8 * perWriter);
    const followed = await dumpReadSide(database.db);
    await manager.stop();
    await resetReadSide(database.db);
    await catchUp(database, ordersProjection, 1_000);
    await catchUp(database, usersProjection, 1_000);
    expect(followed).toEqual(await dumpReadSide(database.db));
  });

  it('stops at a poison event, shows it failing everywhere, and recovers when fixed', async () => {
    await driveOrder(store, 'before-poison', [{ type: 'create', userId: 'user-1', at: T0 }]);
    const poisonPosition = await driveOrder(store, 'poison', [{ type: 'create', userId: 'user-1', at: T0 }]);
    await driveOrder(store, 'after-poison', [{ type: 'create', userId: 'user-1', at: T0 }]);
    let broken = true;
    const fragile: Projection<OrderEvent> = {
      ...ordersProjection,
      async apply(tx, events, context) {
        if (broken && events.some((e) => e.position === poisonPosition))
          throw new Error('cannot project order poison');
        await ordersProjection.apply(tx, events, context);
      },
    };
    const manager = manage({ projections: [fragile] });
    await manager.start();
    await until(async () => (await manager.status())[0]!.state === 'failing', 10_000, 'failing state');

    const [status] = await manager.status();
    expect(status!.lastError).toMatchObject({
      message: 'cannot project order poison',
      position: poisonPosition,
    });
    expect(comparePositions(status!.position, poisonPosition)).toBe(-1);
    expect(status!.eventsBehind).toBeGreaterThanOrEqual(2);
    expect(await getOrder(database.db, 'before-poison')).toBeDefined();
    expect(await getOrder(database.db, 'poison')).toBeUndefined();
    expect(await getOrder(database.db, 'after-poison')).toBeUndefined();
    // An instance that does not run the projection sees the same, from the database.
    const [elsewhere] = await manage({ projections: [fragile] }, await secondInstance()).status();
    expect(elsewhere).toMatchObject({
      state: 'failing',
      position: status!.position,
      lastError: { position: poisonPosition },
    });
    // Retried, never skipped.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await manager.status())[0]!.position).toBe(status!.position);

    broken = false;
    // Caught up first; the runner reports 'running' once its next read finds nothing more.
    await until(
      async () => {
        const [now] = await manager.status();
        return now!.eventsBehind === 0 && now!.state === 'running';
      },
      10_000,
      'recovery',
    );
    const [recovered] = await manager.status();
    expect(recovered).toMatchObject({ state: 'running', lastError: null });
    expect(await getOrder(database.db, 'poison')).toBeDefined();
    expect(await getOrder(database.db, 'after-poison')).toBeDefined();
    const [stored] = await rows<{ last_error: string | null }>(
      database.db,
      sql`SELECT last_error FROM projection_status WHERE name = 'orders'`,
    );
    expect(stored?.last_error).toBeNull();
  });

  it('waits for a position: read-your-writes on any instance, a typed error on timeout', async () => {
    const manager = manage();
    await manager.start();
    // An instance that runs nothing (PGlite: a manager never started) waits just the same.
    const bystander = manage({}, await secondInstance());
    if (engine === 'postgres') await bystander.start();

    const position = await driveOrder(store, 'ryw', [
      { type: 'create', userId: 'user-1', at: T0 },
      { type: 'pay', at: T0 },
    ]);
    await Promise.all([
      manager.waitForPosition(position, 10_000),
      bystander.waitForPosition(position, 10_000),
    ]);
    expect(await getOrder(database.db, 'ryw')).toMatchObject({ status: 'PAID', position });

    const userPosition = await driveUser(store, 'user-ryw', ['RegisterUser']);
    await bystander.waitForPosition(userPosition, 10_000);
    const [orders, users] = await manager.status();
    expect(comparePositions(orders!.position, userPosition)).toBeGreaterThanOrEqual(0);
    expect(comparePositions(users!.position, userPosition)).toBeGreaterThanOrEqual(0);

    const error = await manager.waitForPosition('999999999:1', 150).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitForPositionTimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', position: '999999999:1', timeoutMs: 150 });
    await expect(manager.waitForPosition('nonsense', 100)).rejects.toMatchObject({
      name: 'InvalidPositionError',
    });
  });

  it('reports status per projection', async () => {
    await driveUser(store, 'user-status', ['RegisterUser']);
    const manager = manage();
    expect((await manager.status()).map((s) => s.state)).toEqual(['stopped', 'stopped']);
    const [behind] = await manager.status();
    expect(behind!.eventsBehind).toBeGreaterThan(0);
    expect(behind!.secondsBehind).toBeGreaterThanOrEqual(0);
    await manager.start();
    await until(
      async () => (await manager.status()).every((s) => s.state === 'running' && s.eventsBehind === 0),
      10_000,
      'caught up',
    );
    const statuses = await manager.status();
    expect(statuses.map((s) => s.name)).toEqual(['orders', 'users']);
    expect(statuses.every((s) => s.secondsBehind === 0 && s.lastError === null)).toBe(true);
  });

  it.runIf(engine === 'postgres')(
    'runs each projection on one instance, and another takes over when it dies',
    async () => {
      // node --import tsx, not the tsx binary: one process, so SIGKILL kills the instance itself.
      const first = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/projections/fixtures/instance.ts', database.url!],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      try {
        await new Promise<void>((resolve, reject) => {
          first.stdout.on('data', (chunk: Buffer) => {
            if (chunk.toString().includes('running')) resolve();
          });
          first.once('exit', (code) => reject(new Error(`instance exited with ${code}`)));
        });
        const second = manage({}, await secondInstance());
        await second.start();
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect((await second.status()).map((s) => s.state)).toEqual(['standby', 'standby']);

        first.kill('SIGKILL');
        await until(
          async () => (await second.status()).every((s) => s.state === 'running'),
          10_000,
          'takeover',
        );
        const position = await driveOrder(store, 'after-takeover', [
          { type: 'create', userId: 'user-1', at: T0 },
        ]);
        await second.waitForPosition(position, 10_000);
        expect(await getOrder(database.db, 'after-takeover')).toBeDefined();
        // Asked from a process that runs nothing (the CLI), the lock shows who does.
        expect((await manage().status()).map((s) => s.state)).toEqual(['running', 'running']);
        const holders = await rows<{ n: number }>(
          database.db,
          sql`
        SELECT count(DISTINCT pid)::int AS n FROM pg_locks
        WHERE locktype = 'advisory' AND classid = 7370002 AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        expect(holders[0]!.n).toBe(1);
      } finally {
        first.kill('SIGKILL');
      }
    },
  );
});
