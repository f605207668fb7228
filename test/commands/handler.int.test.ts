import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/connect.js';
import {
  IdempotencyConflictError,
  orderAggregate,
  purgeExpiredKeys,
  userAggregate,
  loadStream,
  type CommandHandler,
} from '../../src/commands/index.js';
import { InvalidStateError, ValidationError, orderStreamId, userStreamId } from '../../src/domain/index.js';
import { ConcurrencyError } from '../../src/eventstore/index.js';
import { commandHandler, meta } from '../support/commands.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';

const lines = [
  { productId: 'prod-1', quantity: 2, unitPrice: 9999 },
  { productId: 'prod-2', quantity: 1, unitPrice: 14999 },
];
const create = (orderId: string, m = meta()) => ({
  type: 'CreateOrder' as const,
  data: { orderId, userId: 'user-123', items: lines },
  metadata: m,
});
const pay = (orderId: string, m = meta()) => ({
  type: 'PayOrder' as const,
  data: { orderId, paymentMethod: 'credit_card', amount: 34997 },
  metadata: m,
});

describe.each(ENGINES)('command handling on %s', (engine) => {
  let database: TestDatabase;
  let handler: CommandHandler;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    handler = commandHandler(database, { snapshotEvery: 10, maxAttempts: 10 });
  });
  afterAll(() => database.close());

  const count = async (query: ReturnType<typeof sql>) =>
    (await rows<{ n: number }>(database.db, query))[0]!.n;
  const eventsOf = (streamId: string) =>
    count(sql`SELECT count(*)::int AS n FROM events WHERE stream_id = ${streamId}`);

  it('creates and pays an order, with metadata flowing into the events', async () => {
    const created = await handler.handle(create('o-1', meta({ actor: 'user-123', correlationId: 'c-1' })));
    expect(created).toMatchObject({
      streamId: 'order-o-1',
      streamVersion: 1,
      events: [{ type: 'OrderCreated', data: { total: 34997 } }],
    });
    const paid = await handler.handle(pay('o-1'));
    expect(paid.streamVersion).toBe(2);
    const stored = await handler.store.readStream('order-o-1');
    expect(stored[0]!.metadata).toMatchObject({ actor: 'user-123', correlationId: 'c-1' });
    expect(stored[1]!.position).toBe(paid.position);
  });

  it('refuses to create an order twice without reading first, and writes nothing', async () => {
    await handler.handle(create('o-twice'));
    const retriesBefore = handler.retries;
    // The create is tried as a new stream, conflicts, and is then decided on the stored state.
    await expect(handler.handle(create('o-twice'))).rejects.toBeInstanceOf(InvalidStateError);
    expect(handler.retries).toBe(retriesBefore + 1);
    expect(await eventsOf('order-o-twice')).toBe(1);
    // The same command sent again is still its first result.
    const m = meta();
    const first = await handler.handle(create('o-resent', m));
    expect(await handler.handle(create('o-resent', m))).toEqual(first);
  });

  it('writes nothing when the decider refuses', async () => {
    await expect(handler.handle(pay('o-1'))).rejects.toBeInstanceOf(InvalidStateError);
    await expect(
      handler.handle({ ...create('o-bad'), data: { orderId: 'o-bad', userId: 'u', items: [] } }),
    ).rejects.toMatchObject({ name: 'ValidationError', field: 'items' });
    expect(await eventsOf('order-o-bad')).toBe(0);
    expect(await eventsOf('order-o-1')).toBe(2);
  });

  it('reloads and decides again after a conflict, and succeeds', async () => {
    // A cancel that loses the race to a payment still applies to the paid order (with a refund).
    let succeededAfterRetry = false;
    for (let round = 0; round < 10 && !succeededAfterRetry; round++) {
      const orderId = `o-retry-${round}`;
      await handler.handle(create(orderId));
      const before = handler.retries;
      const [paid, cancelled] = await Promise.allSettled([
        handler.handle(pay(orderId)),
        handler.handle({
          type: 'CancelOrder',
          data: { orderId, reason: 'changed my mind' },
          metadata: meta(),
        }),
      ]);
      succeededAfterRetry =
        paid.status === 'fulfilled' && cancelled.status === 'fulfilled' && handler.retries > before;
      if (succeededAfterRetry) {
        const [, , cancel] = await handler.store.readStream(orderStreamId(orderId));
        expect(cancel).toMatchObject({ type: 'OrderCancelled', version: 3, data: { refundDue: 34997 } });
      }
    }
    expect(succeededAfterRetry).toBe(true);
  });

  it('serialises concurrent changes to several streams of one user', async () => {
    await handler.handle({
      type: 'RegisterUser',
      data: { userId: 'u-retry', username: 'retry', email: 'retry0@example.com' },
      metadata: meta(),
    });
    await Promise.all(
      [1, 2, 3, 4].map((i) =>
        handler.handle({
          type: 'ChangeUserEmail',
          data: { userId: 'u-retry', newEmail: `retry${i}@example.com` },
          metadata: meta(),
        }),
      ),
    );
    expect(await eventsOf('user-u-retry')).toBe(5);
    const held = await rows<{ stream_id: string }>(
      database.db,
      sql`
      SELECT stream_id FROM streams WHERE stream_id LIKE 'email-retry%' AND version % 2 = 1 ORDER BY stream_id`,
    );
    expect(held).toHaveLength(1);
  });

  it('returns a conflict as is when the caller pinned the version', async () => {
    await handler.handle(create('o-pin'));
    await expect(handler.handle(pay('o-pin'), { expectedVersion: 0 })).rejects.toMatchObject({
      name: 'ConcurrencyError',
      streamId: 'order-o-pin',
      expected: 0,
      actual: 1,
    });
    expect((await handler.handle(pay('o-pin'), { expectedVersion: 1 })).streamVersion).toBe(2);
  });

  it('pays an order once when 20 payments race', async () => {
    await handler.handle(create('o-race'));
    const settled = await Promise.allSettled(Array.from({ length: 20 }, () => handler.handle(pay('o-race'))));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(InvalidStateError);
    expect(
      await count(
        sql`SELECT count(*)::int AS n FROM events WHERE stream_id = 'order-o-race' AND event_type = 'OrderPaid'`,
      ),
    ).toBe(1);
  });

  it('returns the first result for a command sent again with the same id', async () => {
    await handler.handle(create('o-again'));
    const first = pay('o-again');
    const original = await handler.handle(first);
    expect(await handler.handle(first)).toEqual(original);
    expect(await eventsOf('order-o-again')).toBe(2);
  });

  it('returns the first result for a re-sent command that would still be accepted', async () => {
    await handler.handle({
      type: 'DefineProduct',
      data: { productId: 'p-again', name: 'Kettle' },
      metadata: meta(),
    });
    const add = { type: 'AddStock' as const, data: { productId: 'p-again', quantity: 5 }, metadata: meta() };
    const original = await handler.handle(add);
    expect(await handler.handle(add)).toEqual(original);
    expect(await eventsOf('product-p-again')).toBe(2);
  });

  it('loads from the latest snapshot and reads only the events after it', async () => {
    await handler.handle({
      type: 'RegisterUser',
      data: { userId: 'u-snap', username: 'snap', email: 'snap0@example.com' },
      metadata: meta(),
    });
    for (let i = 1; i <= 24; i++) {
      await handler.handle({
        type: 'ChangeUserEmail',
        data: { userId: 'u-snap', newEmail: `snap${i}@example.com` },
        metadata: meta(),
      });
    }
    const snapshotVersions = async () =>
      (
        await rows<{ version: number }>(
          database.db,
          sql`SELECT version FROM snapshots WHERE stream_id = 'user-u-snap' ORDER BY version`,
        )
      ).map((r) => r.version);
    for (let i = 0; i < 50 && (await snapshotVersions()).length < 2; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await snapshotVersions()).toEqual([10, 20]);
    const loaded = await loadStream(handler.store, userAggregate, userStreamId('u-snap'), database.db);
    expect(loaded).toMatchObject({
      version: 25,
      snapshotVersion: 20,
      eventsRead: 5,
      state: { email: 'snap24@example.com' },
    });
  });

  it('loads an order written in the original v1 shape and takes commands on it', async () => {
    await database.db.execute(
      sql`INSERT INTO streams (stream_id, stream_type, version) VALUES ('order-order-001', 'order', 1)`,
    );
    await database.db.execute(sql`
      INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)
      VALUES (gen_random_uuid(), 'order-order-001', 'order', 1, 'OrderCreated', 1,
        '{"order_id":"order-001","user_id":"user-123","items":[{"product_id":"prod-1","quantity":2,"price":99.99}],"total_amount":349.97,"created_at":"2025-10-29T10:00:00Z"}',
        '{}')`);
    const loaded = await loadStream(handler.store, orderAggregate, orderStreamId('order-001'), database.db);
    expect(loaded.state).toMatchObject({
      status: 'PENDING',
      orderId: 'order-001',
      userId: 'user-123',
      total: 34997,
      items: [{ productId: 'prod-1', quantity: 2, unitPrice: 9999 }],
    });
    expect((await handler.handle(pay('order-001'))).streamVersion).toBe(2);
  });

  it('keeps idempotency keys: same request, concurrent duplicates, conflicting request', async () => {
    const first = await handler.handle(create('o-key-1', meta({ idempotencyKey: 'key-1' })));
    const again = await handler.handle(create('o-key-1', meta({ idempotencyKey: 'key-1' })));
    expect(again).toEqual(first);
    await expect(
      handler.handle(create('o-key-other', meta({ idempotencyKey: 'key-1' }))),
    ).rejects.toBeInstanceOf(IdempotencyConflictError);

    const racing = await Promise.all(
      Array.from({ length: 10 }, () => handler.handle(create('o-key-2', meta({ idempotencyKey: 'key-2' })))),
    );
    for (const result of racing) expect(result).toEqual(racing[0]);
    expect(await eventsOf('order-o-key-2')).toBe(1);
    expect(await eventsOf('order-o-key-other')).toBe(0);

    await database.db.execute(
      sql`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'key-2'`,
    );
    expect(await purgeExpiredKeys(database.db)).toBe(1);
    expect(await count(sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'key-2'`)).toBe(0);
  });

  it('does not keep a key whose command failed', async () => {
    await expect(
      handler.handle(pay('o-missing', meta({ idempotencyKey: 'key-fail' }))),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await count(sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'key-fail'`)).toBe(0);
  });

  it('folds a stream as it was at a version or a moment', async () => {
    await handler.handle(create('o-time'));
    const [{ t }] = (await rows<{ t: string }>(
      database.db,
      sql`SELECT (now() + interval '0 second')::text AS t`,
    )) as [{ t: string }];
    await new Promise((r) => setTimeout(r, 20));
    await handler.handle(pay('o-time'));
    expect(
      (await handler.loadAt(orderAggregate, orderStreamId('o-time'), { version: 1 })).state,
    ).toMatchObject({ status: 'PENDING' });
    expect(
      (await handler.loadAt(orderAggregate, orderStreamId('o-time'), { version: 2 })).state,
    ).toMatchObject({ status: 'PAID' });
    expect(
      (await handler.loadAt(orderAggregate, orderStreamId('o-time'), { at: new Date(t).toISOString() }))
        .state,
    ).toMatchObject({ status: 'PENDING' });
    expect(
      (await handler.loadAt(orderAggregate, orderStreamId('o-time'), { at: '2000-01-01T00:00:00Z' })).state,
    ).toEqual({ status: 'NONE' });
  });

  it('gives an email to exactly one of two concurrent registrations', async () => {
    const register = (userId: string) =>
      handler.handle({
        type: 'RegisterUser',
        data: { userId, username: userId, email: 'Same@Example.com' },
        metadata: meta(),
      });
    const settled = await Promise.allSettled([register('u-a'), register('u-b')]);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const loser = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(ValidationError);
    expect(loser.reason).toMatchObject({ field: 'email' });
    expect(await eventsOf('email-same@example.com')).toBe(1);
    expect((await eventsOf('user-u-a')) + (await eventsOf('user-u-b'))).toBe(1);
  });

  it('frees an email when its user changes it or is deleted', async () => {
    await handler.handle({
      type: 'RegisterUser',
      data: { userId: 'u-x', username: 'x', email: 'x@example.com' },
      metadata: meta(),
    });
    await handler.handle({
      type: 'ChangeUserEmail',
      data: { userId: 'u-x', newEmail: 'x2@example.com' },
      metadata: meta(),
    });
    await handler.handle({
      type: 'RegisterUser',
      data: { userId: 'u-y', username: 'y', email: 'x@example.com' },
      metadata: meta(),
    });
    await handler.handle({ type: 'DeleteUser', data: { userId: 'u-x', reason: 'asked' }, metadata: meta() });
    await handler.handle({
      type: 'RegisterUser',
      data: { userId: 'u-z', username: 'z', email: 'x2@example.com' },
      metadata: meta(),
    });
    await expect(
      handler.handle({
        type: 'ChangeUserEmail',
        data: { userId: 'u-x', newEmail: 'x3@example.com' },
        metadata: meta(),
      }),
    ).rejects.toMatchObject({ name: 'InvalidStateError', status: 'DELETED' });
    expect(ConcurrencyError).toBeDefined();
  });
});
