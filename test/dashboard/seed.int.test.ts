import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { rows, type Database } from '../../src/db/connect.js';
import { ORDER_STATUSES, type CreateOrder } from '../../src/domain/index.js';
import { orderStatistics } from '../../src/projections/orders/statistics.js';
import { SEED_PRODUCTS } from '../../src/seed/catalogue.js';
import { seedPlan } from '../../src/seed/plan.js';
import { writeSeed } from '../../src/seed/run.js';
import { startServices, type Services } from '../../src/services.js';
import { meta, silentLogger } from '../support/commands.js';
import { createPostgresDatabase, ENGINES, openMigratedPglite, type Engine } from '../support/database.js';

const UNTIL = new Date('2026-03-01T12:00:00.000Z');
const BACKORDERED = 'seed-prod-espresso';

describe('the seed', () => {
  it('plans the same commands every time, with fixed ids, leaving orders in every status', () => {
    const plan = seedPlan({ orders: 150, until: UNTIL });
    expect(seedPlan({ orders: 150, until: UNTIL })).toEqual(plan);
    expect(plan.filter((c) => c.type === 'CreateOrder').map((c) => c.data.orderId)).toContain(
      'seed-order-150',
    );
    expect(new Set(plan.map((c) => c.metadata.commandId)).size).toBe(plan.length);
    expect(plan.every((c) => Date.parse(c.metadata.now) <= UNTIL.getTime())).toBe(true);
    const last = new Map<string, string>();
    for (const command of plan) if ('orderId' in command.data) last.set(command.data.orderId, command.type);
    expect(new Set(last.values())).toEqual(
      new Set(['CreateOrder', 'PayOrder', 'ShipOrder', 'DeliverOrder', 'CancelOrder']),
    );
  });

  it('gives every order it leaves PAID a product that takes backorders and has no stock', () => {
    const plan = seedPlan({ orders: 150, until: UNTIL });
    expect(SEED_PRODUCTS.filter((p) => p.backorders).map((p) => p.id)).toEqual([BACKORDERED]);
    expect(plan.filter((c) => 'productId' in c.data && c.data.productId === BACKORDERED)).toEqual([
      expect.objectContaining({
        type: 'DefineProduct',
        data: { productId: BACKORDERED, name: 'Espresso machine', backorders: true },
      }),
    ]);
    const last = new Map<string, string>();
    for (const command of plan) if ('orderId' in command.data) last.set(command.data.orderId, command.type);
    const leftPaid = [...last].filter(([, type]) => type === 'PayOrder').map(([orderId]) => orderId);
    const creates = plan.filter((c): c is CreateOrder => c.type === 'CreateOrder');
    const wants = (orderId: string) =>
      creates.find((c) => c.data.orderId === orderId)!.data.items.some((i) => i.productId === BACKORDERED);
    expect(leftPaid.length).toBeGreaterThan(0);
    expect(leftPaid.filter((orderId) => !wants(orderId))).toEqual([]);
  });

  describe('written through the command handler', () => {
    let services: Services;
    beforeAll(async () => {
      const config = { ...loadConfig({}), database: { kind: 'pglite' as const, dataDir: 'memory://' } };
      services = await startServices(config, silentLogger, {
        fulfilment: false,
        database: openMigratedPglite(),
      });
    });
    afterAll(() => services.stop());

    // Fewer orders than `npm run seed` writes, to keep the suite quick; 60 still reach every status.
    it('leaves users and orders in every status, and a second run writes nothing more', async () => {
      const first = await writeSeed(services, seedPlan({ orders: 60, until: UNTIL }));
      expect(first).toMatchObject({ users: 24, orders: 60, leftAlone: 0 });
      const afterFirst = await counts();
      expect(afterFirst.users).toBe(24);
      expect(afterFirst.statistics.count).toBe(60);
      for (const status of ORDER_STATUSES)
        expect(afterFirst.statistics.countByStatus[status], status).toBeGreaterThan(0);

      // A later run has another clock: the commands are recognised by id all the same.
      const second = await writeSeed(
        services,
        seedPlan({ orders: 60, until: new Date(UNTIL.getTime() + 86_400_000) }),
      );
      expect(second.leftAlone).toBe(0);
      expect(await counts()).toEqual(afterFirst);
    }, 120_000);

    async function counts() {
      const db = services.database.db;
      const [events] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM events`);
      const [users] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM users`);
      return { events: events!.n, users: users!.n, statistics: await orderStatistics(db, {}) };
    }
  });
});

/** How long nothing may happen before the saga counts as at rest: several of the worker's polls (1 s). */
const QUIET_MS = 3_000;

describe.each(ENGINES)('the seed under the running fulfilment saga on %s', (engine) => {
  it('keeps orders in every status, PAID ones included, until stock comes in for them', async () => {
    const { config, first, drop } = await storedDatabase(engine);
    try {
      // `npm run seed`: the saga off while the history is written.
      let services = await startServices(config, silentLogger, { fulfilment: false, database: first });
      await writeSeed(services, seedPlan({ orders: 60, until: UNTIL }));
      const seeded = (await orderStatistics(services.database.db, {})).countByStatus;
      await services.stop();
      expect(seeded.PAID).toBeGreaterThan(0);

      // `npm start`: the saga on, as by default.
      services = await startServices(config, silentLogger);
      try {
        await sagaAtRest(services);
        const after = (await orderStatistics(services.database.db, {})).countByStatus;
        for (const status of ORDER_STATUSES) expect(after[status], status).toBeGreaterThan(0);
        expect(after.PAID).toBe(seeded.PAID);

        // What the README promises: stock for the backordered product ships them while the server runs.
        await services.commands.handle({
          type: 'AddStock',
          data: { productId: BACKORDERED, quantity: seeded.PAID },
          metadata: meta(),
        });
        await sagaAtRest(services);
        const restocked = (await orderStatistics(services.database.db, {})).countByStatus;
        expect(restocked.PAID).toBe(0);
        expect(restocked.SHIPPED).toBe(after.SHIPPED + seeded.PAID);
      } finally {
        await services.stop();
      }
    } finally {
      await drop();
    }
  }, 120_000);
});

/**
 * A database that outlives one startServices: a PGlite directory (its first open copies the
 * run's migrated database into it: `first`), or a PostgreSQL database of its own.
 */
async function storedDatabase(
  engine: Engine,
): Promise<{ config: Config; first?: Promise<Database>; drop(): Promise<void> }> {
  if (engine === 'postgres') {
    const fresh = await createPostgresDatabase();
    return {
      config: { ...loadConfig({}), database: { kind: 'postgres', url: fresh.url, poolMax: 10 } },
      drop: fresh.drop,
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'ledgerline-seed-'));
  const dataDir = join(dir, 'data');
  return {
    config: { ...loadConfig({}), database: { kind: 'pglite', dataDir } },
    first: openMigratedPglite(dataDir),
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Until every projection (the saga's feed consumer too) has caught up, no saga has a
 * next step scheduled (one waiting for restock has none), and nothing was written for QUIET_MS.
 */
async function sagaAtRest(services: Services, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let head = -1;
  let quietSince = Date.now();
  for (;;) {
    const [row] = await rows<{ head: number; scheduled: number }>(
      services.database.db,
      sql`
      SELECT (SELECT count(*)::int FROM events) AS head,
             (SELECT count(*)::int FROM fulfilments WHERE next_attempt_at IS NOT NULL) AS scheduled`,
    );
    const caughtUp = (await services.projections.status()).every((p) => p.eventsBehind === 0);
    if (row!.head !== head || row!.scheduled > 0 || !caughtUp) {
      head = row!.head;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= QUIET_MS) {
      return;
    }
    if (Date.now() > deadline) throw new Error('the saga did not come to rest');
    await new Promise((r) => setTimeout(r, 250));
  }
}
