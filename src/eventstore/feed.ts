import { sql } from 'drizzle-orm';
import { rows, type Database, type Executor } from '../db/connect.js';
import { decodePosition, encodePosition, START, type Position } from './position.js';
import type { EventTypeRegistry } from './registry.js';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from './rows.js';
import { EVENTS_CHANNEL } from './store.js';
import type { DomainEventShape, StoredEvent } from './types.js';

export interface ReadAllOptions {
  after?: Position;
  limit: number;
  tx?: Executor;
}

/**
 * Reads the global feed in (transaction id, global position) order, and only the part
 * that no running transaction can still add to: an identity value is taken at insert
 * but becomes visible at commit, so without the xmin gate a reader could pass a
 * position whose transaction commits later and never see its events.
 */
export async function readAll<E extends DomainEventShape>(
  database: Database,
  registry: EventTypeRegistry<E>,
  options: ReadAllOptions,
): Promise<StoredEvent<E>[]> {
  const { tx, pos } = decodePosition(options.after ?? START);
  const found = await rows<EventRow>(
    options.tx ?? database.db,
    sql`
    SELECT ${EVENT_COLUMNS} FROM events
    WHERE (transaction_id, global_position) > (${tx.toString()}::xid8, ${pos.toString()}::bigint)
      AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY transaction_id, global_position
    LIMIT ${options.limit}`,
  );
  return found.map((row) => toStoredEvent(row, registry));
}

/** The position of the last event a reader of the feed can see now. */
export async function headPosition(database: Database, exec: Executor = database.db): Promise<Position> {
  const [row] = await rows<{ tx: string; pos: string }>(
    exec,
    sql`
    SELECT transaction_id::text AS tx, global_position::text AS pos FROM events
    WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
  );
  return row ? encodePosition(row.tx, row.pos) : START;
}

export interface SubscribeAllOptions<E extends DomainEventShape> {
  after?: Position;
  /** Called once per event, in feed order; the next is not delivered until it settles. */
  handler: (event: StoredEvent<E>) => Promise<void> | void;
  batchSize?: number;
  pollIntervalMs?: number;
  onError?: (error: unknown) => void;
}

export interface FeedSubscription {
  /** The position of the last event handed to the handler. */
  readonly position: Position;
  stop(): Promise<void>;
}

/**
 * Follows the feed: wakes on the store's notification and also polls, so a lost
 * notification costs latency, never an event. A handler that throws stops at that
 * event and is retried from it after the poll interval.
 */
export async function subscribeAll<E extends DomainEventShape>(
  database: Database,
  registry: EventTypeRegistry<E>,
  options: SubscribeAllOptions<E>,
): Promise<FeedSubscription> {
  const batchSize = options.batchSize ?? 500;
  const pollMs = options.pollIntervalMs ?? 1_000;
  let position = options.after ?? START;
  let stopped = false;
  let wake: (() => void) | undefined;
  let pending = false;
  const signal = () => {
    pending = true;
    wake?.();
  };
  const unlisten = await database.listen(EVENTS_CHANNEL, signal);

  const sleep = () =>
    new Promise<void>((resolve) => {
      if (pending || stopped) return resolve();
      const timer = setTimeout(resolve, pollMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).then(() => {
      wake = undefined;
      pending = false;
    });

  const loop = (async () => {
    while (!stopped) {
      try {
        const batch = await readAll(database, registry, { after: position, limit: batchSize });
        for (const event of batch) {
          if (stopped) return;
          await options.handler(event);
          position = event.position;
        }
        if (batch.length === batchSize) continue;
      } catch (error) {
        if (stopped) return;
        options.onError?.(error);
      }
      await sleep();
    }
  })();

  return {
    get position() {
      return position;
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      await unlisten();
    },
  };
}
