import type { Database } from '../db/connect.js';
import { nextPositionAfter, type EventTypeRegistry, type Position } from '../eventstore/index.js';
import type { Logger } from '../logger.js';
import { runBatch, type Prefetched } from './batch.js';
import { readCheckpoints } from './checkpoints.js';
import { BatchPacer } from './pacing.js';
import { WakeLoop, type Next } from './wake-loop.js';
import { recordFailure } from './status-store.js';
import type { Projection, ProjectionError, ProjectionState } from './types.js';

export interface RunnerOptions {
  database: Database;
  registry: EventTypeRegistry;
  projection: Projection;
  logger: Logger;
  /** Events per batch at most. */
  batchSize: number;
  /** Fewer events per batch while batches take longer than this (see pacing.ts); undefined: always batchSize. */
  batchBudgetMs?: number;
  pollIntervalMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** Told of every checkpoint this runner commits. */
  onCheckpoint?: (position: Position) => void;
  /**
   * Once caught up, rest this long before heeding the next wake-up: the events of a
   * busy spell then go in one batch, not a batch per commit. For projections no write
   * waits on; a catch-up never rests.
   */
  restMs?: number;
}

/**
 * Runs one projection on this instance: batches until caught up, then sleeps until the
 * store's notification or the poll interval. A failed batch is retried one event at a
 * time so the failure is pinned to its event; that event is then retried with backoff
 * and never passed over.
 */
export class ProjectionRunner {
  state: ProjectionState = 'stopped';
  lastError: ProjectionError | null = null;
  private readonly loop: WakeLoop;
  private pacer: BatchPacer;
  // A failure recorded by an earlier run is cleared by the first batch that succeeds.
  private failed = true;
  private oneByOne = 0;
  private delay: number;
  private prefetched: Prefetched | undefined;
  // Where this loop's last batch left the checkpoint; unknown after a failure.
  private from: Position | undefined;

  constructor(private readonly options: RunnerOptions) {
    this.pacer = new BatchPacer(options.batchSize, options.batchBudgetMs);
    this.delay = options.retryInitialMs;
    this.loop = new WakeLoop(
      () => this.pass(),
      () => ({ sleepMs: this.options.retryMaxMs, wakeable: false }),
    );
  }

  get name(): string {
    return this.options.projection.name;
  }

  /** True from start() until the loop has finished after stop(). */
  get active(): boolean {
    return this.loop.active;
  }

  start(): void {
    if (this.loop.active) return;
    this.state = 'catching_up';
    this.pacer = new BatchPacer(this.options.batchSize, this.options.batchBudgetMs);
    this.failed = true;
    this.oneByOne = 0;
    this.delay = this.options.retryInitialMs;
    this.prefetched = undefined;
    this.from = undefined;
    this.loop.start(() => {
      this.state = 'stopped';
    });
  }

  /** New events may be there: skip the rest of the poll interval. */
  wake(): void {
    this.loop.wake();
  }

  /** Lets the batch in flight finish (its transaction is atomic either way) and ends the loop. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One batch: on to the next while behind; once caught up, rest then sleep until woken. */
  private async pass(): Promise<Next> {
    const { projection, logger } = this.options;
    const paced = this.oneByOne === 0;
    const size = paced ? this.pacer.next() : 1;
    try {
      const started = performance.now();
      const result = await runBatch(this.options.database, this.options.registry, projection, {
        batchSize: size,
        clearFailure: this.failed,
        prefetched: paced ? this.prefetched : undefined,
        prefetch: this.options.database.kind === 'postgres' && paced,
        from: paced ? this.from : undefined,
      });
      if (paced) this.pacer.took(result.read, performance.now() - started);
      this.prefetched = result.next;
      if (result.read > 0) this.options.onCheckpoint?.(result.position);
      this.from = result.position;
      if (this.failed && this.lastError) logger.info({ projection: projection.name }, 'projection recovered');
      this.failed = false;
      this.lastError = null;
      this.delay = this.options.retryInitialMs;
      this.oneByOne = result.read === 0 ? 0 : Math.max(0, this.oneByOne - result.read);
      if (!result.exhausted) {
        this.state = 'catching_up';
        return 'again';
      }
      this.state = 'running';
      return { restMs: this.options.restMs, sleepMs: this.options.pollIntervalMs, wakeable: true };
    } catch (error) {
      this.prefetched = undefined;
      this.from = undefined;
      if (this.loop.stopped) return 'again';
      if (size > 1) {
        // Which event of the batch failed is unknown: find it by applying them singly.
        this.oneByOne = size;
        return 'again';
      }
      this.failed = true;
      await this.fail(error);
      const wait = this.delay;
      this.delay = Math.min(this.delay * 2, this.options.retryMaxMs);
      return { sleepMs: wait, wakeable: false };
    }
  }

  private async fail(error: unknown): Promise<void> {
    const { database, projection, logger } = this.options;
    const message = error instanceof Error ? error.message : String(error);
    const position = await this.nextPosition().catch(() => null);
    this.lastError = { message, position, at: new Date().toISOString() };
    this.state = 'failing';
    logger.error(
      { projection: projection.name, position, err: error },
      'projection failed; retrying the same event',
    );
    await recordFailure(database.db, projection.name, this.lastError).catch((recordError: unknown) => {
      logger.warn(
        { projection: projection.name, err: recordError },
        'could not record the projection failure',
      );
    });
  }

  /** The event after the checkpoint: the one a single-event batch stopped at. */
  private async nextPosition(): Promise<Position | null> {
    const { database, projection } = this.options;
    const checkpoint = (await readCheckpoints(database.db, [projection.name])).get(projection.name)!;
    return nextPositionAfter(database.db, checkpoint);
  }
}
