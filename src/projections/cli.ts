import type { Writable } from 'node:stream';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { createEventTypeRegistry } from '../event-types.js';
import { createLogger, type Logger } from '../logger.js';
import { checkOrders } from './orders/checker.js';
import { ProjectionManager } from '../processing/index.js';
import { findProjection, PROJECTIONS } from './projections.js';
import { rebuildProjection, type RebuildProgress } from '../processing/index.js';

const USAGE = 'usage: projections rebuild <name> | projections status';

/** `projections rebuild <name>` and `projections status`; returns the exit code. */
export async function projectionsCommand(
  args: readonly string[],
  out: Writable = process.stdout,
  config: Config = loadConfig(),
): Promise<number> {
  const [action, name] = args;
  if (action === 'status')
    return withDatabase(config, (database, logger) => printStatus(database, logger, out));
  if (action !== 'rebuild' || !name) {
    out.write(`${USAGE}\n`);
    return 2;
  }
  const projection = findProjection(name);
  if (!projection) {
    out.write(`unknown projection "${name}"; one of: ${PROJECTIONS.map((p) => p.name).join(', ')}\n`);
    return 2;
  }
  return withDatabase(config, async (database, logger) => {
    const controller = new AbortController();
    const abort = () => controller.abort(new Error('interrupted; the serving tables are unchanged'));
    process.once('SIGINT', abort);
    process.once('SIGTERM', abort);
    try {
      const progress = progressPrinter(out);
      const result = await rebuildProjection({
        database,
        registry: createEventTypeRegistry(),
        projection,
        logger,
        onProgress: progress,
        signal: controller.signal,
      });
      out.write(
        `\nrebuilt ${name}: ${result.processed} events in ${result.seconds.toFixed(1)} s; now serving the new tables\n`,
      );
      return 0;
    } finally {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    }
  });
}

/** `check`: prints every mismatch and a summary; 1 when anything disagrees. */
export async function checkCommand(
  out: Writable = process.stdout,
  config: Config = loadConfig(),
): Promise<number> {
  return withDatabase(config, async (database) => {
    const result = await checkOrders(database, createEventTypeRegistry());
    for (const m of result.mismatches) {
      out.write(
        `order ${m.orderId}: ${m.field} expected ${JSON.stringify(m.expected)}, found ${JSON.stringify(m.found)}\n`,
      );
    }
    const orders = new Set(result.mismatches.map((m) => m.orderId)).size;
    out.write(
      `checked ${result.checked} orders at position ${result.position}: ` +
        `${result.mismatches.length} mismatches in ${orders} orders\n`,
    );
    return result.mismatches.length === 0 ? 0 : 1;
  });
}

async function printStatus(database: Database, logger: Logger, out: Writable): Promise<number> {
  const manager = new ProjectionManager({
    database,
    registry: createEventTypeRegistry(),
    projections: PROJECTIONS,
    logger,
  });
  for (const s of await manager.status()) {
    const error = s.lastError ? `  error at ${s.lastError.position ?? '?'}: ${s.lastError.message}` : '';
    out.write(
      `${s.name}\t${s.state}\tposition ${s.position}\t${s.eventsBehind} events / ${s.secondsBehind.toFixed(1)} s behind${error}\n`,
    );
  }
  return 0;
}

async function withDatabase(
  config: Config,
  work: (database: Database, logger: Logger) => Promise<number>,
): Promise<number> {
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config.database);
  try {
    await migrate(database);
    return await work(database, logger);
  } finally {
    await database.close();
  }
}

function progressPrinter(out: Writable): (progress: RebuildProgress) => void {
  const tty = (out as { isTTY?: boolean }).isTTY === true;
  return (p) => {
    const share = p.total === 0 ? 1 : Math.min(p.processed / p.total, 1);
    const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
    const line = `rebuild ${p.projection} [${bar}] ${p.processed}/${p.total} events  ${Math.round(p.eventsPerSecond)} events/s`;
    out.write(tty ? `\r${line}` : `${line}\n`);
  };
}
