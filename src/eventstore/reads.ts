import { sql } from 'drizzle-orm';
import { rows, type Executor } from '../db/connect.js';
import { decodePosition, encodePosition, type Position } from './position.js';
import type { EventTypeRegistry } from './registry.js';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from './rows.js';
import type { DomainEventShape, StoredEvent } from './types.js';

// The reads the rest of the code needs beyond appending and following the feed. Each
// takes the caller's executor, so a transaction sees them in its own snapshot.

/** `(transaction_id, global_position) <op> position`, the feed's order. */
function feedOrder(op: '>' | '<=', position: Position) {
  const { tx, pos } = decodePosition(position);
  return sql`(transaction_id, global_position) ${sql.raw(op)} (${tx.toString()}::xid8, ${pos.toString()}::bigint)`;
}

function inList(streamIds: readonly string[]) {
  return sql`(SELECT jsonb_array_elements_text(${JSON.stringify(streamIds)}::jsonb))`;
}

/** The stream's version as it was at a moment: the last event recorded at or before it; 0 if none. */
export async function versionAt(exec: Executor, streamId: string, at: string): Promise<number> {
  const [row] = await rows<{ version: number | null }>(
    exec,
    sql`SELECT max(stream_version) AS version FROM events WHERE stream_id = ${streamId} AND recorded_at <= ${at}::timestamptz`,
  );
  return row?.version ?? 0;
}

/** Up to `limit` stream ids of a stream type after `after`, in id order: for paging over every stream. */
export async function streamIdsOfType(
  exec: Executor,
  streamType: string,
  after: string,
  limit: number,
): Promise<string[]> {
  const found = await rows<{ stream_id: string }>(
    exec,
    sql`SELECT stream_id FROM streams WHERE stream_id > ${after} AND stream_type = ${streamType}
        ORDER BY stream_id LIMIT ${limit}`,
  );
  return found.map((row) => row.stream_id);
}

export interface StreamsRead {
  /** Only the events at or before this feed position. */
  upTo?: Position;
  /** Only events of these types. */
  types?: readonly string[];
}

/** The events of these streams, by stream then version, upcast like every read. */
export async function readStreams<E extends DomainEventShape>(
  exec: Executor,
  registry: EventTypeRegistry<E>,
  streamIds: readonly string[],
  options: StreamsRead = {},
): Promise<StoredEvent<E>[]> {
  if (streamIds.length === 0) return [];
  const found = await rows<EventRow>(
    exec,
    sql`SELECT ${EVENT_COLUMNS} FROM events
        WHERE stream_id IN ${inList(streamIds)}
          ${options.upTo === undefined ? sql`` : sql`AND ${feedOrder('<=', options.upTo)}`}
          ${options.types === undefined ? sql`` : sql`AND event_type IN ${inList(options.types)}`}
        ORDER BY stream_id, stream_version`,
  );
  return found.map((row) => toStoredEvent(row, registry));
}

/** Which of these streams hold an event at or before `upTo`. */
export async function streamsWithEvents(
  exec: Executor,
  streamIds: readonly string[],
  upTo: Position,
): Promise<Set<string>> {
  if (streamIds.length === 0) return new Set();
  const found = await rows<{ stream_id: string }>(
    exec,
    sql`SELECT DISTINCT stream_id FROM events WHERE stream_id IN ${inList(streamIds)} AND ${feedOrder('<=', upTo)}`,
  );
  return new Set(found.map((row) => row.stream_id));
}

/** Whether the stream has an event of one of `types` after `version`. */
export async function hasEventAfter(
  exec: Executor,
  streamId: string,
  version: number,
  types: readonly string[],
): Promise<boolean> {
  const found = await rows(
    exec,
    sql`SELECT 1 FROM events WHERE stream_id = ${streamId} AND stream_version > ${version}
        AND event_type IN ${inList(types)} LIMIT 1`,
  );
  return found.length > 0;
}

/** Every event stored, for a rebuild's progress. */
export async function countEvents(exec: Executor): Promise<number> {
  const [row] = await rows<{ total: number }>(exec, sql`SELECT count(*)::int AS total FROM events`);
  return row?.total ?? 0;
}

/**
 * The position of the first event after `after` in feed order, committed or not yet
 * visible to the gap-free read: where a consumer that stopped there is stuck.
 */
export async function nextPositionAfter(exec: Executor, after: Position): Promise<Position | null> {
  const [row] = await rows<{ tx: string; pos: string }>(
    exec,
    sql`SELECT transaction_id::text AS tx, global_position::text AS pos FROM events
        WHERE ${feedOrder('>', after)} ORDER BY transaction_id, global_position LIMIT 1`,
  );
  return row ? encodePosition(row.tx, row.pos) : null;
}

/** How far a consumer at `position` is behind: events after it, and the age of the first of them. */
export async function lagAfter(
  exec: Executor,
  position: Position,
): Promise<{ eventsBehind: number; secondsBehind: number }> {
  const after = feedOrder('>', position);
  const [row] = await rows<{ behind: number | string; seconds: number | string | null }>(
    exec,
    sql`SELECT (SELECT count(*) FROM events WHERE ${after}) AS behind,
          (SELECT extract(epoch FROM now() - recorded_at) FROM events WHERE ${after}
           ORDER BY transaction_id, global_position LIMIT 1)::float8 AS seconds`,
  );
  return { eventsBehind: Number(row?.behind ?? 0), secondsBehind: Math.max(0, Number(row?.seconds ?? 0)) };
}
