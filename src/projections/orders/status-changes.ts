import { ORDER_STATUSES, type OrderStatus } from '../../domain/order.js';
import { decodePosition, type Position } from '../../eventstore/index.js';

/**
 * Sent by the orders projection in the transaction that records a status change; every
 * instance LISTENs on it to push changes to its subscribers.
 */
export const ORDER_STATUS_CHANNEL = 'order_status';

export interface OrderStatusChange {
  orderId: string;
  userId: string;
  /** null for the order's creation. */
  from: OrderStatus | null;
  to: OrderStatus;
  /** Feed position of the event; subscribers resume after it with statusChangesAfter. */
  position: Position;
  occurredAt: string;
}

/** The payload of an ORDER_STATUS_CHANNEL notification, or undefined when it is not one. */
export function parseOrderStatusChange(payload: string): OrderStatusChange | undefined {
  try {
    const value = JSON.parse(payload) as Record<string, unknown>;
    const status = (s: unknown): s is OrderStatus => ORDER_STATUSES.includes(s as OrderStatus);
    const { orderId, userId, from, to, position, occurredAt } = value;
    if (typeof orderId !== 'string' || typeof userId !== 'string' || typeof occurredAt !== 'string')
      return undefined;
    if (!(from === null || status(from)) || !status(to) || typeof position !== 'string') return undefined;
    decodePosition(position);
    return { orderId, userId, from, to, position, occurredAt };
  } catch {
    return undefined;
  }
}
