import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventStore,
  EventTypeRegistry,
  START,
  countEvents,
  hasEventAfter,
  lagAfter,
  nextPositionAfter,
  comparePositions,
  readStreams,
  streamIdsOfType,
  streamsWithEvents,
  versionAt,
  type NewEvent,
} from '../../src/eventstore/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';

type ThingEvent = { type: 'ThingMade'; data: { n: number } } | { type: 'ThingBroken'; data: { why: string } };

const registry = new EventTypeRegistry<ThingEvent>().registerAll({ ThingMade: 1, ThingBroken: 1 });
const made = (n: number): NewEvent => ({ id: randomUUID(), type: 'ThingMade', data: { n } });
const broken = (why: string): NewEvent => ({ id: randomUUID(), type: 'ThingBroken', data: { why } });

describe.each(ENGINES)('the event store reads others used to write by hand, on %s', (engine) => {
  let database: TestDatabase;
  let store: EventStore<ThingEvent>;
  const run = randomUUID().slice(0, 8);
  const a = `thing-${run}-a`;
  const b = `thing-${run}-b`;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = new EventStore(database, registry);
  });
  afterAll(() => database.close());

  it('reads several streams by stream then version, up to a position and by type, with typed data', async () => {
    // given two streams, the first written in two appends
    const first = await store.appendToStream(a, [made(1)], {
      expectedVersion: 'no_stream',
      streamType: 'thing',
    });
    await store.appendToStream(b, [made(2), broken('dropped')], {
      expectedVersion: 'no_stream',
      streamType: 'thing',
    });
    await store.appendToStream(a, [broken('bent')], { expectedVersion: 1, streamType: 'thing' });
    // when both are read whole, up to the first append, and by type
    const whole = await readStreams(database.db, registry, [b, a]);
    const early = await readStreams(database.db, registry, [a, b], { upTo: first.position });
    const breaks = await readStreams(database.db, registry, [a, b], { types: ['ThingBroken'] });
    // then each answer holds exactly those events, in stream then version order
    expect(whole.map((e) => [e.streamId, e.version])).toEqual([
      [a, 1],
      [a, 2],
      [b, 1],
      [b, 2],
    ]);
    expect(early.map((e) => [e.streamId, e.version])).toEqual([[a, 1]]);
    const reasons = breaks.map((e) => (e.type === 'ThingBroken' ? e.data.why : `not a break: ${e.type}`));
    expect(reasons).toEqual(['bent', 'dropped']);
    expect(await readStreams(database.db, registry, [])).toEqual([]);
  });

  it('answers which streams exist up to a position and whether a stream moved on after a version', async () => {
    const upToFirst = (await readStreams(database.db, registry, [a]))[0]!.position;
    expect(await streamsWithEvents(database.db, [a, b, `${a}-none`], upToFirst)).toEqual(new Set([a]));
    expect(await hasEventAfter(database.db, a, 1, ['ThingBroken'])).toBe(true);
    expect(await hasEventAfter(database.db, a, 1, ['ThingMade'])).toBe(false);
    expect(await hasEventAfter(database.db, a, 2, ['ThingBroken'])).toBe(false);
  });

  it('pages stream ids of a type, and finds a stream version at a time', async () => {
    const ids = await streamIdsOfType(database.db, 'thing', `thing-${run}`, 10);
    expect(ids).toEqual([a, b]);
    expect(await streamIdsOfType(database.db, 'thing', a, 10)).toEqual([b]);
    expect(await versionAt(database.db, a, '2000-01-01T00:00:00Z')).toBe(0);
    expect(await versionAt(database.db, a, new Date(Date.now() + 60_000).toISOString())).toBe(2);
  });

  it('counts, finds the next position and measures the lag after a position', async () => {
    const total = await countEvents(database.db);
    expect(total).toBeGreaterThanOrEqual(4);
    const next = await nextPositionAfter(database.db, START);
    expect(next).not.toBeNull();
    const lag = await lagAfter(database.db, START);
    expect(lag.eventsBehind).toBe(total);
    expect(lag.secondsBehind).toBeGreaterThanOrEqual(0);
    const last = (await readStreams(database.db, registry, [a])).at(-1)!.position;
    // The last event of this file's own database (the gap-free readAll would wait on any
    // transaction open anywhere in the cluster, which parallel test files hold).
    const head = (await readStreams(database.db, registry, [a, b]))
      .map((e) => e.position)
      .sort(comparePositions)
      .at(-1)!;
    expect(await nextPositionAfter(database.db, head)).toBeNull();
    expect((await lagAfter(database.db, head)).eventsBehind).toBe(0);
    expect((await lagAfter(database.db, last)).eventsBehind).toBeLessThan(total);
  });
});
