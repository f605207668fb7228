import { inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/connect.js';
import type { StoredEvent } from '../../eventstore/index.js';
import type { Projection } from '../../processing/index.js';
import { evolveRows, upsert } from '../recordset.js';
import { evolveProductRow, PRODUCT_EVENT_TYPES, productIdOf, type ProductEvent } from './evolve.js';
import { products } from './table.js';

/**
 * products: stock per product (onHand, reserved), and each product's name copied onto
 * the order lines that name it, whichever of the two projections gets there first.
 */
export const productsProjection: Projection<ProductEvent> = {
  name: 'products',
  eventTypes: PRODUCT_EVENT_TYPES,
  tables: ['products'],
  apply: applyProductEvents,
};

async function applyProductEvents(tx: Tx, events: StoredEvent<ProductEvent>[]): Promise<void> {
  const ids = [...new Set(events.map((e) => productIdOf(e.streamId)))];
  const found = await tx.select().from(products).where(inArray(products.id, ids));
  const current = new Map(found.map((row) => [row.id, row]));
  const changed = evolveRows(current, events, (e) => productIdOf(e.streamId), evolveProductRow);
  if (changed.length === 0) return;
  await tx.execute(upsert(products, changed, 'id'));
  const named = events
    .filter((e) => e.type === 'ProductDefined')
    .map((e) => ({ id: productIdOf(e.streamId), name: e.data.name }));
  if (named.length > 0) {
    // Lines written by the orders projection before the product was projected.
    await tx.execute(sql`
      UPDATE order_items i SET product_name = x.name
      FROM jsonb_to_recordset(${JSON.stringify(named)}::jsonb) AS x(id text, name text)
      WHERE i.product_id = x.id AND i.product_name IS DISTINCT FROM x.name`);
  }
}
