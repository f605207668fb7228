import type { Database } from '../db/connect.js';
import { nextPositionAfter, type EventTypeRegistry, type Position } from '../eventstore/index.js';
import type { Logger } from '../logger.js';
import { runBatch, type Prefetched } from './batch.js';
import { readCheckpoints } from './checkpoints.js';
import { BatchPacer } from './pacing.js';
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
  private stopping = false;
  private pending = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: RunnerOptions) {}

  get name(): string {
    return this.options.projection.name;
  }

  /** True from start() until the loop has finished after stop(). */
  get active(): boolean {
    return this.loop !== undefined;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.state = 'catching_up';
    this.loop = this.run().finally(() => {
      this.loop = undefined;
      this.state = 'stopped';
    });
  }

  /** New events may be there: skip the rest of the poll interval. */
  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  /** Lets the batch in flight finish (its transaction is atomic either way) and ends the loop. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { projection, logger, batchSize } = this.options;
    const pacer = new BatchPacer(batchSize, this.options.batchBudgetMs);
    // A failure recorded by an earlier run is cleared by the first batch that succeeds.
    let failed = true;
    let oneByOne = 0;
    let delay = this.options.retryInitialMs;
    let prefetched: Prefetched | undefined;
    // Where this loop's last batch left the checkpoint; unknown after a failure.
    let from: Position | undefined;
    const overlap = this.options.database.kind === 'postgres';
    while (!this.stopping) {
      const paced = oneByOne === 0;
      const size = paced ? pacer.next() : 1;
      this.pending = false;
      try {
        const started = performance.now();
        const result = await runBatch(this.options.database, this.options.registry, projection, {
          batchSize: size,
          clearFailure: failed,
          prefetched: paced ? prefetched : undefined,
          prefetch: overlap && paced,
          from: paced ? from : undefined,
        });
        if (paced) pacer.took(result.read, performance.now() - started);
        prefetched = result.next;
        if (result.read > 0) this.options.onCheckpoint?.(result.position);
        from = result.position;
        if (failed && this.lastError) logger.info({ projection: projection.name }, 'projection recovered');
        failed = false;
        this.lastError = null;
        delay = this.options.retryInitialMs;
        oneByOne = result.read === 0 ? 0 : Math.max(0, oneByOne - result.read);
        if (!result.exhausted) {
          this.state = 'catching_up';
          continue;
        }
        this.state = 'running';
        if (this.options.restMs) await this.sleep(this.options.restMs, false);
        await this.sleep(this.options.pollIntervalMs, true);
      } catch (error) {
        prefetched = undefined;
        from = undefined;
        if (this.stopping) break;
        if (size > 1) {
          // Which event of the batch failed is unknown: find it by applying them singly.
          oneByOne = size;
          continue;
        }
        failed = true;
        await this.fail(error);
        await this.sleep(delay, false);
        delay = Math.min(delay * 2, this.options.retryMaxMs);
      }
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

  /** Waits `ms`, or less when stopped, or (if `wakeable`) when new events are announced. */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.stopping || (wakeable && this.pending)) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = () => {
        if (wakeable || this.stopping) done();
      };
    });
  }
}
