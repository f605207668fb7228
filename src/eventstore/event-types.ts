import {
  EMAIL_EVENT_SCHEMA_VERSIONS,
  INVENTORY_EVENT_SCHEMA_VERSIONS,
  ORDER_EVENT_SCHEMA_VERSIONS,
  USER_EVENT_SCHEMA_VERSIONS,
  upcastOrderCreatedV1,
  upcastProductDefinedV1,
} from '../domain/index.js';
import { EventTypeRegistry } from './registry.js';

/** Every domain event type with its current schema version and the upcasters of older ones. */
export function createEventTypeRegistry(): EventTypeRegistry {
  return new EventTypeRegistry()
    .registerAll(ORDER_EVENT_SCHEMA_VERSIONS, { OrderCreated: { 1: upcastOrderCreatedV1 } })
    .registerAll(USER_EVENT_SCHEMA_VERSIONS)
    .registerAll(EMAIL_EVENT_SCHEMA_VERSIONS)
    .registerAll(INVENTORY_EVENT_SCHEMA_VERSIONS, { ProductDefined: { 1: upcastProductDefinedV1 } });
}
