import type { ExpectedVersion } from './types.js';

export class ConcurrencyError extends Error {
  readonly code = 'CONCURRENCY';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(`stream ${streamId} is at version ${actual}, expected ${expected}`);
    this.name = 'ConcurrencyError';
  }
}

/** An event id that is already stored with other content, or at another place. */
export class DuplicateEventError extends Error {
  readonly code = 'DUPLICATE_EVENT';
  constructor(
    readonly eventId: string,
    detail: string,
  ) {
    super(`event ${eventId} is already stored ${detail}`);
    this.name = 'DuplicateEventError';
  }
}

export class UnknownEventTypeError extends Error {
  readonly code = 'UNKNOWN_EVENT_TYPE';
  constructor(readonly eventType: string) {
    super(`unknown event type "${eventType}"`);
    this.name = 'UnknownEventTypeError';
  }
}

export class UnknownEventVersionError extends Error {
  readonly code = 'UNKNOWN_EVENT_VERSION';
  constructor(
    readonly eventType: string,
    readonly schemaVersion: number,
  ) {
    super(`no upcaster for "${eventType}" schema version ${schemaVersion}`);
    this.name = 'UnknownEventVersionError';
  }
}
