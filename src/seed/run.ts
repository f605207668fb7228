import type { AppCommand, CommandHandler } from '../commands/index.js';
import { InvalidStateError } from '../domain/index.js';
import type { Position } from '../eventstore/index.js';
import type { Logger } from '../logger.js';
import { seedPlan } from './plan.js';

export interface SeedSummary {
  users: number;
  orders: number;
  commands: number;
  leftAlone: number;
}

/**
 * What the seed needs of a started instance. `main.ts` starts the services (with the
 * fulfilment saga off) and hands them in: only it and tests import the composition root.
 */
export interface SeedServices {
  readonly logger: Logger;
  readonly commands: Pick<CommandHandler, 'handle'>;
  readonly projections: { waitForPosition(position: Position, timeoutMs: number): Promise<void> };
}

const CATCH_UP_MS = 60_000;

/** `npm run seed`: the standard plan, written on the services `main.ts` started. */
export function runSeed(
  services: SeedServices,
  options: { orders?: number; until?: Date } = {},
): Promise<SeedSummary> {
  return writeSeed(services, seedPlan({ orders: options.orders ?? 150, until: options.until ?? new Date() }));
}

/**
 * Sends the plan through the command handler, as the API would, then waits until the
 * read tables have caught up so the first `npm start` shows everything at once.
 */
export async function writeSeed(services: SeedServices, plan: AppCommand[]): Promise<SeedSummary> {
  const movedOn = new Set<string>();
  let last: string | undefined;
  for (const command of plan) {
    const orderId = 'orderId' in command.data ? command.data.orderId : undefined;
    if (orderId && movedOn.has(orderId)) continue;
    try {
      last = (await services.commands.handle(command)).position;
    } catch (error) {
      // An order that moved on without the seed (fulfilled by a server between two runs
      // of an interrupted seed) is left as it is, rather than failing the whole seed.
      if (!(error instanceof InvalidStateError) || !orderId) throw error;
      movedOn.add(orderId);
      services.logger.warn(
        { orderId, status: error.status, step: command.type },
        'seed order moved on without the seed; left as it is',
      );
    }
  }
  if (last) await services.projections.waitForPosition(last, CATCH_UP_MS);
  return {
    users: plan.filter((c) => c.type === 'RegisterUser').length,
    orders: plan.filter((c) => c.type === 'CreateOrder').length,
    commands: plan.length,
    leftAlone: movedOn.size,
  };
}
