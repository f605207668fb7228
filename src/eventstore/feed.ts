import { sql } from 'drizzle-orm';
import { rows, type Database, type Executor } from '../db/connect.js';
import { decodePosition, encodePosition, START, type Position } from './position.js';
import type { EventTypeRegistry } from './registry.js';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from './rows.js';
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
