import { loadConfig } from './config.js';
import { openDatabase } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { createLogger } from './logger.js';

const commands: Record<string, () => Promise<void>> = {
  async serve() {
    const config = loadConfig();
    const logger = createLogger(config.logLevel);
    const database = await openDatabase(config.database);
    await migrate(database);
    logger.info({ database: config.database.kind }, 'database migrated; ready');
    const stop = async (signal: string) => {
      logger.info({ signal }, 'shutting down');
      await database.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
    setInterval(() => {}, 1 << 30);
  },
  async migrate() {
    const config = loadConfig();
    const database = await openDatabase(config.database);
    await migrate(database);
    await database.close();
    createLogger(config.logLevel).info({ database: config.database.kind }, 'migrations applied');
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
