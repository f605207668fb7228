import type { Cents } from '../domain/money.js';

export const FULFILMENT_STATES = [
  'RESERVING',
  'SHIPPING',
  'SHIPPED',
  'COMPENSATING',
  'COMPENSATED',
  'FAILED',
] as const;
export type FulfilmentState = (typeof FULFILMENT_STATES)[number];

export const TERMINAL_STATES: readonly FulfilmentState[] = ['SHIPPED', 'COMPENSATED', 'FAILED'];

/** WAITING: a reserve step short of a product that takes backorders, until stock comes in. */
export type StepState = 'PENDING' | 'WAITING' | 'DONE' | 'REJECTED' | 'SKIPPED' | 'FAILED';

export interface FulfilmentStep {
  /** `reserve:<productId>`, `ship`, `notify`, `release:<productId>`, `cancel`, `refund`. */
  name: string;
  state: StepState;
  /** When it reached its state; null while pending. */
  at: string | null;
  detail: string | null;
  /**
   * A reserve step tried again after waiting: its try number (from 2), part of its command
   * id, since the first id would only return the answer stored for it. Absent on a first try.
   */
  attempt?: number;
}

export interface FulfilmentLine {
  productId: string;
  quantity: number;
}

/** The saga's state for one paid order: plain JSON, stored as the `fulfilments` row. */
export interface Fulfilment {
  orderId: string;
  userId: string;
  state: FulfilmentState;
  amount: Cents;
  lines: FulfilmentLine[];
  steps: FulfilmentStep[];
  /** Why it is compensating (e.g. `out of stock: prod-2`). */
  reason: string | null;
  trackingNumber: string | null;
}

/**
 * What the saga learns, in the order it learns it: from the feed (the order's and the
 * products' events), or from its worker for outcomes that write no event.
 */
export type FulfilmentFact =
  | { type: 'StockReserved'; productId: string; quantity: number; at: string }
  | { type: 'StockReservationRejected'; productId: string; requested: number; available: number; at: string }
  | { type: 'StockBackordered'; productId: string; requested: number; available: number; at: string }
  | { type: 'Restocked'; productId: string; at: string }
  | { type: 'StockReleased'; productId: string; quantity: number; at: string }
  | { type: 'ProductNotManaged'; productId: string; at: string }
  | { type: 'ShipmentBooked'; trackingNumber: string; at: string }
  | { type: 'OrderShipped'; trackingNumber: string; at: string }
  | { type: 'OrderCancelled'; reason: string; at: string }
  | { type: 'OrderPaymentRefunded'; amount: Cents; at: string }
  | { type: 'StepFailed'; step: string; error: string; at: string }
  | { type: 'CustomerNotified'; kind: NotificationKind; at: string };

export type NotificationKind = 'shipped' | 'compensated';

/** The worker's next move: a command (its id derived from order and step), or a carrier booking. */
export type FulfilmentAction =
  { kind: 'command'; step: string; commandId: string; command: SagaCommand } | { kind: 'book'; step: string };

export type SagaCommand =
  | { type: 'ReserveStock'; data: { productId: string; orderId: string; quantity: number } }
  | { type: 'ReleaseStock'; data: { productId: string; orderId: string } }
  | { type: 'ShipOrder'; data: { orderId: string; trackingNumber: string } }
  | { type: 'CancelOrder'; data: { orderId: string; reason: string } }
  | { type: 'RefundPayment'; data: { orderId: string; amount: Cents; reason: string } };
