import type { Database } from '../../db/connect.js';
import type { EventTypeRegistry } from '../../eventstore/index.js';
import type { Logger } from '../../logger.js';
import { checkOrders } from './checker.js';

/** The server's CHECK_INTERVAL: runs the checker in the background and logs what it finds. */
export function startPeriodicCheck(
  database: Database,
  registry: EventTypeRegistry,
  logger: Logger,
  intervalMs: number,
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= checkOrders(database, registry)
      .then((result) => {
        for (const mismatch of result.mismatches)
          logger.error({ mismatch }, 'read side disagrees with the events');
        logger.info(
          { checked: result.checked, mismatches: result.mismatches.length, position: result.position },
          'consistency check done',
        );
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'consistency check failed'))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
