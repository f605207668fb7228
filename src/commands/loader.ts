import type { Executor } from '../db/connect.js';
import { fold, type Command, type DomainEvent } from '../domain/index.js';
import { readFromSnapshot, type DomainEventShape, type EventStore } from '../eventstore/index.js';
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
  aggregate: Aggregate<Command, DomainEvent, S>,
  streamId: string,
  exec: Executor,
  toVersion?: number,
): Promise<Loaded<S>> {
  const { snapshot, events } = await readFromSnapshot<S, DomainEventShape>(
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
