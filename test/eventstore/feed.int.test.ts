import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventStore,
  EventTypeRegistry,
  comparePositions,
  loadSnapshot,
  readAll,
  readFromSnapshot,
  saveSnapshot,
  type StoredEvent,
} from '../../src/eventstore/index.js';
import { followFeed } from '../../src/processing/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';

const registry = new EventTypeRegistry().register('Ticked');
const tick = (n: number) => ({ id: randomUUID(), type: 'Ticked', data: { n } });

describe.each(ENGINES)('global feed on %s', (engine) => {
  let database: TestDatabase;
  let store: EventStore;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = new EventStore(database, registry);
  });
  afterAll(() => database.close());

  it.runIf(engine === 'postgres')('never passes an event whose transaction is still open', async () => {
    let commitA!: () => void;
    const aMayCommit = new Promise<void>((resolve) => {
      commitA = resolve;
    });
    let aAppended!: () => void;
    const aHasAppended = new Promise<void>((resolve) => {
      aAppended = resolve;
    });
    const transactionA = database.db.transaction(async (tx) => {
      await store.appendToStream('tick-a', [tick(1)], { expectedVersion: 'no_stream', tx });
      aAppended();
      await aMayCommit;
    });
    await aHasAppended;
    const b = await store.appendToStream('tick-b', [tick(2)], { expectedVersion: 'no_stream' });

    const whileOpen = await readAll(database, registry, { limit: 100 });
    expect(whileOpen.map((e) => e.streamId)).not.toContain('tick-b');

    commitA();
    await transactionA;
    // The gate is the cluster's oldest running transaction: one in another database (a
    // test file running beside this one) may hold both back a little longer.
    let afterCommit = await readAll(database, registry, { limit: 100 });
    for (let i = 0; i < 200 && afterCommit.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      afterCommit = await readAll(database, registry, { limit: 100 });
    }
    expect(afterCommit.map((e) => e.streamId)).toEqual(['tick-a', 'tick-b']);
    expect(afterCommit[1]!.position).toBe(b.position);
  });

  it('delivers every event exactly once, in feed order, to a follower of 8 concurrent writers', async () => {
    const writers = 8;
    const perWriter = engine === 'postgres' ? 500 : 150;
    const seen: StoredEvent[] = [];
    const start = (await readAll(database, registry, { limit: 100_000 })).at(-1)?.position;
    const subscription = await followFeed(database, registry, {
      after: start,
      handler: (event) => {
        seen.push(event);
      },
      pollIntervalMs: 200,
    });
    const written = new Set<string>();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          const event = tick(i);
          await store.appendToStream(`tick-w${w}-${i}`, [event], { expectedVersion: 'no_stream' });
          written.add(event.id);
        }
      }),
    );
    const deadline = Date.now() + 20_000;
    while (seen.filter((e) => e.streamId.startsWith('tick-w')).length < written.size && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    await subscription.stop();

    // Only this test's streams: events of an earlier test may still have been behind the
    // gate when the follower took its starting point.
    const mine = seen.filter((e) => e.streamId.startsWith('tick-w'));
    expect(mine).toHaveLength(writers * perWriter);
    expect(new Set(mine.map((e) => e.id))).toEqual(written);
    for (let i = 1; i < seen.length; i++) {
      expect(comparePositions(seen[i - 1]!.position, seen[i]!.position)).toBe(-1);
    }
    expect(subscription.position).toBe(seen.at(-1)!.position);
  });

  it('saves and loads snapshots, ignoring one of another schema version', async () => {
    await saveSnapshot(database.db, 'tick-snap', 100, 1, { count: 100 });
    await saveSnapshot(database.db, 'tick-snap', 200, 2, { total: 200 });
    expect(await loadSnapshot(database.db, 'tick-snap', 1)).toEqual({ version: 100, state: { count: 100 } });
    expect(await loadSnapshot(database.db, 'tick-snap', 2)).toEqual({ version: 200, state: { total: 200 } });
    expect(await loadSnapshot(database.db, 'tick-snap', 2, 150)).toBeUndefined();
    expect(await loadSnapshot(database.db, 'tick-snap', 3)).toBeUndefined();
  });

  it('reads a stream from its latest usable snapshot in one statement', async () => {
    await store.appendToStream('tick-from', [1, 2, 3, 4, 5].map(tick), { expectedVersion: 'no_stream' });
    const versions = (r: { events: StoredEvent[] }) => r.events.map((e) => e.version);
    const plain = await readFromSnapshot(database.db, registry, 'tick-from', 1);
    expect([plain.snapshot, versions(plain)]).toEqual([undefined, [1, 2, 3, 4, 5]]);
    await saveSnapshot(database.db, 'tick-from', 3, 1, { upTo: 3 });
    await saveSnapshot(database.db, 'tick-from', 4, 2, { other: 'shape' });
    const fromThree = await readFromSnapshot(database.db, registry, 'tick-from', 1);
    expect([fromThree.snapshot, versions(fromThree)]).toEqual([{ version: 3, state: { upTo: 3 } }, [4, 5]]);
    const capped = await readFromSnapshot(database.db, registry, 'tick-from', 1, 2);
    expect([capped.snapshot, versions(capped)]).toEqual([undefined, [1, 2]]);
    await saveSnapshot(database.db, 'tick-from', 5, 1, { upTo: 5 });
    expect(await readFromSnapshot(database.db, registry, 'tick-from', 1)).toEqual({
      snapshot: { version: 5, state: { upTo: 5 } },
      events: [],
    });
  });
});
