import { inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/connect.js';
import type { StoredEvent } from '../../eventstore/index.js';
import type { Projection } from '../../processing/index.js';
import { upsert } from '../recordset.js';
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
  const changed = new Set<string>();
  const named: { id: string; name: string }[] = [];
  for (const event of events) {
    const id = productIdOf(event.streamId);
    const row = evolveProductRow(current.get(id), event);
    if (!row) continue;
    current.set(id, row);
    changed.add(id);
    if (event.type === 'ProductDefined') named.push({ id, name: row.name });
  }
  if (changed.size === 0) return;
  await tx.execute(
    upsert(
      products,
      [...changed].map((id) => current.get(id)!),
      'id',
    ),
  );
  if (named.length > 0) {
    // Lines written by the orders projection before the product was projected.
    await tx.execute(sql`
      UPDATE order_items i SET product_name = x.name
      FROM jsonb_to_recordset(${JSON.stringify(named)}::jsonb) AS x(id text, name text)
      WHERE i.product_id = x.id AND i.product_name IS DISTINCT FROM x.name`);
  }
}
