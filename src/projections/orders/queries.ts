import { and, asc, desc, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/connect.js';
import { orderItems, orders, orderStatusHistory, type ItemRecord, type OrderRecord } from './table.js';
import type { OrderStatus } from '../../domain/order.js';
import {
  comparePositions,
  decodePosition,
  encodePosition,
  START,
  type Position,
} from '../../eventstore/index.js';
import { toIso } from '../../db/time.js';
import { ORDER_STATUS_CHANNEL, type OrderStatusChange } from './status-changes.js';

// Read helpers over the projected tables; money is integer cents, times ISO-8601 strings.

/** An order as the API reads it: its row, times as ISO-8601, and its feed position in place of the raw stamp. */
export type OrderView = Omit<OrderRecord, 'lastTransactionId' | 'lastGlobalPosition'> & {
  /** Feed position of the last event applied to this order. */
  position: Position;
};

/** An order line as the API reads it. */
export type OrderItemView = ItemRecord;

/** The orders columns that hold a time, found from the table so a new one is normalised too. */
const TIME_COLUMNS = Object.entries(getTableColumns(orders))
  .filter(([, column]) => column.getSQLType().startsWith('timestamp'))
  .map(([key]) => key as keyof OrderRecord);

export function toOrderView(record: OrderRecord): OrderView {
  const { lastTransactionId, lastGlobalPosition, ...row } = record;
  const times = Object.fromEntries(
    TIME_COLUMNS.map((key) => [key, record[key] === null ? null : toIso(record[key] as string)]),
  );
  return { ...row, ...times, position: encodePosition(lastTransactionId, lastGlobalPosition) };
}

export async function getOrder(exec: Executor, id: string): Promise<OrderView | undefined> {
  const [row] = await exec.select().from(orders).where(eq(orders.id, id));
  return row ? toOrderView(row) : undefined;
}

/** Many orders in one query (for a DataLoader); ids not found are absent from the map. */
export async function getOrders(exec: Executor, ids: readonly string[]): Promise<Map<string, OrderView>> {
  if (ids.length === 0) return new Map();
  const found = await exec
    .select()
    .from(orders)
    .where(inArray(orders.id, [...new Set(ids)]));
  return new Map(found.map((row) => [row.id, toOrderView(row)]));
}

/** The lines of many orders in one query; every requested id has an entry, in line order. */
export async function getOrderItems(
  exec: Executor,
  orderIds: readonly string[],
): Promise<Map<string, OrderItemView[]>> {
  const byOrder = new Map<string, OrderItemView[]>(orderIds.map((id) => [id, []]));
  if (orderIds.length === 0) return byOrder;
  const found = await exec
    .select()
    .from(orderItems)
    .where(inArray(orderItems.orderId, [...new Set(orderIds)]))
    .orderBy(asc(orderItems.orderId), asc(orderItems.lineNumber));
  for (const row of found) byOrder.get(row.orderId)?.push({ ...row });
  return byOrder;
}

const historyColumns = {
  orderId: orderStatusHistory.orderId,
  userId: orderStatusHistory.userId,
  from: orderStatusHistory.fromStatus,
  to: orderStatusHistory.toStatus,
  tx: orderStatusHistory.transactionId,
  pos: orderStatusHistory.globalPosition,
  occurredAt: orderStatusHistory.occurredAt,
};

type HistoryRecord = {
  orderId: string;
  userId: string;
  from: string | null;
  to: string;
  tx: string;
  pos: bigint;
  occurredAt: string;
};

function toStatusChange(row: HistoryRecord): OrderStatusChange {
  return {
    orderId: row.orderId,
    userId: row.userId,
    from: row.from as OrderStatus | null,
    to: row.to as OrderStatus,
    position: encodePosition(row.tx, row.pos),
    occurredAt: toIso(row.occurredAt),
  };
}

/** Every status change of an order, oldest first. */
export async function getStatusHistory(exec: Executor, orderId: string): Promise<OrderStatusChange[]> {
  const found = await exec
    .select(historyColumns)
    .from(orderStatusHistory)
    .where(eq(orderStatusHistory.orderId, orderId))
    .orderBy(asc(orderStatusHistory.transactionId), asc(orderStatusHistory.globalPosition));
  return found.map(toStatusChange);
}

export interface StatusChangesFilter {
  orderId?: string;
  userId?: string;
  limit: number;
}

/**
 * Status changes after a position, in feed order: what a subscription that reconnects
 * with the last position it saw replays before it goes live.
 */
export async function statusChangesAfter(
  exec: Executor,
  after: Position,
  filter: StatusChangesFilter,
): Promise<OrderStatusChange[]> {
  const { tx, pos } = decodePosition(after);
  const conditions: SQL[] = [
    sql`(${orderStatusHistory.transactionId}, ${orderStatusHistory.globalPosition}) > (${tx.toString()}::xid8, ${pos.toString()}::bigint)`,
  ];
  if (filter.orderId !== undefined) conditions.push(eq(orderStatusHistory.orderId, filter.orderId));
  if (filter.userId !== undefined) conditions.push(eq(orderStatusHistory.userId, filter.userId));
  const found = await exec
    .select(historyColumns)
    .from(orderStatusHistory)
    .where(and(...conditions))
    .orderBy(asc(orderStatusHistory.transactionId), asc(orderStatusHistory.globalPosition))
    .limit(filter.limit);
  return found.map(toStatusChange);
}

/** The position of the newest status change, or START when there is none: where a live follower begins. */
export async function lastStatusChangePosition(exec: Executor): Promise<Position> {
  const [row] = await exec
    .select({ tx: orderStatusHistory.transactionId, pos: orderStatusHistory.globalPosition })
    .from(orderStatusHistory)
    .orderBy(desc(orderStatusHistory.transactionId), desc(orderStatusHistory.globalPosition))
    .limit(1);
  return row ? encodePosition(row.tx, row.pos) : START;
}

/** order_status_history as the live status hub follows it (a LiveSource; see live/source.ts). */
export function statusChangeSource(database: Database) {
  return {
    what: 'status changes',
    origin: START,
    listen: (wake: () => void) => database.listen(ORDER_STATUS_CHANNEL, wake),
    head: () => lastStatusChangePosition(database.db),
    after: (position: string, limit: number, filter: { orderId?: string; userId?: string } = {}) =>
      statusChangesAfter(database.db, position, { ...filter, limit }),
    positionOf: (change: OrderStatusChange) => change.position,
    compare: comparePositions,
  };
}
