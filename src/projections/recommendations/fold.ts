import type { recommendationOrders } from './table.js';
import { assertNever } from '../../domain/decider.js';
import type { OrderEvent } from '../../domain/order.js';
import type { StoredEvent } from '../../eventstore/index.js';
import { orderIdOf } from '../orders/evolve.js';

/** A `recommendation_orders` row as written through jsonb_to_recordset. */
/** A recommendation_orders row: the table declares its columns once. */
export type CountedOrder = typeof recommendationOrders.$inferSelect;

export interface PairDelta {
  product_id: string;
  other_product_id: string;
  delta: number;
}
export interface UserProductDelta {
  user_id: string;
  product_id: string;
  delta: number;
}

export interface RecommendationChanges {
  saved: CountedOrder[];
  /** Orders taken back out (or that will never count): their rows go. */
  removed: string[];
  pairs: PairDelta[];
  userProducts: UserProductDelta[];
}

export const RECOMMENDATION_EVENT_TYPES = [
  'OrderCreated',
  'OrderPaid',
  'OrderCancelled',
  'OrderPaymentRefunded',
] as const satisfies readonly OrderEvent['type'][];

export type RecommendationEvent = Extract<OrderEvent, { type: (typeof RECOMMENDATION_EVENT_TYPES)[number] }>;

const SEPARATOR = '\u0000';

/**
 * Pairs are counted among the first 20 distinct products of an order, in the order its
 * lines first list them; what the user bought counts every product. An order of n
 * products would otherwise write n·(n−1) pair counts (9,900 for 100 lines, and as many
 * to take back out): the bound holds one order's pair work, and the rows and WAL it
 * writes, to at most 380 whatever its size, while what the user bought stays linear.
 * A row's `productIds` keeps that order, so taking an order back out subtracts exactly
 * the pairs it added.
 */
export const MAX_PAIRED_PRODUCTS = 20;

/**
 * Folds a batch into the rows to save and the count deltas to add, from the orders the
 * batch's events found already stored. An order counts once paid, and is taken back out
 * when cancelled or once its whole payment is refunded (a partial refund leaves the
 * products bought). Deltas are summed per key, so each key is written once whatever the
 * batch holds; keys that net to zero are left out.
 */
export function foldRecommendations(
  stored: ReadonlyMap<string, CountedOrder>,
  events: readonly StoredEvent<RecommendationEvent>[],
): RecommendationChanges {
  const orders = new Map<string, CountedOrder | null>(stored);
  const touched = new Set<string>();
  const pairs = new Map<string, number>();
  const userProducts = new Map<string, number>();
  const count = (order: CountedOrder, delta: number) => {
    for (const product of order.productIds) add(userProducts, `${order.userId}${SEPARATOR}${product}`, delta);
    const paired = order.productIds.slice(0, MAX_PAIRED_PRODUCTS);
    for (const product of paired) {
      for (const other of paired) {
        if (other !== product) add(pairs, `${product}${SEPARATOR}${other}`, delta);
      }
    }
  };
  const takeOut = (id: string, order: CountedOrder) => {
    if (order.counted) count(order, -1);
    orders.set(id, null);
  };
  for (const stored of events) {
    const event = stored;
    const id = orderIdOf(stored.streamId);
    const order = orders.get(id) ?? null;
    switch (event.type) {
      case 'OrderCreated': {
        if (order) takeOut(id, order);
        const products = [...new Set(event.data.items.map((item) => item.productId))];
        orders.set(id, {
          orderId: id,
          userId: event.data.userId,
          productIds: products,
          counted: false,
          unrefundedCents: event.data.total,
        });
        break;
      }
      case 'OrderPaid':
        if (!order || order.counted) continue;
        count(order, 1);
        orders.set(id, { ...order, counted: true });
        break;
      case 'OrderCancelled':
        if (!order) continue;
        takeOut(id, order);
        break;
      case 'OrderPaymentRefunded': {
        if (!order) continue;
        const unrefunded = order.unrefundedCents - event.data.amount;
        if (unrefunded > 0) orders.set(id, { ...order, unrefundedCents: unrefunded });
        else takeOut(id, order);
        break;
      }
      default:
        return assertNever(event);
    }
    touched.add(id);
  }
  const saved: CountedOrder[] = [];
  const removed: string[] = [];
  for (const id of touched) {
    const order = orders.get(id);
    if (order) saved.push(order);
    else removed.push(id);
  }
  return {
    saved,
    removed,
    pairs: deltas(pairs).map(([[product_id, other_product_id], delta]) => ({
      product_id,
      other_product_id,
      delta,
    })),
    userProducts: deltas(userProducts).map(([[user_id, product_id], delta]) => ({
      user_id,
      product_id,
      delta,
    })),
  };
}

function add(deltas: Map<string, number>, key: string, delta: number): void {
  deltas.set(key, (deltas.get(key) ?? 0) + delta);
}

function deltas(byKey: Map<string, number>): [[string, string], number][] {
  const found: [[string, string], number][] = [];
  for (const [key, delta] of byKey) {
    if (delta === 0) continue;
    const [a = '', b = ''] = key.split(SEPARATOR);
    found.push([[a, b], delta]);
  }
  return found;
}
