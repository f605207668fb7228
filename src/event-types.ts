import { EVENT_SCHEMA_VERSIONS, EVENT_UPCASTERS, type LedgerEvent } from './domain/index.js';
import { EventTypeRegistry } from './eventstore/index.js';

/**
 * The registry of every domain event type with its current schema version and the
 * upcasters of older ones. Part of the composition root: the store knows no domain.
 */
export function createEventTypeRegistry(): EventTypeRegistry<LedgerEvent> {
  return new EventTypeRegistry<LedgerEvent>().registerAll(EVENT_SCHEMA_VERSIONS, EVENT_UPCASTERS);
}
