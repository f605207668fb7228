import { sql } from 'drizzle-orm';
import { rows, type Executor } from '../db/connect.js';
import { fold } from '../domain/index.js';
import { type EventStore } from '../eventstore/index.js';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from '../eventstore/rows.js';
import type { Aggregate } from './aggregates.js';

export interface Loaded<S> {
  state: S;
  version: number;
  /** How many events were folded on top of the snapshot (or from the start). */
  eventsRead: number;
  snapshotVersion?: number;
}

/**
 * The state of a stream: the latest usable snapshot, then the events after it, read in
 * one statement. The snapshot's state rides on the first row only.
 */
export async function loadStream<S>(
  store: EventStore, aggregate: Aggregate<any, any, S>, streamId: string, exec: Executor, toVersion?: number,
): Promise<Loaded<S>> {
  const upTo = toVersion ?? 2_147_483_647;
  const found = await rows<Partial<EventRow> & { snapshot_version: number | null; snapshot_state: unknown }>(exec, sql`
    WITH snap AS (
      SELECT version, state FROM snapshots
      WHERE stream_id = ${streamId} AND schema_version = ${aggregate.stateSchemaVersion} AND version <= ${upTo}
      ORDER BY version DESC LIMIT 1
    )
    SELECT s.version AS snapshot_version,
           CASE WHEN e.stream_version IS NULL OR e.stream_version = s.version + 1 THEN s.state END AS snapshot_state, e.*
    FROM (SELECT 1) AS one
    LEFT JOIN snap s ON true
    LEFT JOIN LATERAL (
      SELECT ${EVENT_COLUMNS} FROM events
      WHERE stream_id = ${streamId} AND stream_version > coalesce(s.version, 0) AND stream_version <= ${upTo}
      ORDER BY stream_version
    ) e ON true
    ORDER BY e.stream_version`);
  const snapshotVersion = found[0]?.snapshot_version ?? undefined;
  const events = found.filter((row) => row.event_id != null).map((row) => toStoredEvent(row as EventRow, store.registry));
  const initial = snapshotVersion === undefined ? undefined : found[0]!.snapshot_state as S;
  const state = fold(aggregate.decider, events.map((e) => ({ type: e.type, data: e.data })), initial);
  return { state, version: events.at(-1)?.version ?? snapshotVersion ?? 0, eventsRead: events.length, snapshotVersion };
}

/** The stream's version as it was at a moment: the last event recorded at or before it. */
export async function versionAt(exec: Executor, streamId: string, at: string): Promise<number> {
  const [row] = await rows<{ version: number | null }>(exec, sql`
    SELECT max(stream_version) AS version FROM events WHERE stream_id = ${streamId} AND recorded_at <= ${at}::timestamptz`);
  return row?.version ?? 0;
}
