import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from './config.js';
import { openDatabase } from './db/connect.js';
import { migrate } from './db/migrate.js';
import type { Logger } from './logger.js';
import { serveMetrics } from './metrics-server.js';

/** A worker that dies sooner than this after starting is not restarted at once, but after a pause. */
const RESTART_PAUSE_MS = 1_000;

/**
 * WORKERS > 1: this process only supervises. It migrates once, then forks that many
 * servers which share the listening port (node:cluster hands each new connection to one
 * of them), so the machine's cores all serve requests and fan out subscriptions. The
 * workers are instances like any others on one PostgreSQL: each projection and the saga
 * run in one of them at a time. A worker that dies is replaced; SIGTERM stops them all.
 */
export async function superviseWorkers(config: Config, logger: Logger, workers: number): Promise<void> {
  const database = await openDatabase(config.database);
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
  let stopping = false;
  const restarts = new Set<NodeJS.Timeout>();
  const start = (): void => {
    if (stopping) return;
    const worker = cluster.fork();
    const started = Date.now();
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      logger.error({ worker: worker.process.pid, code, signal }, 'a worker exited; starting another');
      const timer = setTimeout(
        () => {
          restarts.delete(timer);
          start();
        },
        Date.now() - started < RESTART_PAUSE_MS ? RESTART_PAUSE_MS : 0,
      );
      restarts.add(timer);
    });
  };
  for (let i = 0; i < workers; i++) start();
  // One scrape answers for every worker: the supervisor asks each for its registry.
  const metrics =
    config.metricsPort === undefined
      ? undefined
      : await serveMetrics(new AggregatorRegistry(), config.metricsPort, config.host);
  logger.info({ workers, port: config.port, metricsPort: metrics?.port }, 'supervising server workers');

  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const timer of restarts) clearTimeout(timer);
    await metrics?.close();
    logger.info({ signal }, 'stopping the workers');
    const running = Object.values(cluster.workers ?? {}).filter(
      (w): w is Worker => w !== undefined && !w.isDead(),
    );
    const exits = running.map(
      (w) => new Promise<number>((resolve) => w.once('exit', (code) => resolve(code ?? 1))),
    );
    for (const worker of running) worker.process.kill('SIGTERM');
    const codes = await Promise.all(exits);
    process.exit(codes.every((code) => code === 0) ? 0 : 1);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
