import type { ReadModels } from '../projections/index.js';

/**
 * What resolvers read, the database already bound in (services.ts builds it): the read
 * models' queries, and the fulfilment saga's read side. graphql/ imports nothing from
 * sagas/: it declares here the shapes it shows, and services.ts fails to compile when the
 * saga's no longer fit them.
 */
export interface Reads extends ReadModels {
  /** A paid order's fulfilment; undefined before it is paid (or while the payment is being recorded). */
  fulfilment(orderId: string): Promise<FulfilmentView | undefined>;
  /** A customer's latest notifications (at most 100), oldest first. */
  notifications(userId: string): Promise<NotificationView[]>;
}

/**
 * The saga's states, as the FulfilmentState enum publishes them. A state the saga gains
 * fails to compile in services.ts until it is added here, as the API change it is.
 */
export const FULFILMENT_STATES = [
  'RESERVING',
  'SHIPPING',
  'SHIPPED',
  'COMPENSATING',
  'COMPENSATED',
  'FAILED',
] as const;

export interface FulfilmentStepView {
  name: string;
  state: string;
  at: string | null;
  detail: string | null;
}

/** A fulfilment saga's state and steps, with its worker's tries at the current step. */
export interface FulfilmentView {
  orderId: string;
  state: (typeof FULFILMENT_STATES)[number];
  steps: FulfilmentStepView[];
  reason: string | null;
  trackingNumber: string | null;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
}

/** A row of the notifications outbox. */
export interface NotificationView {
  id: string;
  /** Order of writing; a subscriber's place in the outbox. */
  position: string;
  userId: string;
  orderId: string;
  kind: string;
  message: string;
  createdAt: string;
}
