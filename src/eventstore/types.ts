import type { Position } from './position.js';

export type ExpectedVersion = number | 'no_stream' | 'any';

/** Who and what caused an event; flows from the command into every event it produced. */
export interface EventMetadata {
  commandId?: string;
  correlationId?: string;
  causationId?: string;
  actor?: string;
  idempotencyKey?: string;
  requestId?: string;
  [key: string]: unknown;
}

export interface NewEvent {
  /** A uuid chosen by the writer, so that a retried append is recognised. */
  id: string;
  type: string;
  data: unknown;
  metadata?: EventMetadata;
}

/** What the store needs to know of an event type's shape: its name and its data. */
export interface DomainEventShape {
  type: string;
  data: unknown;
}

/** Where and when an event was stored, beside its type and data. */
export interface EventEnvelope {
  id: string;
  streamId: string;
  streamType: string;
  version: number;
  position: Position;
  /** The version the row was written in; `data` is always upcast to the current shape. */
  schemaVersion: number;
  metadata: EventMetadata;
  recordedAt: string;
}

/**
 * A stored event of the union `E`: narrowing on `type` narrows `data`. The registry
 * that read it vouches for the shape (it upcast the row to the current version).
 */
export type StoredEvent<E extends DomainEventShape = DomainEventShape> = E extends DomainEventShape
  ? EventEnvelope & { type: E['type']; data: E['data'] }
  : never;

export interface AppendResult {
  streamVersion: number;
  /** Position of the last event appended. */
  position: Position;
}
