import { EMAIL_EVENT_SCHEMA_VERSIONS, type EmailReservationEvent } from './email-reservation.js';
import { INVENTORY_EVENT_SCHEMA_VERSIONS, type InventoryEvent } from './inventory-types.js';
import { upcastProductDefinedV1 } from './inventory-upcasters.js';
import { ORDER_EVENT_SCHEMA_VERSIONS, type OrderEvent } from './order-types.js';
import { upcastOrderCreatedV1 } from './order-upcasters.js';
import { USER_EVENT_SCHEMA_VERSIONS, type UserEvent } from './user.js';

/** Every event Ledgerline stores. */
export type LedgerEvent = OrderEvent | UserEvent | EmailReservationEvent | InventoryEvent;

/** Each event type's current schema version; a new type fails to compile until listed. */
export const EVENT_SCHEMA_VERSIONS = {
  ...ORDER_EVENT_SCHEMA_VERSIONS,
  ...USER_EVENT_SCHEMA_VERSIONS,
  ...EMAIL_EVENT_SCHEMA_VERSIONS,
  ...INVENTORY_EVENT_SCHEMA_VERSIONS,
} as const satisfies Record<LedgerEvent['type'], number>;

/** For each event type with older versions: data of version N → version N + 1. */
export const EVENT_UPCASTERS: Partial<
  Record<LedgerEvent['type'], Record<number, (data: unknown) => unknown>>
> = {
  OrderCreated: { 1: upcastOrderCreatedV1 },
  ProductDefined: { 1: upcastProductDefinedV1 },
};

function typeSet<E extends { type: string }>(versions: Record<E['type'], number>): ReadonlySet<E['type']> {
  return new Set(Object.keys(versions) as E['type'][]);
}

export const ORDER_EVENT_TYPES = typeSet<OrderEvent>(ORDER_EVENT_SCHEMA_VERSIONS);
export const USER_EVENT_TYPES = typeSet<UserEvent>(USER_EVENT_SCHEMA_VERSIONS);

/** Narrows an event (stored or not) to the members of its union whose type is in `types`. */
export function hasTypeIn<E extends { type: string }, T extends string>(
  types: ReadonlySet<T>,
  event: E,
): event is Extract<E, { type: T }> {
  return types.has(event.type as T);
}
