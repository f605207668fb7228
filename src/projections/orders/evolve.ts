import { assertNever, type Order, type OrderEvent } from '../../domain/index.js';
import { decodePosition, type StoredEvent } from '../../eventstore/index.js';
import type { ItemRecord, OrderRecord, StatusChangeRecord } from './table.js';

/** An order line as the projection writes it; its product's name is joined in on write. */
export type ItemLine = Omit<ItemRecord, 'productName'>;

export interface OrderChange {
  row: OrderRecord;
  /** Set by OrderCreated: the order's lines, replacing any earlier ones. */
  items?: ItemLine[];
  /** Absent when the event changed the row but not the status (a refund). */
  history?: StatusChangeRecord;
}

const PREFIX = 'order-';

/** The order id is the stream's; later events do not repeat it in their data. */
export function orderIdOf(streamId: string): string {
  return streamId.startsWith(PREFIX) ? streamId.slice(PREFIX.length) : streamId;
}

/**
 * The row after one event: the same transitions as orderDecider.evolve, which the
 * consistency checker holds this to (through `expectedRow`). Returns undefined for an
 * event on an order that was never created (evolve keeps no state for it either).
 */
export function evolveOrderRow(
  current: OrderRecord | undefined,
  event: StoredEvent<OrderEvent>,
): OrderChange | undefined {
  const id = orderIdOf(event.streamId);
  const { tx, pos } = decodePosition(event.position);
  const stamp = { version: event.version, lastTransactionId: tx.toString(), lastGlobalPosition: pos };
  const change = (row: OrderRecord, at: string, items?: ItemLine[]): OrderChange => ({
    row,
    items,
    history: {
      transactionId: stamp.lastTransactionId,
      globalPosition: pos,
      orderId: id,
      userId: row.userId,
      fromStatus: current?.status ?? null,
      toStatus: row.status,
      occurredAt: at,
    },
  });
  if (event.type === 'OrderCreated') {
    const { userId, items, total, createdAt } = event.data;
    const row: OrderRecord = {
      id,
      userId,
      status: 'PENDING',
      totalCents: total,
      paymentMethod: null,
      trackingNumber: null,
      cancellationReason: null,
      refundDueCents: 0,
      createdAt,
      updatedAt: createdAt,
      paidAt: null,
      shippedAt: null,
      deliveredAt: null,
      cancelledAt: null,
      ...stamp,
    };
    const lines = items.map((item, i) => ({
      orderId: id,
      lineNumber: i + 1,
      productId: item.productId,
      quantity: item.quantity,
      unitPriceCents: item.unitPrice,
      lineTotalCents: item.unitPrice * item.quantity,
    }));
    return change(row, createdAt, lines);
  }
  if (!current) return undefined;
  switch (event.type) {
    case 'OrderPaid': {
      const { paymentMethod, paidAt } = event.data;
      const row = { ...current, ...stamp, status: 'PAID', paymentMethod, paidAt, updatedAt: paidAt } as const;
      return change(row, paidAt);
    }
    case 'OrderShipped': {
      const { trackingNumber, shippedAt } = event.data;
      const row = {
        ...current,
        ...stamp,
        status: 'SHIPPED',
        trackingNumber,
        shippedAt,
        updatedAt: shippedAt,
      } as const;
      return change(row, shippedAt);
    }
    case 'OrderDelivered': {
      const { deliveredAt } = event.data;
      const row = { ...current, ...stamp, status: 'DELIVERED', deliveredAt, updatedAt: deliveredAt } as const;
      return change(row, deliveredAt);
    }
    case 'OrderCancelled': {
      const { reason, cancelledAt, refundDue } = event.data;
      const row = {
        ...current,
        ...stamp,
        status: 'CANCELLED',
        cancellationReason: reason,
        cancelledAt,
        refundDueCents: refundDue,
        updatedAt: cancelledAt,
      } as const;
      return change(row, cancelledAt);
    }
    case 'OrderPaymentRefunded': {
      const { amount, refundedAt } = event.data;
      const refundDueCents = Math.max(0, current.refundDueCents - amount);
      return { row: { ...current, ...stamp, refundDueCents, updatedAt: refundedAt } };
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

/** The columns an order's row must hold given the decider's state: what the checker compares. */
export type ExpectedRow = Pick<
  OrderRecord,
  | 'status'
  | 'userId'
  | 'totalCents'
  | 'paymentMethod'
  | 'trackingNumber'
  | 'cancellationReason'
  | 'refundDueCents'
  | 'version'
>;

/**
 * The one mapping from the decider's state to the row (and its lines): a column the state
 * knows is added here once, and the checker compares it without further code.
 */
export function expectedRow(
  state: Order,
  version: number,
): {
  row: ExpectedRow;
  items: Pick<ItemLine, 'productId' | 'quantity' | 'unitPriceCents' | 'lineTotalCents'>[];
} {
  return {
    row: {
      status: state.status,
      userId: state.userId,
      totalCents: state.total,
      paymentMethod: state.paymentMethod ?? null,
      trackingNumber: state.trackingNumber ?? null,
      cancellationReason: state.cancellationReason ?? null,
      refundDueCents: state.refundDue,
      version,
    },
    items: state.items.map((line) => ({
      productId: line.productId,
      quantity: line.quantity,
      unitPriceCents: line.unitPrice,
      lineTotalCents: line.lineTotal,
    })),
  };
}
