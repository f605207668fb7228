import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { rows } from '../../src/db/connect.js';
import { ORDER_STATUSES } from '../../src/domain/index.js';
import { orderStatistics } from '../../src/projections/statistics.js';
import { seedPlan } from '../../src/seed/plan.js';
import { writeSeed } from '../../src/seed/run.js';
import { startServices, type Services } from '../../src/services.js';
import { silentLogger } from '../support/commands.js';

const UNTIL = new Date('2026-03-01T12:00:00.000Z');

describe('the seed', () => {
  it('plans the same commands every time, with fixed ids, leaving orders in every status', () => {
    const plan = seedPlan({ orders: 150, until: UNTIL });
    expect(seedPlan({ orders: 150, until: UNTIL })).toEqual(plan);
    expect(plan.filter((c) => c.type === 'CreateOrder').map((c) => c.data.orderId)).toContain('seed-order-150');
    expect(new Set(plan.map((c) => c.metadata.commandId)).size).toBe(plan.length);
    expect(plan.every((c) => Date.parse(c.metadata.now) <= UNTIL.getTime())).toBe(true);
    const last = new Map<string, string>();
    for (const command of plan) if ('orderId' in command.data) last.set(command.data.orderId, command.type);
    expect(new Set(last.values())).toEqual(new Set(['CreateOrder', 'PayOrder', 'ShipOrder', 'DeliverOrder', 'CancelOrder']));
  });

  describe('written through the command handler', () => {
    let services: Services;
    beforeAll(async () => {
      const config = { ...loadConfig({}), database: { kind: 'pglite' as const, dataDir: 'memory://' } };
      services = await startServices(config, silentLogger, { fulfilment: false });
    });
    afterAll(() => services.stop());

    // Fewer orders than `npm run seed` writes, to keep the suite quick; 60 still reach every status.
    it('leaves users and orders in every status, and a second run writes nothing more', async () => {
      const first = await writeSeed(services, seedPlan({ orders: 60, until: UNTIL }));
      expect(first).toMatchObject({ users: 24, orders: 60, leftAlone: 0 });
      const afterFirst = await counts();
      expect(afterFirst.users).toBe(24);
      expect(afterFirst.statistics.count).toBe(60);
      for (const status of ORDER_STATUSES) expect(afterFirst.statistics.countByStatus[status], status).toBeGreaterThan(0);

      // A later run has another clock: the commands are recognised by id all the same.
      const second = await writeSeed(services, seedPlan({ orders: 60, until: new Date(UNTIL.getTime() + 86_400_000) }));
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
