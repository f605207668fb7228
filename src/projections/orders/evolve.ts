import { assertNever } from '../../domain/decider.js';
import type { OrderEvent, OrderStatus } from '../../domain/order.js';
import { decodePosition } from '../../eventstore/index.js';
import type { StoredEvent } from '../../eventstore/index.js';

/** An `orders` row as written through jsonb_to_recordset (keys are column names). */
export interface OrderRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  total_cents: number | string;
  payment_method: string | null;
  tracking_number: string | null;
  cancellation_reason: string | null;
  refund_due_cents: number | string;
  version: number;
  created_at: string;
  updated_at: string;
  paid_at: string | null;
  shipped_at: string | null;
  delivered_at: string | null;
  cancelled_at: string | null;
  last_transaction_id: string;
  last_global_position: string;
}

export interface ItemRow {
  order_id: string;
  line_number: number;
  product_id: string;
  quantity: number;
  unit_price_cents: number;
  line_total_cents: number;
}

export interface StatusChangeRow {
  transaction_id: string;
  global_position: string;
  order_id: string;
  user_id: string;
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  occurred_at: string;
}

export interface OrderChange {
  row: OrderRow;
  /** Set by OrderCreated: the order's lines, replacing any earlier ones. */
  items?: ItemRow[];
  /** Absent when the event changed the row but not the status (a refund). */
  history?: StatusChangeRow;
}

const PREFIX = 'order-';

/** The order id is the stream's; later events do not repeat it in their data. */
export function orderIdOf(streamId: string): string {
  return streamId.startsWith(PREFIX) ? streamId.slice(PREFIX.length) : streamId;
}

/**
 * The row after one event: the same transitions as orderDecider.evolve, which the
 * consistency checker holds this to. Returns undefined for an event on an order that was
 * never created (evolve keeps no state for it either).
 */
export function evolveOrderRow(
  current: OrderRow | undefined,
  stored: StoredEvent<OrderEvent>,
): OrderChange | undefined {
  const event = stored;
  const id = orderIdOf(stored.streamId);
  const { tx, pos } = decodePosition(stored.position);
  const stamp = {
    version: stored.version,
    last_transaction_id: tx.toString(),
    last_global_position: pos.toString(),
  };
  const change = (row: OrderRow, at: string, items?: ItemRow[]): OrderChange => ({
    row,
    items,
    history: {
      transaction_id: stamp.last_transaction_id,
      global_position: stamp.last_global_position,
      order_id: id,
      user_id: row.user_id,
      from_status: current?.status ?? null,
      to_status: row.status,
      occurred_at: at,
    },
  });
  if (event.type === 'OrderCreated') {
    const { userId, items, total, createdAt } = event.data;
    const row: OrderRow = {
      id,
      user_id: userId,
      status: 'PENDING',
      total_cents: total,
      payment_method: null,
      tracking_number: null,
      cancellation_reason: null,
      refund_due_cents: 0,
      created_at: createdAt,
      updated_at: createdAt,
      paid_at: null,
      shipped_at: null,
      delivered_at: null,
      cancelled_at: null,
      ...stamp,
    };
    const lines = items.map((item, i) => ({
      order_id: id,
      line_number: i + 1,
      product_id: item.productId,
      quantity: item.quantity,
      unit_price_cents: item.unitPrice,
      line_total_cents: item.unitPrice * item.quantity,
    }));
    return change(row, createdAt, lines);
  }
  if (!current) return undefined;
  switch (event.type) {
    case 'OrderPaid': {
      const { paymentMethod, paidAt } = event.data;
      return change(
        {
          ...current,
          ...stamp,
          status: 'PAID',
          payment_method: paymentMethod,
          paid_at: paidAt,
          updated_at: paidAt,
        },
        paidAt,
      );
    }
    case 'OrderShipped': {
      const { trackingNumber, shippedAt } = event.data;
      return change(
        {
          ...current,
          ...stamp,
          status: 'SHIPPED',
          tracking_number: trackingNumber,
          shipped_at: shippedAt,
          updated_at: shippedAt,
        },
        shippedAt,
      );
    }
    case 'OrderDelivered': {
      const { deliveredAt } = event.data;
      return change(
        { ...current, ...stamp, status: 'DELIVERED', delivered_at: deliveredAt, updated_at: deliveredAt },
        deliveredAt,
      );
    }
    case 'OrderCancelled': {
      const { reason, cancelledAt, refundDue } = event.data;
      return change(
        {
          ...current,
          ...stamp,
          status: 'CANCELLED',
          cancellation_reason: reason,
          cancelled_at: cancelledAt,
          refund_due_cents: refundDue,
          updated_at: cancelledAt,
        },
        cancelledAt,
      );
    }
    case 'OrderPaymentRefunded': {
      const { amount, refundedAt } = event.data;
      const refundDue = Math.max(0, Number(current.refund_due_cents) - amount);
      return { row: { ...current, ...stamp, refund_due_cents: refundDue, updated_at: refundedAt } };
    }
    default:
      return assertNever(event);
  }
}

/** Orders whose first event in this batch is not their creation: their rows must be read. */
export function ordersToLoad(events: readonly StoredEvent[]): string[] {
  const seen = new Set<string>();
  const load: string[] = [];
  for (const event of events) {
    const id = orderIdOf(event.streamId);
    if (seen.has(id)) continue;
    seen.add(id);
    if (event.type !== 'OrderCreated' || event.version > 1) load.push(id);
  }
  return load;
}
