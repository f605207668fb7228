import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { startServices } from '../services.js';
import { seedPlan } from './plan.js';

export interface SeedSummary { users: number; orders: number; commands: number }

const CATCH_UP_MS = 60_000;

/**
 * Writes the seed through the command handler, as the API would, then waits until the
 * read tables have caught up so the first `npm start` shows everything at once.
 */
export async function runSeed(config: Config, logger: Logger, options: { orders?: number; until?: Date } = {}): Promise<SeedSummary> {
  const plan = seedPlan({ orders: options.orders ?? 150, until: options.until ?? new Date() });
  const services = await startServices(config, logger);
  try {
    let last: string | undefined;
    for (const command of plan) last = (await services.commands.handle(command)).position;
    if (last) await services.projections.waitForPosition(last, CATCH_UP_MS);
  } finally {
    await services.stop();
  }
  return {
    users: plan.filter((c) => c.type === 'RegisterUser').length,
    orders: plan.filter((c) => c.type === 'CreateOrder').length,
    commands: plan.length,
  };
}
