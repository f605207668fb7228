import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/connect.js';
import {
  ConcurrencyError,
  DuplicateEventError,
  EVENTS_CHANNEL,
  EventStore,
  EventTypeRegistry,
  InvalidPositionError,
  UnknownEventTypeError,
  UnknownEventVersionError,
  decodePosition,
  readAll,
  type NewEvent,
  type StoredEvent,
} from '../../src/eventstore/index.js';
import { waitUntil } from '../support/clients.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';

const registry = new EventTypeRegistry()
  .register('ThingHappened')
  .register('ThingRenamed', 2, { 1: (data: { old_name: string }) => ({ name: data.old_name }) });

const happened = (n: number, id = randomUUID()): NewEvent => ({
  id,
  type: 'ThingHappened',
  data: { n },
  metadata: { actor: 'test' },
});

describe.each(ENGINES)('event store on %s', (engine) => {
  let database: TestDatabase;
  let store: EventStore;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = new EventStore(database, registry);
  });
  afterAll(() => database.close());

  const eventCount = async (streamId: string) =>
    (
      await rows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM events WHERE stream_id = ${streamId}`,
      )
    )[0]!.n;

  it('appends with versions and positions, and reads the stream back in order', async () => {
    const first = await store.appendToStream('thing-a', [happened(1), happened(2)], {
      expectedVersion: 'no_stream',
    });
    expect(first.streamVersion).toBe(2);
    const second = await store.appendToStream('thing-a', [happened(3)], { expectedVersion: 2 });
    expect(second.streamVersion).toBe(3);
    const events = await store.readStream('thing-a');
    expect(events.map((e) => [e.version, e.data])).toEqual([
      [1, { n: 1 }],
      [2, { n: 2 }],
      [3, { n: 3 }],
    ]);
    expect(events[2]!.position).toBe(second.position);
    expect(events[0]).toMatchObject({ streamType: 'thing', schemaVersion: 1, metadata: { actor: 'test' } });
    expect(await store.readStream('thing-a', { fromVersion: 2, toVersion: 2 })).toHaveLength(1);
    expect(await store.streamVersion('thing-a')).toBe(3);
    expect(await store.streamVersion('thing-none')).toBe(0);
  });

  it('lets exactly one of 16 concurrent appends with the same expectation win', async () => {
    await store.appendToStream('thing-race', [happened(0)], { expectedVersion: 'no_stream' });
    const attempts = Array.from({ length: 16 }, (_, i) =>
      store.appendToStream('thing-race', [happened(i), happened(i)], { expectedVersion: 1 }),
    );
    const settled = await Promise.allSettled(attempts);
    const won = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [i] : []));
    const lost = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(15);
    for (const error of lost) {
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamId: 'thing-race', expected: 1, actual: 3 });
    }
    const events = await store.readStream('thing-race');
    expect(events.map((e) => e.data)).toEqual([{ n: 0 }, { n: won[0] }, { n: won[0] }]);
  });

  it('rejects a wrong expectation without writing', async () => {
    await expect(
      store.appendToStream('thing-a', [happened(9)], { expectedVersion: 1 }),
    ).rejects.toMatchObject({ name: 'ConcurrencyError', expected: 1, actual: 3 });
    await expect(
      store.appendToStream('thing-a', [happened(9)], { expectedVersion: 'no_stream' }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await eventCount('thing-a')).toBe(3);
  });

  it('appends all events of one call or none', async () => {
    const taken = happened(1);
    await store.appendToStream('thing-other', [taken], { expectedVersion: 'any' });
    await expect(
      store.appendToStream('thing-atomic', [happened(1), { ...taken, data: { n: 2 } }, happened(3)], {
        expectedVersion: 'no_stream',
      }),
    ).rejects.toBeInstanceOf(DuplicateEventError);
    // A value PostgreSQL refuses half way through the batch.
    await expect(
      store.appendToStream(
        'thing-atomic',
        [happened(1), { ...happened(2), data: { s: 'bad \u0000' } }, happened(3)],
        { expectedVersion: 'no_stream' },
      ),
    ).rejects.toThrow();
    expect(await eventCount('thing-atomic')).toBe(0);
    expect(await store.streamVersion('thing-atomic')).toBe(0);
  });

  it('treats a re-sent append as done, and the same id with other content as an error', async () => {
    const batch = [happened(1), happened(2)];
    const original = await store.appendToStream('thing-idem', batch, { expectedVersion: 'no_stream' });
    expect(await store.appendToStream('thing-idem', batch, { expectedVersion: 'no_stream' })).toEqual(
      original,
    );
    expect(await store.appendToStream('thing-idem', batch, { expectedVersion: 'any' })).toEqual(original);
    expect(await eventCount('thing-idem')).toBe(2);
    await expect(
      store.appendToStream('thing-idem', [batch[0]!, { ...batch[1]!, data: { n: 99 } }], {
        expectedVersion: 'no_stream',
      }),
    ).rejects.toBeInstanceOf(DuplicateEventError);
    await expect(
      store.appendToStream('thing-elsewhere', batch, { expectedVersion: 'any' }),
    ).rejects.toMatchObject({ name: 'DuplicateEventError', eventId: batch[0]!.id });
    expect(await eventCount('thing-idem')).toBe(2);
  });

  it('commits single events asked for together in one transaction, each with its own expectation', async () => {
    await store.appendToStream('thing-g1', [happened(0)], { expectedVersion: 'no_stream' });
    await store.appendToStream('thing-g2', [happened(0)], { expectedVersion: 'no_stream' });
    const resent = happened(7);
    const original = await store.appendToStream('thing-g3', [resent], { expectedVersion: 'no_stream' });
    const heard: number[] = [];
    const stop = store.onCommitted(() => heard.push(heard.length));

    const settled = await Promise.allSettled([
      store.appendToStream('thing-g4', [happened(1)], { expectedVersion: 'no_stream' }),
      store.appendToStream('thing-g1', [happened(1)], { expectedVersion: 1 }),
      store.appendToStream('thing-g2', [happened(1)], { expectedVersion: 5 }),
      store.appendToStream('thing-g5', [happened(1)], { expectedVersion: 0 }),
      store.appendToStream('thing-g1', [happened(2)], { expectedVersion: 2 }),
    ]);
    stop();
    const [created, advanced, stale, createdToo, next] = settled;
    expect(stale).toMatchObject({
      status: 'rejected',
      reason: { name: 'ConcurrencyError', streamId: 'thing-g2', expected: 5, actual: 1 },
    });
    const won = [created, advanced, createdToo, next].map((s) =>
      s.status === 'fulfilled' ? s.value : (s.reason as never),
    );
    expect(won.map((r) => r.streamVersion)).toEqual([1, 2, 1, 3]);
    // The first three shared one statement, so one transaction; the second append to
    // thing-g1 waited for the next one.
    const txOf = (position: string) => decodePosition(position).tx;
    expect(new Set(won.slice(0, 3).map((r) => txOf(r.position))).size).toBe(1);
    expect(txOf(won[3]!.position)).not.toBe(txOf(won[0]!.position));
    expect(heard).toHaveLength(4);
    expect(await eventCount('thing-g2')).toBe(1);
    expect((await store.readStream('thing-g1')).map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);

    // A re-sent event fails the shared statement; each append then runs alone, the
    // re-sent one returning its first result and the other committing.
    const [again, fresh] = await Promise.all([
      store.appendToStream('thing-g3', [resent], { expectedVersion: 'no_stream' }),
      store.appendToStream('thing-g6', [happened(1)], { expectedVersion: 'no_stream' }),
    ]);
    expect(again).toEqual(original);
    expect(fresh.streamVersion).toBe(1);
    expect(await eventCount('thing-g3')).toBe(1);
  });

  it('fails only the append the database refuses when it shares a statement, and never hangs on one it cannot send', async () => {
    const settled = await Promise.allSettled([
      store.appendToStream(
        'thing-nul',
        [happened(1), happened(2)].map((e) => ({ ...e, data: { s: 'bad \u0000' } })).slice(0, 1),
        { expectedVersion: 'no_stream' },
      ),
      store.appendToStream('thing-badid', [{ ...happened(1), id: 'not-a-uuid' }], {
        expectedVersion: 'no_stream',
      }),
      store.appendToStream('thing-bigint', [{ ...happened(1), data: { n: 1n } }], {
        expectedVersion: 'no_stream',
      }),
      store.appendToStream('thing-innocent', [happened(1)], { expectedVersion: 'no_stream' }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected', 'fulfilled']);
    expect(settled[3]).toMatchObject({ value: { streamVersion: 1 } });
    for (const stream of ['thing-nul', 'thing-badid', 'thing-bigint'])
      expect(await eventCount(stream)).toBe(0);
  });

  it("appends one event inside a caller's transaction and notifies on its commit", async () => {
    const wakeUps: string[] = [];
    const unlisten = await database.listen(EVENTS_CHANNEL, (payload) => {
      wakeUps.push(payload);
    });
    try {
      const event = happened(1);
      const appended = await database.db.transaction(async (tx) => {
        const result = await store.appendToStream('thing-tx', [event], { expectedVersion: 'no_stream', tx });
        // A wrong expectation inside the transaction leaves it usable.
        await expect(
          store.appendToStream('thing-tx', [happened(2)], { expectedVersion: 0, tx }),
        ).rejects.toMatchObject({ name: 'ConcurrencyError', expected: 0, actual: 1 });
        return result;
      });
      expect(appended.streamVersion).toBe(1);
      for (let i = 0; i < 100 && wakeUps.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(wakeUps.length).toBeGreaterThan(0);
      expect(await store.appendToStream('thing-tx', [event], { expectedVersion: 'no_stream' })).toEqual(
        appended,
      );
      expect(await eventCount('thing-tx')).toBe(1);
    } finally {
      await unlisten();
    }
  });

  it('refuses to write an event type it does not know', async () => {
    await expect(
      store.appendToStream('thing-x', [{ id: randomUUID(), type: 'Nope', data: {} }], {
        expectedVersion: 'any',
      }),
    ).rejects.toBeInstanceOf(UnknownEventTypeError);
  });

  it('upcasts old rows on read and names unknown types and versions', async () => {
    const insert = (stream: string, type: string, version: number, data: unknown) =>
      database.db
        .execute(
          sql`
      INSERT INTO streams (stream_id, stream_type, version) VALUES (${stream}, 'legacy', 1);
      `,
        )
        .then(() =>
          database.db.execute(sql`
      INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)
      VALUES (${randomUUID()}, ${stream}, 'legacy', 1, ${type}, ${version}, ${JSON.stringify(data)}::jsonb, '{}'::jsonb)`),
        );
    await insert('legacy-1', 'ThingRenamed', 1, { old_name: 'first' });
    const [event] = await store.readStream('legacy-1');
    expect(event).toMatchObject({ type: 'ThingRenamed', schemaVersion: 1, data: { name: 'first' } });
    await insert('legacy-2', 'ThingVanished', 1, {});
    await expect(store.readStream('legacy-2')).rejects.toThrow(new UnknownEventTypeError('ThingVanished'));
    await insert('legacy-3', 'ThingRenamed', 7, {});
    await expect(store.readStream('legacy-3')).rejects.toThrow(
      new UnknownEventVersionError('ThingRenamed', 7),
    );
    await database.db.execute(sql`DELETE FROM events WHERE stream_id LIKE 'legacy-%'`);
  });

  it('reads the global feed after a position, and only later events', async () => {
    // The feed's gate is cluster-wide: a transaction another test file holds open on the
    // same server holds it back for a moment. Wait until it shows all that is committed here.
    const [counted] = await rows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM events`);
    const stored = counted!.n;
    let all: StoredEvent[] = [];
    await waitUntil(
      async () => (all = await readAll(database, registry, { limit: 10_000 })).length === stored,
      20_000,
    );
    expect(all.length).toBeGreaterThan(5);
    const middle = all[2]!.position;
    const later = await readAll(database, registry, { after: middle, limit: 10_000 });
    expect(later.map((e) => e.id)).toEqual(all.slice(3).map((e) => e.id));
    expect(await readAll(database, registry, { after: all.at(-1)!.position, limit: 10 })).toEqual([]);
    await expect(readAll(database, registry, { after: 'nonsense', limit: 1 })).rejects.toBeInstanceOf(
      InvalidPositionError,
    );
  });
});
