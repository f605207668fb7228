import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { buildApp } from './app.js';
import { signToken } from './auth/tokens.js';
import { ROLES, type Role } from './auth/viewer.js';
import { superviseWorkers } from './cluster.js';
import { loadConfig } from './config.js';
import { openDatabase } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { createLogger } from './logger.js';
import { checkCommand, projectionsCommand } from './projections/cli.js';
import { runSeed } from './seed/run.js';

const commands: Record<string, () => Promise<void>> = {
  async serve() {
    const config = loadConfig();
    const logger = createLogger(config.logLevel);
    if (config.workers > 1 && cluster.isPrimary) return superviseWorkers(config, logger, config.workers);
    const app = buildApp(config, logger);
    let stopping = false;
    const started = app.start();
    // Heard from the first moment: a SIGTERM during start-up still closes the database
    // (and frees the data directory's lock) instead of killing the process mid-way.
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      try {
        await started.catch(() => undefined);
        await app.stop();
        process.exit(0);
      } catch (error) {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      }
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
    const { url, metricsPort } = await started;
    logger.info({ url, database: config.database.kind, metricsPort }, `Ledgerline is serving GraphQL (and GraphiQL) at ${url}`);
    if (!config.authSecret) {
      logger.warn('AUTH_JWT_SECRET is not set: the server runs OPEN, every caller may do everything (development only)');
    }
  },
  async token() {
    const { values } = parseArgs({
      args: process.argv.slice(3),
      options: { sub: { type: 'string' }, role: { type: 'string', default: 'customer' }, expires: { type: 'string', default: '1h' } },
    });
    const secret = loadConfig().authSecret;
    if (!secret) throw new Error('AUTH_JWT_SECRET is not set: there is nothing to sign tokens with');
    if (!values.sub) throw new Error('usage: npm run token -- --sub <user id> [--role customer|staff|admin] [--expires 1h]');
    if (!ROLES.includes(values.role as Role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
    process.stdout.write(`${await signToken(secret, { sub: values.sub, role: values.role as Role }, values.expires)}\n`);
  },
  async migrate() {
    const config = loadConfig();
    const database = await openDatabase(config.database);
    await migrate(database);
    await database.close();
    createLogger(config.logLevel).info({ database: config.database.kind }, 'migrations applied');
  },
  async projections() {
    process.exitCode = await projectionsCommand(process.argv.slice(3));
  },
  async check() {
    process.exitCode = await checkCommand();
  },
  async seed() {
    const config = loadConfig();
    const logger = createLogger(config.logLevel);
    const summary = await runSeed(config, logger);
    logger.info({ ...summary, database: config.database.kind }, 'seed data in place (commands sent before were recognised, not repeated)');
  },
};

const name = process.argv[2] ?? 'serve';
const command = commands[name];
if (!command) {
  process.stderr.write(`unknown command "${name}"; one of: ${Object.keys(commands).join(', ')}\n`);
  process.exit(2);
}
command().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
