import { assertNever, type InventoryEvent } from '../../domain/index.js';
import type { StoredEvent } from '../../eventstore/index.js';
import type { ProductRecord } from './table.js';

export const PRODUCT_EVENT_TYPES = [
  'ProductDefined',
  'StockAdded',
  'StockReserved',
  'StockReleased',
] as const;
export type ProductEvent = Extract<InventoryEvent, { type: (typeof PRODUCT_EVENT_TYPES)[number] }>;

const PREFIX = 'product-';

export function productIdOf(streamId: string): string {
  return streamId.startsWith(PREFIX) ? streamId.slice(PREFIX.length) : streamId;
}

/**
 * The row after one event: defined with no stock, then units added, reserved and
 * released as inventoryDecider.evolve counts them. Undefined for stock of a product
 * never defined.
 */
export function evolveProductRow(
  current: ProductRecord | undefined,
  event: StoredEvent<ProductEvent>,
): ProductRecord | undefined {
  const version = event.version;
  if (event.type === 'ProductDefined') {
    const { name, backorders } = event.data;
    return { id: productIdOf(event.streamId), name, backorders, onHand: 0, reserved: 0, version };
  }
  if (!current) return undefined;
  switch (event.type) {
    case 'StockAdded':
      return { ...current, version, onHand: current.onHand + event.data.quantity };
    case 'StockReserved':
      return { ...current, version, reserved: current.reserved + event.data.quantity };
    case 'StockReleased':
      return { ...current, version, reserved: current.reserved - event.data.quantity };
    default:
      return assertNever(event);
  }
}
