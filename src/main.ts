import cluster from 'node:cluster';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { App } from './app.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';

/** Each command loads only the modules it runs: `token` starts no database, `serve` no seed. */
const commands: Record<string, () => Promise<void>> = {
  async serve() {
    const config = loadConfig();
    const logger = createLogger(config.logLevel);
    if (config.workers > 1 && cluster.isPrimary) {
      const { superviseWorkers } = await import('./cluster.js');
      return superviseWorkers(config, logger, config.workers);
    }
    let stopping = false;
    let started: Promise<{ app: App; serving: ReturnType<App['start']> }> | undefined;
    // Aborted by the SIGTERM itself, so a start still loading its modules then goes no
    // further than the open, rather than a stage further before the stop reaches the app.
    const cancelled = new AbortController();
    // Heard from the first moment, before the data directory's lock is taken: a SIGTERM
    // during start-up still closes the database (and frees the lock) instead of killing
    // the process mid-way, and the stages of the start still to come are cancelled.
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      cancelled.abort(new Error('stopped during start-up'));
      logger.info({ signal }, 'shutting down');
      try {
        // Not yet opening (`started` is set in the same turn as the open begins): nothing to close.
        if (started) await (await started).app.stop();
        process.exit(0);
      } catch (error) {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      }
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
    // The database opens while the server's modules load: PGlite's open waits on its
    // WebAssembly compiling and on the disk, which the loading fills.
    const { startOpeningDatabase } = await import('./db/open.js');
    const { database } = await startOpeningDatabase(config, logger);
    database.catch(() => {}); // awaited by the start below, which reports the failure
    started = import('./app.js').then(({ buildApp }) => {
      const app = buildApp(config, logger, { database, signal: cancelled.signal });
      return { app, serving: app.start() };
    });
    const serving = await (
      await started
    ).serving.catch((error: unknown) => {
      if (stopping) return undefined; // cancelled by the stop, which exits
      throw error;
    });
    if (!serving) return;
    const { url, metricsPort } = serving;
    // Since the process started (node's own boot included), as a user waiting at the prompt sees it.
    const readyMs = Math.round(performance.now());
    const { rss, heapUsed } = process.memoryUsage();
    logger.info(
      {
        url,
        database: config.database.kind,
        metricsPort,
        readyMs,
        rssMb: Math.round(rss / 1e6),
        heapMb: Math.round(heapUsed / 1e6),
      },
      `ready in ${readyMs} ms: Ledgerline is serving GraphQL (and GraphiQL) at ${url}`,
    );
    if (!config.authSecret) {
      logger.warn(
        'AUTH_JWT_SECRET is not set: the server runs OPEN, every caller may do everything (development only)',
      );
    }
  },
  async token() {
    const { values } = parseArgs({
      args: process.argv.slice(3),
      options: {
        sub: { type: 'string' },
        role: { type: 'string', default: 'customer' },
        expires: { type: 'string', default: '1h' },
      },
    });
    const secret = loadConfig().authSecret;
    if (!secret) throw new Error('AUTH_JWT_SECRET is not set: there is nothing to sign tokens with');
    const { ROLES } = await import('./auth/viewer.js');
    const role = ROLES.find((r) => r === values.role);
    if (!values.sub)
      throw new Error('usage: npm run token -- --sub <user id> [--role customer|staff|admin] [--expires 1h]');
    if (!role) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
    const { signToken } = await import('./auth/tokens.js');
    process.stdout.write(`${await signToken(secret, { sub: values.sub, role }, values.expires)}\n`);
  },
  async migrate() {
    const config = loadConfig();
    const { openDatabase } = await import('./db/connect.js');
    const { migrate } = await import('./db/migrate.js');
    const database = await openDatabase(config.database);
    await migrate(database);
    await database.close();
    createLogger(config.logLevel).info({ database: config.database.kind }, 'migrations applied');
  },
  async projections() {
    const { projectionsCommand } = await import('./projections/cli.js');
    process.exitCode = await projectionsCommand(process.argv.slice(3));
  },
  async check() {
    const { checkCommand } = await import('./projections/cli.js');
    process.exitCode = await checkCommand();
  },
  async seed() {
    const config = loadConfig();
    const logger = createLogger(config.logLevel);
    const [{ startServices }, { runSeed }] = await Promise.all([
      import('./services.js'),
      import('./seed/run.js'),
    ]);
    // The fulfilment saga stays off while the seed runs: the seed writes each order's
    // history as planned, and a saga shipping paid orders mid-seed would race it for them.
    const services = await startServices(config, logger, { fulfilment: false });
    const summary = await runSeed(services).finally(() => services.stop());
    logger.info(
      { ...summary, database: config.database.kind },
      'seed data in place (commands sent before were recognised, not repeated)',
    );
  },
};

const name = process.argv[2] ?? 'serve';
const command = commands[name];
if (!command) {
  process.stderr.write(`unknown command "${name}"; one of: ${Object.keys(commands).join(', ')}\n`);
  process.exit(2);
}
command().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
