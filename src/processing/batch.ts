import { sql } from 'drizzle-orm';
import type { Database } from '../db/connect.js';
import { readAll } from '../eventstore/index.js';
import type { Position } from '../eventstore/index.js';
import type { EventTypeRegistry } from '../eventstore/index.js';
import type { StoredEvent } from '../eventstore/index.js';
import { lockCheckpoint, saveCheckpoint } from './checkpoints.js';
import { clearFailure } from './status-store.js';
import type { ApplyContext, Projection } from './types.js';

/** The feed after `after`, read ahead on another connection while the previous batch was applied. */
export interface Prefetched {
  after: Position;
  events: Promise<StoredEvent[] | undefined>;
  /** Read in this very batch rather than ahead during the last, so a short read means caught up. */
  fresh?: boolean;
}

export interface BatchOptions {
  batchSize: number;
  /** The checkpoint row to read and move; the projection's name unless rebuilding. */
  checkpoint?: string;
  /** A schema holding fresh copies of the projection's tables, written instead of the serving ones. */
  schema?: string;
  context?: ApplyContext;
  /** Clears the recorded failure in the same transaction (the first success after one). */
  clearFailure?: boolean;
  /** Used when the checkpoint turns out to be where it was read from. */
  prefetched?: Prefetched;
  /** Read the next batch while this one is applied (PostgreSQL: it overlaps the two). */
  prefetch?: boolean;
  /** Where the caller's last batch left the checkpoint, if it knows. */
  from?: Position;
}

export interface BatchResult {
  /** Events read from the feed, whether of the projection's types or not. */
  read: number;
  applied: number;
  position: Position;
  /** True when the feed had fewer visible events than a batch: caught up for now. */
  exhausted: boolean;
  next?: Prefetched;
}

const LIVE: ApplyContext = { rebuilding: false };

/**
 * One transaction: lock the checkpoint, read the feed after it, apply the events of the
 * projection's types, move the checkpoint past everything read. A crash anywhere leaves
 * tables and checkpoint as they were together.
 *
 * A read-ahead is safe to use: the feed only shows events below every running
 * transaction, so what it returned after a position is all there will ever be there.
 */
export async function runBatch(
  database: Database,
  registry: EventTypeRegistry,
  projection: Projection,
  options: BatchOptions,
): Promise<BatchResult> {
  const quick =
    options.from !== undefined && !options.schema && !options.clearFailure
      ? await withoutTransaction(database, registry, projection, { ...options, from: options.from })
      : undefined;
  if (quick && 'result' in quick) return quick.result;
  return inTransaction(database, registry, projection, {
    ...options,
    prefetched: quick?.read ?? options.prefetched,
  });
}

/**
 * From a known checkpoint, most wake-ups need no transaction: the feed after it is empty,
 * or holds none of the projection's events, so moving the checkpoint past them is one
 * compare-and-set. Otherwise what was read serves the transaction as a read-ahead.
 */
async function withoutTransaction(
  database: Database,
  registry: EventTypeRegistry,
  projection: Projection,
  options: BatchOptions & { from: Position },
): Promise<{ result: BatchResult } | { read: Prefetched } | undefined> {
  const { from, batchSize } = options;
  // A read-ahead that found nothing was read before this wake-up: read again.
  const readAheadEvents = options.prefetched?.after === from ? await options.prefetched.events : undefined;
  const ahead = readAheadEvents && readAheadEvents.length > 0 ? readAheadEvents : undefined;
  const events = ahead ?? (await readTogether(database, registry, from, batchSize));
  if (events.length === 0) return { result: { read: 0, applied: 0, position: from, exhausted: true } };
  const read: Prefetched = { after: from, events: Promise.resolve(events), fresh: ahead === undefined };
  if (events.some((event) => projection.eventTypes.includes(event.type))) return { read };
  const position = events[events.length - 1]!.position;
  if (!(await saveCheckpoint(database.db, options.checkpoint ?? projection.name, position, from)))
    return undefined;
  const exhausted = ahead === undefined && events.length < batchSize;
  const next =
    options.prefetch && !exhausted ? readAhead(database, registry, position, batchSize) : undefined;
  return { result: { read: events.length, applied: 0, position, exhausted, next } };
}

/**
 * One transaction: lock the checkpoint, read the feed after it, apply the events of the
 * projection's types, move the checkpoint past everything read. A crash anywhere leaves
 * tables and checkpoint as they were together.
 *
 * A read-ahead is safe to use: the feed only shows events below every running
 * transaction, so what it returned after a position is all there will ever be there.
 */
async function inTransaction(
  database: Database,
  registry: EventTypeRegistry,
  projection: Projection,
  options: BatchOptions,
): Promise<BatchResult> {
  const name = options.checkpoint ?? projection.name;
  const types = new Set(projection.eventTypes);
  return database.db.transaction(async (tx) => {
    if (options.schema) {
      await tx.execute(
        sql`SELECT set_config('search_path', ${options.schema} || ', ' || current_setting('search_path'), true)`,
      );
    }
    const from = await lockCheckpoint(tx, name);
    const ahead = options.prefetched?.after === from ? await options.prefetched.events : undefined;
    const events =
      ahead && ahead.length > 0
        ? ahead
        : await readAll(database, registry, { after: from, limit: options.batchSize, tx });
    const exhausted =
      ahead === events && !options.prefetched?.fresh ? false : events.length < options.batchSize;
    if (events.length === 0) return { read: 0, applied: 0, position: from, exhausted };
    const position = events[events.length - 1]!.position;
    const next =
      options.prefetch && !exhausted ? readAhead(database, registry, position, options.batchSize) : undefined;
    const relevant = events.filter((event) => types.has(event.type));
    if (relevant.length > 0) await projection.apply(tx, relevant, options.context ?? LIVE);
    await saveCheckpoint(tx, name, position);
    if (options.clearFailure) await clearFailure(tx, projection.name);
    return { read: events.length, applied: relevant.length, position, exhausted, next };
  });
}

const together = new WeakMap<Database, WeakMap<EventTypeRegistry, Map<string, Promise<StoredEvent[]>>>>();

/**
 * One notification wakes every projection at once, and in step they all ask for the
 * same events: reads from the same position asked within one turn of the event loop
 * share a query (and the decoding of its rows). The events are shared; projections only
 * read them. A wake-up ends the sharing (see newEventsAnnounced): a runner woken by a
 * notification must not join a read sent before it, which may predate the new events.
 */
/** New events were announced: reads sent before now are not shared any more. */
export function newEventsAnnounced(database: Database): void {
  together.delete(database);
}

function readTogether(
  database: Database,
  registry: EventTypeRegistry,
  after: Position,
  limit: number,
): Promise<StoredEvent[]> {
  let byRegistry = together.get(database);
  if (!byRegistry) together.set(database, (byRegistry = new WeakMap()));
  let reads = byRegistry.get(registry);
  if (!reads) byRegistry.set(registry, (reads = new Map()));
  const key = `${after}/${limit}`;
  let read = reads.get(key);
  if (!read) {
    const pending = reads;
    read = readAll(database, registry, { after, limit });
    pending.set(key, read);
    setImmediate(() => pending.delete(key));
  }
  return read;
}

function readAhead(
  database: Database,
  registry: EventTypeRegistry,
  after: Position,
  limit: number,
): Prefetched {
  // A failed read-ahead only means the next batch reads for itself.
  const events = readAll(database, registry, { after, limit }).catch(() => undefined);
  return { after, events };
}
