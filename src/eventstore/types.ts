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

export interface StoredEvent {
  id: string;
  type: string;
  streamId: string;
  streamType: string;
  version: number;
  position: Position;
  /** The version the row was written in; `data` is always upcast to the current shape. */
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata;
  recordedAt: string;
}

export interface AppendResult {
  streamVersion: number;
  /** Position of the last event appended. */
  position: Position;
}
