import type { Executor } from '../db/connect.js';
import { loadFulfilment } from './fulfilment-store.js';
import { notificationsFor } from './notifications.js';

/**
 * What the fulfilment saga shows the API, the database bound in by the composition root
 * (which also checks these against the shapes graphql/ declares for them).
 */
export function sagaReads(exec: Executor) {
  return {
    /** A paid order's saga: its state and steps, and the worker's tries at the current step. */
    async fulfilment(orderId: string) {
      const stored = await loadFulfilment(exec, orderId);
      if (!stored) return undefined;
      const { attempts, lastError, updatedAt } = stored;
      return { ...stored.fulfilment, attempts, lastError, updatedAt };
    },
    /** A customer's latest notifications (at most 100), oldest first. */
    notifications: (userId: string) => notificationsFor(exec, userId),
  };
}
