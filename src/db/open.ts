import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { loadDriver, type Database } from './connect.js';

/**
 * Starts opening the configured database, saying so first (on a fresh PGlite directory
 * this is most of a start). Resolves once the open is under way, with the open itself,
 * so the caller can load the rest of the server meanwhile.
 */
export async function startOpeningDatabase(
  config: Config,
  logger: Logger,
): Promise<{ database: Promise<Database> }> {
  const open = await loadDriver(config.database);
  const target = config.database;
  logger.info(
    { database: target.kind, ...(target.kind === 'pglite' && { dataDir: target.dataDir }) },
    'opening the database',
  );
  return { database: open() };
}

/** Opens the configured database, saying so first. */
export async function openConfiguredDatabase(config: Config, logger: Logger): Promise<Database> {
  return (await startOpeningDatabase(config, logger)).database;
}
