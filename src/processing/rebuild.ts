import { sql } from 'drizzle-orm';
import type { Database, DedicatedSession } from '../db/connect.js';
import {
  comparePositions,
  countEvents,
  readAll,
  type EventTypeRegistry,
  type Position,
} from '../eventstore/index.js';
import type { Logger } from '../logger.js';
import { runBatch, type Prefetched } from './batch.js';
import { lockCheckpoint, saveCheckpoint } from './checkpoints.js';
import { batchBudgetMs, BatchPacer } from './pacing.js';
import { createCopies, createSecondaryIndexes, dropCopies, servingSchema, swapIn } from './rebuild-tables.js';
import { recordRebuildProgress } from './status-store.js';
import type { Projection } from './types.js';

const REBUILD_LOCK_SPACE = 7_370_003;
const REBUILDING = { rebuilding: true } as const;

export class RebuildInProgressError extends Error {
  readonly code = 'REBUILD_IN_PROGRESS';
  constructor(readonly projection: string) {
    super(`a rebuild of ${projection} is already running`);
    this.name = 'RebuildInProgressError';
  }
}

export interface RebuildProgress {
  projection: string;
  processed: number;
  /** Events in the feed when the rebuild started (grows if the feed outruns it). */
  total: number;
  eventsPerSecond: number;
  position: Position;
}

export interface RebuildOptions {
  database: Database;
  registry: EventTypeRegistry;
  projection: Projection;
  logger: Logger;
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
  /** 0 reports after every batch. */
  progressIntervalMs?: number;
  /** Aborting stops between batches; the serving tables are left as they were. */
  signal?: AbortSignal;
}

export interface RebuildResult {
  processed: number;
  seconds: number;
  position: Position;
}

/**
 * Replays the whole feed into fresh copies of the projection's tables while the serving
 * ones go on answering reads (and the live runner goes on updating them). Once caught up
 * it switches in one transaction under the projection's checkpoint lock: the copies are
 * brought to the live checkpoint, take the serving tables' place, and the old ones are
 * dropped. Anything short of that commit leaves the serving tables as they were.
 */
export async function rebuildProjection(options: RebuildOptions): Promise<RebuildResult> {
  const { database, registry, projection, logger } = options;
  const batchSize = options.batchSize ?? 5_000;
  const schema = `rebuild_${projection.name}`;
  const checkpoint = `${projection.name}:rebuild`;
  const session = await lockRebuild(database, projection.name);
  const started = Date.now();
  try {
    const serving = await servingSchema(database.db, projection.tables[0]!);
    await database.db.transaction(async (tx) => {
      await createCopies(tx, projection.tables, serving, schema);
      await tx.execute(sql`DELETE FROM checkpoints WHERE name = ${checkpoint}`);
    });
    const total = await countEvents(database.db);
    logger.info({ projection: projection.name, total }, 'rebuild started');

    let processed = 0;
    let position: Position = '0:0';
    let reported = 0;
    const report = async (force: boolean) => {
      const now = Date.now();
      if (!force && now - reported < (options.progressIntervalMs ?? 1_000)) return;
      reported = now;
      const seconds = Math.max((now - started) / 1_000, 0.001);
      options.onProgress?.({
        projection: projection.name,
        processed,
        total: Math.max(total, processed),
        eventsPerSecond: processed / seconds,
        position,
      });
      await recordRebuildProgress(database.db, projection.name, position).catch(() => {});
    };
    let indexed = false;
    let prefetched: Prefetched | undefined;
    // On PGlite the serving side waits for every batch: pace them (pacing.ts).
    const pacer = new BatchPacer(batchSize, batchBudgetMs(database));
    for (;;) {
      options.signal?.throwIfAborted();
      const batchStarted = performance.now();
      const result = await runBatch(database, registry, projection, {
        batchSize: pacer.next(),
        checkpoint,
        schema,
        context: REBUILDING,
        prefetched,
        prefetch: database.kind === 'postgres',
      });
      pacer.took(result.read, performance.now() - batchStarted);
      prefetched = result.next;
      processed += result.read;
      position = result.position;
      await report(false);
      if (result.exhausted) {
        if (indexed) break;
        // Caught up: build the other indexes, then catch up once more on what came meanwhile.
        await createSecondaryIndexes(database.db, projection.tables, serving, schema);
        indexed = true;
      }
    }
    options.signal?.throwIfAborted();
    position = await switchTables(options, serving, schema, checkpoint, batchSize);
    await report(true);
    const seconds = (Date.now() - started) / 1_000;
    logger.info({ projection: projection.name, processed, seconds, position }, 'rebuild switched in');
    return { processed, seconds, position };
  } catch (error) {
    await dropCopies(database.db, schema).catch(() => {});
    throw error;
  } finally {
    await recordRebuildProgress(database.db, projection.name, null).catch(() => {});
    await database.db.execute(sql`DELETE FROM checkpoints WHERE name = ${checkpoint}`).catch(() => {});
    await session?.close();
  }
}

async function switchTables(
  options: RebuildOptions,
  serving: string,
  schema: string,
  checkpoint: string,
  batchSize: number,
): Promise<Position> {
  const { database, registry, projection } = options;
  const types = new Set(projection.eventTypes);
  return database.db.transaction(async (tx) => {
    await tx.execute(
      sql`SELECT set_config('search_path', ${schema} || ', ' || current_setting('search_path'), true)`,
    );
    const live = await lockCheckpoint(tx, projection.name);
    let rebuilt = await lockCheckpoint(tx, checkpoint);
    // The live runner may be ahead: apply to the copies what it has applied since.
    while (comparePositions(rebuilt, live) < 0) {
      const events = (await readAll(database, registry, { after: rebuilt, limit: batchSize, tx })).filter(
        (event) => comparePositions(event.position, live) <= 0,
      );
      if (events.length === 0) break;
      const relevant = events.filter((event) => types.has(event.type));
      if (relevant.length > 0) await projection.apply(tx, relevant, REBUILDING);
      rebuilt = events[events.length - 1]!.position;
    }
    const position = comparePositions(rebuilt, live) > 0 ? rebuilt : live;
    await swapIn(tx, projection.tables, serving, schema);
    await saveCheckpoint(tx, projection.name, position);
    return position;
  });
}

/** One rebuild per projection at a time, across processes (PGlite is one process anyway). */
async function lockRebuild(database: Database, name: string): Promise<DedicatedSession | undefined> {
  if (database.kind !== 'postgres') return undefined;
  const session = await database.openSession();
  const [row] = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
    REBUILD_LOCK_SPACE,
    name,
  ]);
  if (!row?.ok) {
    await session.close();
    throw new RebuildInProgressError(name);
  }
  return session;
}
