import { CommandHandler, purgeExpiredKeys } from './commands/index.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/connect.js';
import { checkHealth, type Health } from './db/health.js';
import { migrate } from './db/migrate.js';
import { createEventTypeRegistry } from './eventstore/event-types.js';
import { EventStore } from './eventstore/index.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { ProjectionManager } from './projections/manager.js';
import { startPeriodicCheck } from './projections/periodic-check.js';
import { PROJECTIONS } from './projections/projections.js';
import { StatusHub } from './graphql/status-hub.js';

/** Everything one instance runs, wired once; the GraphQL layer reaches it through its context. */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly store: EventStore;
  readonly commands: CommandHandler;
  readonly projections: ProjectionManager;
  readonly subscriptions: StatusHub;
  readonly metrics: Metrics;
  health(): Promise<Health>;
  stop(): Promise<void>;
}

const HOUR = 3_600_000;

export async function startServices(config: Config, logger: Logger): Promise<Services> {
  const database = await openDatabase(config.database);
  try {
    await migrate(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const registry = createEventTypeRegistry();
  const metrics = new Metrics();
  const store = new EventStore(database, registry, { onAppend: (seconds) => metrics.appendSeconds.observe(seconds) });
  const commands = new CommandHandler(store, {
    snapshotEvery: config.snapshotEvery, idempotencyTtlMs: config.idempotencyTtlMs, logger,
    onHandled: (type, outcome, seconds) => {
      metrics.commands.inc({ type, outcome });
      metrics.commandSeconds.observe({ type }, seconds);
    },
  });
  const projections = new ProjectionManager({ database, registry, logger, projections: PROJECTIONS });
  const subscriptions = new StatusHub(database, logger);
  metrics.observe({ subscriptions: () => subscriptions.subscriberCount, projections: () => projections.status() });
  await projections.start();
  await subscriptions.start();
  const checker = config.checkIntervalMs ? startPeriodicCheck(database, registry, logger, config.checkIntervalMs) : undefined;

  const purge = () => purgeExpiredKeys(database.db)
    .then((n) => { if (n > 0) logger.info({ purged: n }, 'expired idempotency keys purged'); })
    .catch((error: unknown) => logger.warn({ err: error }, 'purging idempotency keys failed'));
  void purge();
  const purgeTimer = setInterval(purge, HOUR);
  purgeTimer.unref();

  return {
    config, logger, database, store, commands, projections, subscriptions, metrics,
    health: () => checkHealth(database),
    async stop() {
      clearInterval(purgeTimer);
      await checker?.stop();
      await subscriptions.stop();
      await projections.stop();
      await database.close();
    },
  };
}
