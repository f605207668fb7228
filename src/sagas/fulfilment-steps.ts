import type { CommandHandler } from '../commands/index.js';
import type { Database } from '../db/connect.js';
import { DomainError, InvalidStateError, NotStockManagedError } from '../domain/index.js';
import type { Carrier } from './carrier.js';
import type { Fulfilment, FulfilmentAction, FulfilmentFact } from './fulfilment.js';
import { recordFacts } from './fulfilment-store.js';

export interface StepDeps {
  database: Database;
  commands: CommandHandler;
  carrier: Carrier;
}

/** How a performed step is counted (the saga-steps metric); one that throws counts as `failed`. */
export type StepOutcome = 'ok' | 'not_stock_managed';

/** What a step came to: how it counts, and 'stop' when the rest of this pass's actions are moot (a rejection). */
export interface StepResult {
  outcome: StepOutcome;
  then: 'next' | 'stop';
}

const NEXT: StepResult = { outcome: 'ok', then: 'next' };
const STOP: StepResult = { outcome: 'ok', then: 'stop' };

export async function performStep(
  deps: StepDeps,
  f: Fulfilment,
  action: FulfilmentAction,
): Promise<StepResult> {
  const at = new Date().toISOString();
  if (action.kind === 'book') {
    const { trackingNumber } = await deps.carrier.book(f.orderId, f.lines);
    await recordFact(deps.database, f.orderId, { type: 'ShipmentBooked', trackingNumber, at });
    return NEXT;
  }
  const metadata = {
    commandId: action.commandId,
    correlationId: `fulfil:${f.orderId}`,
    actor: 'saga:fulfilment',
    now: at,
  };
  try {
    const result = await deps.commands.handle({ ...action.command, metadata });
    return result.events.some((e) => e.type === 'StockReservationRejected') ? STOP : NEXT;
  } catch (error) {
    const { command } = action;
    // Reserving a product that was never defined: it is not stock-managed, nothing to hold.
    // Not an error of the saga's, so not counted as one.
    if (error instanceof NotStockManagedError) {
      await recordFact(deps.database, f.orderId, {
        type: 'ProductNotManaged',
        productId: error.productId,
        at,
      });
      return { outcome: 'not_stock_managed', then: 'next' };
    }
    // Shipped by someone else meanwhile: the OrderShipped fact is on its way and settles the saga.
    if (
      command.type === 'ShipOrder' &&
      error instanceof InvalidStateError &&
      ['SHIPPED', 'DELIVERED'].includes(error.status)
    ) {
      return STOP;
    }
    // Going forward can never succeed: compensate. Compensation itself is only retried.
    if (error instanceof DomainError && (command.type === 'ReserveStock' || command.type === 'ShipOrder')) {
      await recordFact(deps.database, f.orderId, {
        type: 'StepFailed',
        step: action.step,
        error: error.message,
        at,
      });
      return STOP;
    }
    throw error;
  }
}

/** A fact only the worker can know (no event records it), folded in like the feed's. */
export function recordFact(database: Database, orderId: string, fact: FulfilmentFact): Promise<void> {
  return database.db.transaction((tx) => recordFacts(tx, orderId, [fact]));
}
