import type { Tx } from '../db/connect.js';
import type { Position } from '../eventstore/index.js';
import type { DomainEventShape, StoredEvent } from '../eventstore/index.js';

export interface ApplyContext {
  /** Replaying history into fresh tables: nothing is announced to subscribers. */
  readonly rebuilding: boolean;
}

/**
 * A read model: the event types it reads and an evolve over its rows, applied a batch at
 * a time inside the transaction that also moves its checkpoint.
 */
export interface Projection<E extends DomainEventShape = DomainEventShape> {
  readonly name: string;
  /** The event types `apply` is given; the feed's other events only move the checkpoint. */
  readonly eventTypes: readonly E['type'][];
  /**
   * The tables only this projection writes. A rebuild fills fresh copies of them, so
   * `apply` must name them unqualified: the rebuild puts its own schema first on the
   * transaction's search_path.
   */
  readonly tables: readonly string[];
  /**
   * false: an eventually consistent read model that mutations' read-your-writes and
   * `consistentWith` do not wait for, so its backfill never holds up a write's answer.
   */
  readonly readYourWrites?: boolean;
  /** `events` are in feed order and all of `eventTypes`; the batch commits or not as one. */
  apply(tx: Tx, events: StoredEvent<E>[], context: ApplyContext): Promise<void>;
}

export type ProjectionState = 'running' | 'catching_up' | 'failing' | 'rebuilding' | 'standby' | 'stopped';

export interface ProjectionError {
  message: string;
  /** The event it stopped at; null when the feed itself could not be read. */
  position: Position | null;
  at: string;
}

export interface ProjectionStatus {
  name: string;
  /** The checkpoint: the last event applied (or passed over as not of its types). */
  position: Position;
  eventsBehind: number;
  /** Age of the oldest event not yet applied; 0 when caught up. */
  secondsBehind: number;
  state: ProjectionState;
  lastError: ProjectionError | null;
}
