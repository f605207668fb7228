import { and, desc, eq, lte, sql } from 'drizzle-orm';
import { rows, type Executor } from '../db/connect.js';
import { snapshots } from '../db/schema.js';
import type { EventTypeRegistry } from './registry.js';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from './rows.js';
import type { DomainEventShape, StoredEvent } from './types.js';

export interface Snapshot<S> {
  version: number;
  state: S;
}

/** Saves the state of a stream as of `version`, tagged with the state's schema version. */
export async function saveSnapshot<S>(
  exec: Executor,
  streamId: string,
  version: number,
  schemaVersion: number,
  state: S,
): Promise<void> {
  await exec.insert(snapshots).values({ streamId, version, schemaVersion, state }).onConflictDoNothing();
}

/**
 * The latest snapshot at or before `maxVersion` that has the code's schema version;
 * one written by another version of the state is ignored, and the stream is folded instead.
 */
export async function loadSnapshot<S>(
  exec: Executor,
  streamId: string,
  schemaVersion: number,
  maxVersion?: number,
): Promise<Snapshot<S> | undefined> {
  const [row] = await exec
    .select({ version: snapshots.version, state: snapshots.state })
    .from(snapshots)
    .where(
      and(
        eq(snapshots.streamId, streamId),
        eq(snapshots.schemaVersion, schemaVersion),
        maxVersion === undefined ? undefined : lte(snapshots.version, maxVersion),
      ),
    )
    .orderBy(desc(snapshots.version))
    .limit(1);
  return row ? { version: row.version, state: row.state as S } : undefined;
}

/**
 * What loading a stream needs, in one statement: its latest usable snapshot at or before
 * `maxVersion` (as loadSnapshot finds it) and the events after it up to `maxVersion`.
 * The snapshot's state rides on the first row only.
 */
export async function readFromSnapshot<S, E extends DomainEventShape>(
  exec: Executor,
  registry: EventTypeRegistry<E>,
  streamId: string,
  schemaVersion: number,
  maxVersion = 2_147_483_647,
): Promise<{ snapshot: Snapshot<S> | undefined; events: StoredEvent<E>[] }> {
  const found = await rows<Partial<EventRow> & { snapshot_version: number | null; snapshot_state: unknown }>(
    exec,
    sql`
    WITH snap AS (
      SELECT version, state FROM snapshots
      WHERE stream_id = ${streamId} AND schema_version = ${schemaVersion} AND version <= ${maxVersion}
      ORDER BY version DESC LIMIT 1
    )
    SELECT s.version AS snapshot_version,
           CASE WHEN e.stream_version IS NULL OR e.stream_version = s.version + 1 THEN s.state END AS snapshot_state, e.*
    FROM (SELECT 1) AS one
    LEFT JOIN snap s ON true
    LEFT JOIN LATERAL (
      SELECT ${EVENT_COLUMNS} FROM events
      WHERE stream_id = ${streamId} AND stream_version > coalesce(s.version, 0) AND stream_version <= ${maxVersion}
      ORDER BY stream_version
    ) e ON true
    ORDER BY e.stream_version`,
  );
  const first = found[0];
  const snapshot =
    first?.snapshot_version == null
      ? undefined
      : { version: first.snapshot_version, state: first.snapshot_state as S };
  const events = found
    .filter((row) => row.event_id != null)
    .map((row) => toStoredEvent(row as EventRow, registry));
  return { snapshot, events };
}
