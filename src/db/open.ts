import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { openDatabase, type Database } from './connect.js';

/** Opens the configured database, saying so first: on a fresh PGlite directory this is most of a start. */
export function openConfiguredDatabase(config: Config, logger: Logger): Promise<Database> {
  const target = config.database;
  logger.info({ database: target.kind, ...(target.kind === 'pglite' && { dataDir: target.dataDir }) }, 'opening the database');
  return openDatabase(target);
}
