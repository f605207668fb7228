import type { Command, DomainEvent } from './decider.js';

export const PRODUCT_STREAM_TYPE = 'product';
export const PRODUCT_STATE_SCHEMA_VERSION = 2;

export function productStreamId(productId: string): string {
  return `product-${productId}`;
}

// ── Events ───────────────────────────────────────────────────────────────

/** v2 added `backorders`; a v1 event reads as `false` (upcastProductDefinedV1). */
export type ProductDefined = DomainEvent<
  'ProductDefined',
  { productId: string; name: string; backorders: boolean }
>;
export type StockAdded = DomainEvent<'StockAdded', { quantity: number }>;
export type StockReserved = DomainEvent<'StockReserved', { orderId: string; quantity: number }>;
export type StockReservationRejected = DomainEvent<
  'StockReservationRejected',
  { orderId: string; requested: number; available: number }
>;
/** Short of a product that takes backorders: the order waits for stock, holding none meanwhile. */
export type StockBackordered = DomainEvent<
  'StockBackordered',
  { orderId: string; requested: number; available: number }
>;
export type StockReleased = DomainEvent<'StockReleased', { orderId: string; quantity: number }>;

export type InventoryEvent =
  ProductDefined | StockAdded | StockReserved | StockReservationRejected | StockBackordered | StockReleased;

export const INVENTORY_EVENT_SCHEMA_VERSIONS = {
  ProductDefined: 2,
  StockAdded: 1,
  StockReserved: 1,
  StockReservationRejected: 1,
  StockBackordered: 1,
  StockReleased: 1,
} as const satisfies Record<InventoryEvent['type'], number>;

// ── Commands ─────────────────────────────────────────────────────────────

/** `backorders` (absent = false): when short, an order waits for stock instead of being refused. */
export type DefineProduct = Command<
  'DefineProduct',
  { productId: string; name: string; backorders?: boolean }
>;
export type AddStock = Command<'AddStock', { productId: string; quantity: number }>;
export type ReserveStock = Command<'ReserveStock', { productId: string; orderId: string; quantity: number }>;
export type ReleaseStock = Command<'ReleaseStock', { productId: string; orderId: string }>;

export type InventoryCommand = DefineProduct | AddStock | ReserveStock | ReleaseStock;

export const INVENTORY_COMMAND_TYPES = ['DefineProduct', 'AddStock', 'ReserveStock', 'ReleaseStock'] as const;

// ── State (snapshotted: plain JSON) ──────────────────────────────────────

export interface Product {
  status: 'DEFINED';
  productId: string;
  name: string;
  /** Whether an order short of it waits for stock (StockBackordered) rather than being refused. */
  backorders: boolean;
  /** Every unit ever added; reserved units stay counted here once their order ships. */
  onHand: number;
  /** Units held per order, by order id. */
  reservations: Record<string, number>;
}

export type ProductState = { status: 'NONE' } | Product;

export function reservedOf(product: Product): number {
  return Object.values(product.reservations).reduce((sum, n) => sum + n, 0);
}

export function availableOf(product: Product): number {
  return product.onHand - reservedOf(product);
}
