import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { START, comparePositions } from '../../src/eventstore/index.js';
import { StatusHub } from '../../src/live/status-hub.js';
import {
  lastStatusChangePosition,
  statusChangeSource,
  statusChangesAfter,
} from '../../src/projections/orders/queries.js';
import type { OrderStatusChange } from '../../src/projections/orders/status-changes.js';
import { ORDER_STATUS_CHANNEL } from '../../src/projections/orders/status-changes.js';
import { silentLogger } from '../support/commands.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';

describe.each(ENGINES)('status hub on %s', (engine) => {
  let database: TestDatabase;
  let hub: StatusHub<OrderStatusChange>;
  let position = 100;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    hub = new StatusHub(statusChangeSource(database), silentLogger, { capacity: 3, pollIntervalMs: 100 });
    await hub.start();
  });
  afterAll(async () => {
    await hub.stop();
    await database.close();
  });

  /** Writes status rows as the orders projection would, and wakes the hub. */
  const record = async (orderId: string, count: number) => {
    for (let i = 0; i < count; i++) {
      position += 1;
      await database.db.execute(sql`
        INSERT INTO order_status_history (transaction_id, global_position, order_id, user_id, from_status, to_status, occurred_at)
        VALUES (${String(position)}::xid8, ${position}, ${orderId}, 'u-1', NULL, 'PENDING', now())`);
    }
    await database.db.execute(sql`SELECT pg_notify(${ORDER_STATUS_CHANNEL}, '{}')`);
  };

  it('ends a subscriber that stops reading, telling it where to resume, and forgets it', async () => {
    const slow = hub.subscribe({ orderId: 'o-slow' });
    const first = slow.next();
    await record('o-slow', 1);
    const head = (await first).value!;
    await record('o-slow', 6);
    await new Promise((r) => setTimeout(r, 500));
    const received = [head];
    let failure: any;
    try {
      for (;;) {
        const next = await slow.next();
        if (next.done) break;
        received.push(next.value);
      }
    } catch (error) {
      failure = error;
    }
    expect(received).toHaveLength(4);
    expect(failure?.extensions).toMatchObject({
      code: 'SUBSCRIBER_OVERFLOW',
      resumeAfter: received[3]!.position,
    });
    expect(hub.subscriberCount).toBe(0);

    const resumed = hub.subscribe({ orderId: 'o-slow' }, received[3]!.position);
    const rest = [
      (await resumed.next()).value!,
      (await resumed.next()).value!,
      (await resumed.next()).value!,
    ];
    expect(rest.map((c) => c.position)).toEqual([
      `${position - 2}:${position - 2}`,
      `${position - 1}:${position - 1}`,
      `${position}:${position}`,
    ]);
    await resumed.return!();
    expect(hub.subscriberCount).toBe(0);
  });

  /**
   * Subscribers to `orderId` that each read two changes, spending `workMs` on each, as a
   * subscription executing a large selection does; and how many had the first change when
   * whatever else was waiting, as it reached the first of them, got its turn.
   */
  const readTwo = (orderId: string, subscribers: number, workMs: number) => {
    const work = () => {
      for (const until = performance.now() + workMs; performance.now() < until;);
    };
    let reached = 0;
    let reachedWhenOthersRan: number | undefined;
    const reading = Promise.all(
      Array.from({ length: subscribers }, async () => {
        const positions: string[] = [];
        for await (const change of hub.subscribe({ orderId })) {
          if (positions.length === 0 && reached++ === 0)
            setImmediate(() => {
              reachedWhenOthersRan = reached;
            });
          work();
          positions.push(change.position);
          if (positions.length === 2) break;
        }
        return positions.join();
      }),
    );
    return { reading, reachedWhenOthersRan: () => reachedWhenOthersRan };
  };

  it('lets the event loop in every few milliseconds while a change reaches many subscribers, each getting every change in order', async () => {
    const readers = readTwo('o-slow-readers', 200, 1);
    await record('o-slow-readers', 2);
    expect(new Set(await readers.reading)).toEqual(
      new Set([`${position - 1}:${position - 1},${position}:${position}`]),
    );
    // A handful had it, a few milliseconds' work, not all 200.
    expect(readers.reachedWhenOthersRan()).toBeLessThan(20);
    expect(hub.subscriberCount).toBe(0);
  });

  it('lets the event loop in every few dozen deliveries, however quick each is', async () => {
    const readers = readTwo('o-quick-readers', 200, 0);
    await record('o-quick-readers', 2);
    expect(new Set(await readers.reading)).toEqual(
      new Set([`${position - 1}:${position - 1},${position}:${position}`]),
    );
    expect(readers.reachedWhenOthersRan()).toBeLessThanOrEqual(32);
    expect(hub.subscriberCount).toBe(0);
  });

  it('releases a waiting subscriber at once when it unsubscribes', async () => {
    const idle = hub.subscribe({});
    const pending = idle.next();
    expect(hub.subscriberCount).toBe(1);
    await idle.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(hub.subscriberCount).toBe(0);
  });

  it('starts live from the newest change it finds when it starts, on a table that already has history', async () => {
    // given history already written (rows of other tests, and three more)
    await record('o-restart', 3);
    const newest = (await statusChangesAfter(database.db, START, { limit: 100_000 })).at(-1)!.position;
    // when a hub starts on it
    const restarted = new StatusHub(statusChangeSource(database), silentLogger, {
      capacity: 10,
      pollIntervalMs: 100,
    });
    await restarted.start();
    try {
      expect(await lastStatusChangePosition(database.db)).toBe(newest);
      // then a live subscriber gets the next change and nothing of the past
      const live = restarted.subscribe({ orderId: 'o-restart' });
      const next = live.next();
      await record('o-restart', 1);
      expect((await next).value!.position).not.toBe(newest);
      expect(comparePositions((await next).value!.position, newest)).toBeGreaterThan(0);
      await live.return?.();
    } finally {
      await restarted.stop();
    }
  });
});
