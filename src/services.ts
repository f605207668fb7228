import type { LedgerEvent } from './domain/index.js';
import { CommandHandler, purgeExpiredKeys } from './commands/index.js';
import type { Config } from './config.js';
import type { Database } from './db/connect.js';
import { checkHealth, type Health } from './db/health.js';
import { migrate } from './db/migrate.js';
import { openConfiguredDatabase } from './db/open.js';
import { createEventTypeRegistry } from './event-types.js';
import { EventStore } from './eventstore/index.js';
import type { Logger } from './logger.js';
import type { ApiServices } from './graphql/context.js';
import type { Reads } from './graphql/reads.js';
import { Metrics } from './metrics.js';
import { LeaderLocks, ProjectionManager } from './processing/index.js';
import { readModels } from './projections/index.js';
import { startPeriodicCheck } from './projections/index.js';
import { PROJECTIONS } from './projections/index.js';
import { statusChangeSource } from './projections/index.js';
import type { OrderStatusChange } from './projections/index.js';
import { NotificationHub } from './live/notification-hub.js';
import { StatusHub } from './live/status-hub.js';
import { LocalCarrier, type Carrier } from './sagas/carrier.js';
import { fulfilmentProjection } from './sagas/fulfilment-projection.js';
import { FulfilmentWorker } from './sagas/fulfilment-worker.js';
import { notificationSource, type Notification } from './sagas/notifications.js';
import { sagaReads } from './sagas/reads.js';

/**
 * Everything one instance runs, wired once. The GraphQL layer reaches the part it declares
 * (ApiServices: reads with the database bound in, no database) through its context.
 */
export interface Services extends ApiServices {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly store: EventStore<LedgerEvent>;
  readonly commands: CommandHandler;
  readonly projections: ProjectionManager;
  readonly reads: Reads;
  readonly subscriptions: StatusHub<OrderStatusChange>;
  readonly notifications: NotificationHub<Notification>;
  readonly metrics: Metrics;
  health(): Promise<Health>;
  stop(): Promise<void>;
}

const HOUR = 3_600_000;

export interface ServiceOptions {
  /** The fulfilment saga, on by default with the local carrier; false leaves paid orders alone (tests of the manual lifecycle). */
  fulfilment?: false | { carrier?: Carrier };
  /** The database, already opening (`serve` starts opening it while the server's modules load); else opened here. */
  database?: Promise<Database>;
  /** Aborted to stop during the start: the stages still to come are skipped and the database closed. */
  signal?: AbortSignal;
}

export async function startServices(
  config: Config,
  logger: Logger,
  options: ServiceOptions = {},
): Promise<Services> {
  const database = await (options.database ?? openConfiguredDatabase(config, logger));
  try {
    // The open is most of a start on PGlite, and cannot be cut short; what follows can.
    options.signal?.throwIfAborted();
    logger.info('migrating');
    await migrate(database);
    options.signal?.throwIfAborted();
  } catch (error) {
    await database.close();
    throw error;
  }
  const registry = createEventTypeRegistry();
  const metrics = new Metrics();
  const store = new EventStore(database, registry, {
    onAppend: (seconds) => metrics.appendSeconds.observe(seconds),
  });
  const commands = new CommandHandler(store, {
    snapshotEvery: config.snapshotEvery,
    idempotencyTtlMs: config.idempotencyTtlMs,
    logger,
    onHandled: (type, outcome, seconds) => {
      metrics.commands.inc({ type, outcome });
      metrics.commandSeconds.observe({ type }, seconds);
    },
  });
  const fulfilment = options.fulfilment === false ? undefined : (options.fulfilment ?? {});
  const running = fulfilment ? [...PROJECTIONS, fulfilmentProjection(registry)] : PROJECTIONS;
  // One leader election per instance, for the projections and the saga worker alike.
  const leadership = database.kind === 'postgres' ? new LeaderLocks(database, logger) : undefined;
  const projections = new ProjectionManager({
    database,
    registry,
    logger,
    projections: running,
    lockRetryMs: config.leaderRetryMs,
    store,
    leadership,
  });
  const saga =
    fulfilment &&
    new FulfilmentWorker({
      database,
      commands,
      carrier: fulfilment.carrier ?? new LocalCarrier(),
      logger,
      lockRetryMs: config.leaderRetryMs,
      leadership,
      // A step's name may carry an id (reserve:<productId>); a label takes its kind only, a closed set.
      onStep: (step, outcome) =>
        metrics.sagaSteps.inc({ saga: 'fulfilment', step: step.split(':')[0]!, outcome }),
    });
  const hubOptions = { capacity: config.subscriberBuffer, pollIntervalMs: 1_000 };
  const subscriptions = new StatusHub(statusChangeSource(database), logger, hubOptions);
  const notifications = new NotificationHub(notificationSource(database), logger, hubOptions);
  metrics.observe({
    subscriptions: () => subscriptions.subscriberCount,
    projections: () => projections.status(),
  });
  // The hubs take the head of their tables before the projections start catching up, so
  // their one query does not queue behind a catch-up's batches (on PGlite, one connection).
  await subscriptions.start();
  await notifications.start();
  logger.info({ projections: running.map((p) => p.name) }, 'starting projections');
  await projections.start();
  await saga?.start();
  const checker = config.checkIntervalMs
    ? startPeriodicCheck(database, registry, logger, config.checkIntervalMs)
    : undefined;

  const purge = () =>
    purgeExpiredKeys(database.db)
      .then((n) => {
        if (n > 0) logger.info({ purged: n }, 'expired idempotency keys purged');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'purging idempotency keys failed'));
  void purge();
  const purgeTimer = setInterval(purge, HOUR);
  purgeTimer.unref();

  return {
    config,
    logger,
    database,
    store,
    commands,
    projections,
    reads: { ...readModels(database.db), ...sagaReads(database.db) },
    subscriptions,
    notifications,
    metrics,
    health: () => checkHealth(database),
    async stop() {
      clearInterval(purgeTimer);
      await checker?.stop();
      await saga?.stop();
      await notifications.stop();
      await subscriptions.stop();
      await projections.stop();
      await leadership?.close();
      await database.close();
    },
  };
}
