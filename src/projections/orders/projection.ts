import { inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/connect.js';
import { ORDER_EVENT_TYPES, type OrderEvent } from '../../domain/index.js';
import { encodePosition, type StoredEvent } from '../../eventstore/index.js';
import type { ApplyContext, Projection } from '../../processing/index.js';
import { insert, recordset, upsert } from '../recordset.js';
import { evolveOrderRow, orderIdOf, ordersToLoad, type ItemLine } from './evolve.js';
import { ORDER_STATUS_CHANNEL, type OrderStatusChange } from './status-changes.js';
import {
  orderItems,
  orders as ordersTable,
  orderStatusHistory,
  type OrderRecord,
  type StatusChangeRecord,
} from './table.js';

/** An order line's columns as the projection writes them; product_name is joined in. */
const ITEM_COLUMNS = [
  'orderId',
  'lineNumber',
  'productId',
  'quantity',
  'unitPriceCents',
  'lineTotalCents',
] as const satisfies readonly (keyof ItemLine)[];

/**
 * orders, order_items and order_status_history. A batch is folded in memory per order
 * and written with a handful of set-based statements, whatever its size.
 */
export const ordersProjection: Projection<OrderEvent> = {
  name: 'orders',
  eventTypes: [...ORDER_EVENT_TYPES],
  tables: ['orders', 'order_items', 'order_status_history'],
  apply: applyOrderEvents,
};

async function applyOrderEvents(
  tx: Tx,
  events: StoredEvent<OrderEvent>[],
  context: ApplyContext,
): Promise<void> {
  const current = await loadOrders(tx, ordersToLoad(events));
  const touched = new Map<string, OrderRecord>();
  const items = new Map<string, ItemLine[]>();
  const recreated = new Set<string>();
  const history: StatusChangeRecord[] = [];
  for (const event of events) {
    const id = orderIdOf(event.streamId);
    const before = touched.get(id) ?? current.get(id);
    const change = evolveOrderRow(before, event);
    if (!change) continue;
    if (change.items) {
      if (before || event.version > 1) recreated.add(id);
      items.set(id, change.items);
    }
    touched.set(id, change.row);
    if (change.history) history.push(change.history);
  }
  if (recreated.size > 0) {
    // Before the statement below: its inserts could not see a delete beside them.
    await tx.execute(sql`DELETE FROM order_items
      WHERE order_id IN (SELECT jsonb_array_elements_text(${JSON.stringify([...recreated])}::jsonb))`);
  }
  if (touched.size > 0)
    await writeOrders(tx, [...touched.values()], [...items.values()].flat(), history, !context.rebuilding);
}

async function loadOrders(tx: Tx, ids: string[]): Promise<Map<string, OrderRecord>> {
  if (ids.length === 0) return new Map();
  const found = await tx.select().from(ordersTable).where(inArray(ordersTable.id, ids));
  return new Map(found.map((row) => [row.id, row]));
}

/**
 * The orders, their lines and their status changes in one statement (one round trip for
 * the batch); live, the changes are announced on ORDER_STATUS_CHANNEL when it commits.
 */
async function writeOrders(
  tx: Tx,
  orders: OrderRecord[],
  items: ItemLine[],
  history: StatusChangeRecord[],
  announce: boolean,
): Promise<void> {
  const changes = announce
    ? history.map((h) =>
        JSON.stringify({
          orderId: h.orderId,
          userId: h.userId,
          from: h.fromStatus,
          to: h.toStatus,
          position: encodePosition(h.transactionId, h.globalPosition),
          occurredAt: h.occurredAt,
        } satisfies OrderStatusChange),
      )
    : [];
  const lines = recordset(orderItems, items, ITEM_COLUMNS);
  await tx.execute(sql`
    WITH written AS (${upsert(ordersTable, orders, 'id')}),
    lines AS (
      INSERT INTO order_items (${sql.raw(lines.names.join(', '))}, product_name)
      SELECT ${sql.raw(lines.names.map((n) => `x.${n}`).join(', '))}, p.name FROM ${lines.from}
      LEFT JOIN products p ON p.id = x.product_id
    ),
    changed AS (${insert(orderStatusHistory, history)})
    SELECT count(pg_notify(${ORDER_STATUS_CHANNEL}, change)) FROM (
      SELECT value AS change FROM jsonb_array_elements_text(${JSON.stringify(changes)}::jsonb) WITH ORDINALITY AS c(value, n)
      ORDER BY n OFFSET 0
    ) ordered`);
}
