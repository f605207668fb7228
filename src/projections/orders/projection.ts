import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../../db/connect.js';
import { ORDER_EVENT_TYPES, type OrderEvent } from '../../domain/index.js';
import { encodePosition } from '../../eventstore/index.js';
import type { StoredEvent } from '../../eventstore/index.js';
import {
  evolveOrderRow,
  orderIdOf,
  ordersToLoad,
  type ItemRow,
  type OrderRow,
  type StatusChangeRow,
} from './evolve.js';
import { ORDER_STATUS_CHANNEL, type OrderStatusChange } from './status-changes.js';
import type { ApplyContext, Projection } from '../../processing/index.js';

const ORDER_COLUMNS = `id text, user_id text, status text, total_cents bigint, payment_method text, tracking_number text,
  cancellation_reason text, refund_due_cents bigint, version int, created_at timestamptz, updated_at timestamptz,
  paid_at timestamptz, shipped_at timestamptz, delivered_at timestamptz, cancelled_at timestamptz,
  last_transaction_id text, last_global_position bigint`;
const ORDER_NAMES = ORDER_COLUMNS.split(',').map((c) => c.trim().split(' ')[0]!);
const ORDER_SELECT = ORDER_NAMES.map((n) => (n === 'last_transaction_id' ? `${n}::xid8` : n)).join(', ');
const ORDER_UPDATE = ORDER_NAMES.filter((n) => n !== 'id')
  .map((n) => `${n} = excluded.${n}`)
  .join(', ');

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
  const touched = new Map<string, OrderRow>();
  const items = new Map<string, ItemRow[]>();
  const recreated = new Set<string>();
  const history: StatusChangeRow[] = [];
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

async function loadOrders(tx: Tx, ids: string[]): Promise<Map<string, OrderRow>> {
  if (ids.length === 0) return new Map();
  const found = await rows<OrderRow>(
    tx,
    sql`
    SELECT id, user_id, status, total_cents::text AS total_cents, payment_method, tracking_number, cancellation_reason,
      refund_due_cents::text AS refund_due_cents, version, created_at::text AS created_at, updated_at::text AS updated_at,
      paid_at::text AS paid_at, shipped_at::text AS shipped_at, delivered_at::text AS delivered_at,
      cancelled_at::text AS cancelled_at, last_transaction_id::text AS last_transaction_id,
      last_global_position::text AS last_global_position
    FROM orders WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
  );
  return new Map(found.map((row) => [row.id, row]));
}

/**
 * The orders, their lines and their status changes in one statement (one round trip for
 * the batch); live, the changes are announced on ORDER_STATUS_CHANNEL when it commits.
 */
async function writeOrders(
  tx: Tx,
  orders: OrderRow[],
  items: ItemRow[],
  history: StatusChangeRow[],
  announce: boolean,
): Promise<void> {
  const changes = announce
    ? history.map((h) =>
        JSON.stringify({
          orderId: h.order_id,
          userId: h.user_id,
          from: h.from_status,
          to: h.to_status,
          position: encodePosition(h.transaction_id, h.global_position),
          occurredAt: h.occurred_at,
        } satisfies OrderStatusChange),
      )
    : [];
  await tx.execute(sql`
    WITH written AS (
      INSERT INTO orders (${sql.raw(ORDER_NAMES.join(', '))})
      SELECT ${sql.raw(ORDER_SELECT)} FROM jsonb_to_recordset(${JSON.stringify(orders)}::jsonb) AS x(${sql.raw(ORDER_COLUMNS)})
      ON CONFLICT (id) DO UPDATE SET ${sql.raw(ORDER_UPDATE)}
    ),
    lines AS (
      INSERT INTO order_items (order_id, line_number, product_id, product_name, quantity, unit_price_cents, line_total_cents)
      SELECT x.order_id, x.line_number, x.product_id, p.name, x.quantity, x.unit_price_cents, x.line_total_cents
      FROM jsonb_to_recordset(${JSON.stringify(items)}::jsonb) AS x(order_id text, line_number int, product_id text,
        quantity int, unit_price_cents bigint, line_total_cents bigint)
      LEFT JOIN products p ON p.id = x.product_id
    ),
    changed AS (
      INSERT INTO order_status_history (transaction_id, global_position, order_id, user_id, from_status, to_status, occurred_at)
      SELECT transaction_id::xid8, global_position, order_id, user_id, from_status, to_status, occurred_at
      FROM jsonb_to_recordset(${JSON.stringify(history)}::jsonb) AS x(transaction_id text, global_position bigint,
        order_id text, user_id text, from_status text, to_status text, occurred_at timestamptz)
    )
    SELECT count(pg_notify(${ORDER_STATUS_CHANNEL}, change)) FROM (
      SELECT value AS change FROM jsonb_array_elements_text(${JSON.stringify(changes)}::jsonb) WITH ORDINALITY AS c(value, n)
      ORDER BY n OFFSET 0
    ) ordered`);
}
