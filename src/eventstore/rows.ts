import { sql } from 'drizzle-orm';
import { toIso } from '../db/time.js';
import { encodePosition } from './position.js';
import type { EventTypeRegistry } from './registry.js';
import type { DomainEventShape, EventMetadata, StoredEvent } from './types.js';

/** Columns of `events` as both drivers return them alike (bigints and xid8 as text). */
export const EVENT_COLUMNS =
  sql.raw(`event_id::text AS event_id, event_type, stream_id, stream_type, stream_version,
  global_position::text AS pos, transaction_id::text AS tx, schema_version, data, metadata, recorded_at`);

export interface EventRow {
  event_id: string;
  event_type: string;
  stream_id: string;
  stream_type: string;
  stream_version: number;
  pos: string;
  tx: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date | string;
}

/** The row upcast to its type's current shape: the one place event data gets its type. */
export function toStoredEvent<E extends DomainEventShape>(
  row: EventRow,
  registry: EventTypeRegistry<E>,
): StoredEvent<E> {
  const event = {
    id: row.event_id,
    type: row.event_type,
    streamId: row.stream_id,
    streamType: row.stream_type,
    version: row.stream_version,
    position: encodePosition(row.tx, row.pos),
    schemaVersion: row.schema_version,
    data: registry.upcast(row.event_type, row.schema_version, row.data),
    metadata: row.metadata,
    recordedAt: toIso(row.recorded_at),
  };
  return event as StoredEvent<E>;
}
