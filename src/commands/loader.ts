import { sql } from 'drizzle-orm';
import { rows, type Executor } from '../db/connect.js';
import { fold } from '../domain/index.js';
import { readFromSnapshot, type EventStore } from '../eventstore/index.js';
import type { Aggregate } from './aggregates.js';

export interface Loaded<S> {
  state: S;
  version: number;
  /** How many events were folded on top of the snapshot (or from the start). */
  eventsRead: number;
  snapshotVersion?: number;
}

/** The state of a stream: the latest usable snapshot, then the events after it. */
export async function loadStream<S>(
  store: EventStore,
  aggregate: Aggregate<any, any, S>,
  streamId: string,
  exec: Executor,
  toVersion?: number,
): Promise<Loaded<S>> {
  const { snapshot, events } = await readFromSnapshot<S>(
    exec,
    store.registry,
    streamId,
    aggregate.stateSchemaVersion,
    toVersion,
  );
  const state = fold(
    aggregate.decider,
    events.map((e) => ({ type: e.type, data: e.data })),
    snapshot?.state,
  );
  return {
    state,
    version: events.at(-1)?.version ?? snapshot?.version ?? 0,
    eventsRead: events.length,
    snapshotVersion: snapshot?.version,
  };
}

/** The stream's version as it was at a moment: the last event recorded at or before it. */
export async function versionAt(exec: Executor, streamId: string, at: string): Promise<number> {
  const [row] = await rows<{ version: number | null }>(
    exec,
    sql`
    SELECT max(stream_version) AS version FROM events WHERE stream_id = ${streamId} AND recorded_at <= ${at}::timestamptz`,
  );
  return row?.version ?? 0;
}
