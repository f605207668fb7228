import { inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/connect.js';
import { upsert } from '../recordset.js';
import { recommendationOrders } from './table.js';
import type { StoredEvent } from '../../eventstore/index.js';
import { ordersToLoad } from '../orders/evolve.js';
import {
  foldRecommendations,
  RECOMMENDATION_EVENT_TYPES,
  type CountedOrder,
  type PairDelta,
  type RecommendationEvent,
  type UserProductDelta,
} from './fold.js';
import type { Projection } from '../../processing/index.js';

/**
 * product_pairs and user_products: what paid orders bought together and who bought what,
 * with recommendation_orders remembering each order's products until it is paid and for
 * as long as a cancellation or refund may take it back out. A batch is a handful of
 * set-based statements, whatever its size.
 */
export const recommendationsProjection: Projection<RecommendationEvent> = {
  name: 'recommendations',
  eventTypes: RECOMMENDATION_EVENT_TYPES,
  tables: ['recommendation_orders', 'product_pairs', 'user_products'],
  // Eventually consistent: a write's answer must not wait for it (nor for its backfill).
  readYourWrites: false,
  apply: applyRecommendationEvents,
};

async function applyRecommendationEvents(tx: Tx, events: StoredEvent<RecommendationEvent>[]): Promise<void> {
  const changes = foldRecommendations(await loadOrders(tx, ordersToLoad(events)), events);
  if (changes.saved.length > 0) await saveOrders(tx, changes.saved);
  if (changes.removed.length > 0) {
    await tx.execute(sql`DELETE FROM recommendation_orders
      WHERE order_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(changes.removed)}::jsonb))`);
  }
  if (changes.pairs.length > 0) await addPairs(tx, changes.pairs);
  if (changes.userProducts.length > 0) await addUserProducts(tx, changes.userProducts);
}

async function loadOrders(tx: Tx, ids: string[]): Promise<Map<string, CountedOrder>> {
  if (ids.length === 0) return new Map();
  const found = await tx
    .select()
    .from(recommendationOrders)
    .where(inArray(recommendationOrders.orderId, ids));
  return new Map(found.map((row) => [row.orderId, row]));
}

async function saveOrders(tx: Tx, orders: CountedOrder[]): Promise<void> {
  await tx.execute(upsert(recommendationOrders, orders, 'orderId'));
}

// A count that falls to zero is deleted, so "already bought" and "bought together" only
// ever mean orders that still count. The delete is a second statement: one statement
// cannot both update a row and see the update.

const addPairs = (tx: Tx, pairs: PairDelta[]) =>
  addCounts(tx, 'product_pairs', ['product_id', 'other_product_id'], pairs);

const addUserProducts = (tx: Tx, products: UserProductDelta[]) =>
  addCounts(tx, 'user_products', ['user_id', 'product_id'], products);

/** Adds each delta to the count keyed by its two text columns, deleting counts that reach zero. */
async function addCounts<D extends { delta: number }>(
  tx: Tx,
  table: string,
  [a, b]: [keyof D & string, keyof D & string],
  deltas: D[],
): Promise<void> {
  const [t, ka, kb] = [sql.identifier(table), sql.identifier(a), sql.identifier(b)];
  await tx.execute(sql`
    INSERT INTO ${t} (${ka}, ${kb}, count)
    SELECT ${ka}, ${kb}, delta
    FROM jsonb_to_recordset(${JSON.stringify(deltas)}::jsonb) AS x(${ka} text, ${kb} text, delta int)
    ON CONFLICT (${ka}, ${kb}) DO UPDATE SET count = ${t}.count + excluded.count`);
  const falling = deltas.filter((d) => d.delta < 0);
  if (falling.length === 0) return;
  await tx.execute(sql`
    DELETE FROM ${t} c
    USING jsonb_to_recordset(${JSON.stringify(falling)}::jsonb) AS x(${ka} text, ${kb} text)
    WHERE c.${ka} = x.${ka} AND c.${kb} = x.${kb} AND c.count <= 0`);
}
