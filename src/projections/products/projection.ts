import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../../db/connect.js';
import type { InventoryEvent } from '../../domain/inventory.js';
import type { StoredEvent } from '../../eventstore/index.js';
import type { Projection } from '../../processing/index.js';

interface ProductRow {
  id: string;
  name: string;
  backorders: boolean;
  on_hand: number;
  reserved: number;
  version: number;
}

const PREFIX = 'product-';

/**
 * products: stock per product (onHand, reserved), and each product's name copied onto
 * the order lines that name it, whichever of the two projections gets there first.
 */
const EVENT_TYPES = ['ProductDefined', 'StockAdded', 'StockReserved', 'StockReleased'] as const;
type ProductEvent = Extract<InventoryEvent, { type: (typeof EVENT_TYPES)[number] }>;

export const productsProjection: Projection<ProductEvent> = {
  name: 'products',
  eventTypes: EVENT_TYPES,
  tables: ['products'],
  apply: applyProductEvents,
};

async function applyProductEvents(tx: Tx, events: StoredEvent<ProductEvent>[]): Promise<void> {
  const ids = [...new Set(events.map((e) => productIdOf(e.streamId)))];
  const found = await rows<ProductRow>(
    tx,
    sql`
    SELECT id, name, backorders, on_hand, reserved, version FROM products
    WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
  );
  const current = new Map(found.map((row) => [row.id, row]));
  const named: { id: string; name: string }[] = [];
  for (const stored of events) {
    const id = productIdOf(stored.streamId);
    const event = stored;
    const before = current.get(id);
    if (event.type === 'ProductDefined') {
      const { name, backorders } = event.data;
      current.set(id, { id, name, backorders, on_hand: 0, reserved: 0, version: stored.version });
      named.push({ id, name: event.data.name });
      continue;
    }
    if (!before) continue;
    current.set(id, { ...evolveStock(before, event), version: stored.version });
  }
  if (current.size === 0) return;
  await tx.execute(sql`
    INSERT INTO products (id, name, backorders, on_hand, reserved, version)
    SELECT id, name, backorders, on_hand, reserved, version
    FROM jsonb_to_recordset(${JSON.stringify([...current.values()])}::jsonb)
      AS x(id text, name text, backorders boolean, on_hand int, reserved int, version int)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, backorders = excluded.backorders, on_hand = excluded.on_hand,
      reserved = excluded.reserved, version = excluded.version`);
  if (named.length > 0) {
    // Lines written by the orders projection before the product was projected.
    await tx.execute(sql`
      UPDATE order_items i SET product_name = x.name
      FROM jsonb_to_recordset(${JSON.stringify(named)}::jsonb) AS x(id text, name text)
      WHERE i.product_id = x.id AND i.product_name IS DISTINCT FROM x.name`);
  }
}

function evolveStock(row: ProductRow, event: InventoryEvent): ProductRow {
  switch (event.type) {
    case 'StockAdded':
      return { ...row, on_hand: row.on_hand + event.data.quantity };
    case 'StockReserved':
      return { ...row, reserved: row.reserved + event.data.quantity };
    case 'StockReleased':
      return { ...row, reserved: row.reserved - event.data.quantity };
    default:
      return row;
  }
}

function productIdOf(streamId: string): string {
  return streamId.startsWith(PREFIX) ? streamId.slice(PREFIX.length) : streamId;
}
