import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { EventStore } from '../../src/eventstore/index.js';
import { comparePositions } from '../../src/eventstore/index.js';
import {
  ORDER_STATUS_CHANNEL,
  getOrder,
  getOrderItems,
  getStatusHistory,
  getUser,
  listOrders,
  orderStatistics,
  orderStatisticsByUser,
  ordersProjection,
  parseOrderStatusChange,
  statusChangesAfter,
  usersProjection,
  type OrderStatusChange,
} from '../../src/projections/index.js';
import { OrderReads } from '../../src/projections/orders/reads.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';
import { catchUp, driveOrder, driveUser, nextId, registry, until } from './support.js';

const T0 = '2025-10-29T10:00:00.000Z';
const T1 = '2025-10-29T11:00:00.000Z';
const T2 = '2025-10-30T09:00:00.000Z';
const T3 = '2025-11-01T15:30:00.000Z';

describe.each(ENGINES)('orders and users projections on %s', (engine) => {
  let database: TestDatabase;
  let store: EventStore;
  const announced: OrderStatusChange[] = [];
  let unlisten: () => Promise<void>;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = new EventStore(database, registry);
    unlisten = await database.listen(ORDER_STATUS_CHANNEL, (payload) => {
      const change = parseOrderStatusChange(payload);
      if (change) announced.push(change);
    });
    await driveUser(store, 'user-a', ['RegisterUser', 'ChangeUserEmail']);
    await driveUser(store, 'user-b', ['RegisterUser', 'DeleteUser']);
    await driveOrder(store, 'a', [
      { type: 'create', userId: 'user-a', at: T0 },
      { type: 'pay', method: 'card', at: T1 },
      { type: 'ship', tracking: 'TRK-1', at: T2 },
      { type: 'deliver', at: T3 },
    ]);
    await driveOrder(store, 'b', [
      { type: 'create', userId: 'user-a', at: T1 },
      { type: 'cancel', reason: 'changed my mind', at: T2 },
    ]);
    await driveOrder(store, 'c', [
      { type: 'create', userId: 'user-b', at: T2 },
      { type: 'pay', method: 'paypal', at: T2 },
      { type: 'cancel', reason: 'out of stock', at: T3 },
    ]);
    // Schema v1 of OrderCreated (snake_case, float money), as older code stored it.
    await database.db.execute(
      sql`INSERT INTO streams (stream_id, stream_type, version) VALUES ('order-legacy', 'order', 1)`,
    );
    await database.db.execute(sql`
      INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)
      VALUES (${nextId()}, 'order-legacy', 'order', 1, 'OrderCreated', 1,
        ${JSON.stringify({ order_id: 'legacy', user_id: 'user-b', items: [{ product_id: 'p-9', quantity: 3, price: 19.99 }], total_amount: 59.97, created_at: T3 })}::jsonb,
        '{}'::jsonb)`);
    await catchUp(database, ordersProjection, 4);
    await catchUp(database, usersProjection, 4);
  });
  afterAll(async () => {
    await unlisten();
    await database.close();
  });

  it('projects creation, payment, shipping and delivery', async () => {
    const order = await getOrder(database.db, 'a');
    expect(order).toMatchObject({
      id: 'a',
      userId: 'user-a',
      status: 'DELIVERED',
      totalCents: 34_997,
      paymentMethod: 'card',
      trackingNumber: 'TRK-1',
      cancellationReason: null,
      refundDueCents: 0,
      version: 4,
      createdAt: T0,
      updatedAt: T3,
      paidAt: T1,
      shippedAt: T2,
      deliveredAt: T3,
      cancelledAt: null,
    });
    const stream = await store.readStream('order-a');
    expect(order!.position).toBe(stream.at(-1)!.position);
    expect((await getOrderItems(database.db, ['a'])).get('a')).toEqual([
      {
        orderId: 'a',
        lineNumber: 1,
        productId: 'prod-1',
        productName: null,
        quantity: 2,
        unitPriceCents: 9_999,
        lineTotalCents: 19_998,
      },
      {
        orderId: 'a',
        lineNumber: 2,
        productId: 'prod-2',
        productName: null,
        quantity: 1,
        unitPriceCents: 14_999,
        lineTotalCents: 14_999,
      },
    ]);
  });

  it('projects cancellation before and after payment, with the refund due', async () => {
    expect(await getOrder(database.db, 'b')).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'changed my mind',
      refundDueCents: 0,
      cancelledAt: T2,
      paymentMethod: null,
      version: 2,
    });
    expect(await getOrder(database.db, 'c')).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'out of stock',
      refundDueCents: 34_997,
      paidAt: T2,
      cancelledAt: T3,
      version: 3,
    });
  });

  it('projects an upcast v1 creation', async () => {
    expect(await getOrder(database.db, 'legacy')).toMatchObject({
      status: 'PENDING',
      userId: 'user-b',
      totalCents: 5_997,
      createdAt: T3,
    });
    expect((await getOrderItems(database.db, ['legacy', 'none'])).get('legacy')).toEqual([
      {
        orderId: 'legacy',
        lineNumber: 1,
        productId: 'p-9',
        productName: null,
        quantity: 3,
        unitPriceCents: 1_999,
        lineTotalCents: 5_997,
      },
    ]);
    expect((await getOrderItems(database.db, ['none'])).get('none')).toEqual([]);
  });

  it('projects registration, email change and deletion of users', async () => {
    expect(await getUser(database.db, 'user-a')).toMatchObject({
      id: 'user-a',
      username: 'user-a',
      email: 'new-user-a@example.com',
      deleted: false,
      version: 2,
    });
    expect(await getUser(database.db, 'user-b')).toMatchObject({
      email: 'user-b@example.com',
      deleted: true,
      version: 2,
    });
    expect(await getUser(database.db, 'user-none')).toBeUndefined();
  });

  it('keeps the status history, and replays it after a position', async () => {
    const history = await getStatusHistory(database.db, 'a');
    expect(history.map((h) => [h.from, h.to, h.occurredAt])).toEqual([
      [null, 'PENDING', T0],
      ['PENDING', 'PAID', T1],
      ['PAID', 'SHIPPED', T2],
      ['SHIPPED', 'DELIVERED', T3],
    ]);
    expect(history.every((h) => h.orderId === 'a' && h.userId === 'user-a')).toBe(true);
    const afterFirst = await statusChangesAfter(database.db, history[0]!.position, { limit: 100 });
    expect(afterFirst.map((h) => `${h.orderId}:${h.to}`)).toEqual([
      'a:PAID',
      'a:SHIPPED',
      'a:DELIVERED',
      'b:PENDING',
      'b:CANCELLED',
      'c:PENDING',
      'c:PAID',
      'c:CANCELLED',
      'legacy:PENDING',
    ]);
    for (let i = 1; i < afterFirst.length; i++) {
      expect(comparePositions(afterFirst[i - 1]!.position, afterFirst[i]!.position)).toBe(-1);
    }
    expect(
      (await statusChangesAfter(database.db, '0:0', { userId: 'user-b', limit: 2 })).map(
        (h) => `${h.orderId}:${h.to}`,
      ),
    ).toEqual(['c:PENDING', 'c:PAID']);
    expect(
      (await statusChangesAfter(database.db, history[1]!.position, { orderId: 'a', limit: 10 })).map(
        (h) => h.to,
      ),
    ).toEqual(['SHIPPED', 'DELIVERED']);
  });

  it("announces every status change on the order_status channel, with the history row's content", async () => {
    await until(() => announced.length >= 10, 5_000, 'notifications');
    const history = await statusChangesAfter(database.db, '0:0', { limit: 100 });
    expect(announced).toEqual(history);
    expect(announced[1]).toEqual({
      orderId: 'a',
      userId: 'user-a',
      from: 'PENDING',
      to: 'PAID',
      position: history[1]!.position,
      occurredAt: T1,
    });
  });

  it('pages orders newest first by (created at, id), with a total count', async () => {
    for (const id of ['p1', 'p2', 'p3', 'p4', 'p5'])
      await driveOrder(store, id, [{ type: 'create', userId: 'user-p', at: T1 }]);
    await catchUp(database, ordersProjection);
    const all = await listOrders(database.db, { first: 100 });
    expect(all.edges.map((e) => e.node.id)).toEqual(['legacy', 'c', 'p5', 'p4', 'p3', 'p2', 'p1', 'b', 'a']);
    expect(all.totalCount).toBe(9);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await listOrders(database.db, { first: 2, after });
      expect(page.totalCount).toBe(9);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(seen).toEqual(all.edges.map((e) => e.node.id));

    const filtered = await listOrders(database.db, {
      userId: 'user-p',
      status: 'PENDING',
      createdAfter: T1,
      createdBefore: T2,
      first: 3,
    });
    expect(filtered.edges.map((e) => e.node.id)).toEqual(['p5', 'p4', 'p3']);
    expect(filtered.totalCount).toBe(5);
    expect(filtered.pageInfo.hasNextPage).toBe(true);
    expect(
      (await listOrders(database.db, { status: 'CANCELLED', first: 10 })).edges.map((e) => e.node.id),
    ).toEqual(['c', 'b']);
    await expect(listOrders(database.db, { first: 10, after: 'nonsense' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(listOrders(database.db, { first: -1 })).rejects.toMatchObject({ field: 'first' });
  });

  it('answers single-order reads asked for together, each with its own order', async () => {
    const reads = new OrderReads(database.db);
    const [a, none, legacy, aItems, noneItems, legacyItems] = await Promise.all([
      reads.order('a'),
      reads.order('none'),
      reads.order('legacy'),
      reads.itemsOf('a'),
      reads.itemsOf('none'),
      reads.itemsOf('legacy'),
    ]);
    expect(a).toEqual(await getOrder(database.db, 'a'));
    expect(legacy).toEqual(await getOrder(database.db, 'legacy'));
    expect(none).toBeUndefined();
    const items = await getOrderItems(database.db, ['a', 'legacy']);
    expect(aItems).toEqual(items.get('a'));
    expect(legacyItems).toEqual(items.get('legacy'));
    expect(aItems.map((item) => item.lineNumber)).toEqual([1, 2]);
    expect(noneItems).toEqual([]);
  });

  it('keeps the reads batched with one the database refuses', async () => {
    const reads = new OrderReads(database.db);
    const [bad, good, items] = await Promise.allSettled([
      reads.order('bad\u0000id'),
      reads.order('a'),
      reads.itemsOf('a'),
    ]);
    expect(bad.status).toBe('rejected');
    expect(good).toMatchObject({ status: 'fulfilled', value: { id: 'a' } });
    expect(items).toMatchObject({ status: 'fulfilled', value: [{ lineNumber: 1 }, { lineNumber: 2 }] });
  });

  it('computes statistics per user and overall over a date range, averages rounded half up', async () => {
    await driveOrder(store, 's1', [
      {
        type: 'create',
        userId: 'user-s',
        items: [{ productId: 'x', quantity: 1, unitPrice: 100 }],
        at: '2025-12-01T00:00:00.000Z',
      },
    ]);
    await driveOrder(store, 's2', [
      {
        type: 'create',
        userId: 'user-s',
        items: [{ productId: 'x', quantity: 1, unitPrice: 101 }],
        at: '2025-12-02T00:00:00.000Z',
      },
      { type: 'pay', at: '2025-12-02T01:00:00.000Z' },
    ]);
    await driveOrder(store, 's3', [
      {
        type: 'create',
        userId: 'user-s',
        items: [{ productId: 'x', quantity: 1, unitPrice: 7 }],
        at: '2025-12-03T00:00:00.000Z',
      },
    ]);
    await catchUp(database, ordersProjection);

    const range = { from: '2025-12-01T00:00:00.000Z', to: '2025-12-03T00:00:00.000Z' };
    expect(await orderStatistics(database.db, { userId: 'user-s', ...range })).toEqual({
      count: 2,
      totalCents: 201,
      averageCents: 101,
      countByStatus: { PENDING: 1, PAID: 1, SHIPPED: 0, DELIVERED: 0, CANCELLED: 0 },
    });
    expect((await orderStatistics(database.db, { userId: 'user-s' })).averageCents).toBe(69); // 208 / 3 = 69.33
    expect(await orderStatistics(database.db, { userId: 'user-none' })).toEqual({
      count: 0,
      totalCents: 0,
      averageCents: 0,
      countByStatus: { PENDING: 0, PAID: 0, SHIPPED: 0, DELIVERED: 0, CANCELLED: 0 },
    });
    const overall = await orderStatistics(database.db, { to: T2 });
    expect(overall).toMatchObject({ count: 7, totalCents: 7 * 34_997, averageCents: 34_997 });
    expect(overall.countByStatus).toEqual({ PENDING: 5, PAID: 0, SHIPPED: 0, DELIVERED: 1, CANCELLED: 1 });

    const byUser = await orderStatisticsByUser(database.db, ['user-a', 'user-s', 'user-none'], { from: T0 });
    expect(byUser.get('user-a')).toMatchObject({ count: 2, totalCents: 69_994 });
    expect(byUser.get('user-s')).toMatchObject({ count: 3, totalCents: 208, averageCents: 69 });
    expect(byUser.get('user-none')).toMatchObject({ count: 0 });
  });
});
