import type { AppCommand } from '../commands/index.js';
import type { Config } from '../config.js';
import { InvalidStateError } from '../domain/index.js';
import type { Logger } from '../logger.js';
import { startServices, type Services } from '../services.js';
import { seedPlan } from './plan.js';

export interface SeedSummary {
  users: number;
  orders: number;
  commands: number;
  leftAlone: number;
}

const CATCH_UP_MS = 60_000;

/**
 * `npm run seed`: the seed on the configured database. The fulfilment saga stays off
 * while it runs: the seed writes each order's history as planned, and a saga shipping
 * paid orders mid-seed would race it for the same orders.
 */
export async function runSeed(
  config: Config,
  logger: Logger,
  options: { orders?: number; until?: Date } = {},
): Promise<SeedSummary> {
  const services = await startServices(config, logger, { fulfilment: false });
  try {
    return await writeSeed(
      services,
      seedPlan({ orders: options.orders ?? 150, until: options.until ?? new Date() }),
    );
  } finally {
    await services.stop();
  }
}

/**
 * Sends the plan through the command handler, as the API would, then waits until the
 * read tables have caught up so the first `npm start` shows everything at once.
 */
export async function writeSeed(services: Services, plan: AppCommand[]): Promise<SeedSummary> {
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
