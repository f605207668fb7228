import type { Database } from '../db/connect.js';
import type { Position } from '../eventstore/index.js';
import type { EventTypeRegistry } from '../eventstore/index.js';
import { EVENTS_CHANNEL, type EventStore } from '../eventstore/index.js';
import type { Logger } from '../logger.js';
import { newEventsAnnounced } from './batch.js';
import { LeaderLocks } from './leader.js';
import { batchBudgetMs } from './pacing.js';
import { rebuildProjection, RebuildInProgressError, type RebuildResult } from './rebuild.js';
import { ProjectionRunner } from './runner.js';
import { readStoredStatus, type StoredProjectionStatus } from './status-store.js';
import type { Projection, ProjectionState, ProjectionStatus } from './types.js';
import { CheckpointWaiter } from './waiter.js';

export interface ProjectionManagerOptions {
  database: Database;
  registry: EventTypeRegistry;
  projections: readonly Projection[];
  logger: Logger;
  /** Events per transaction at most; on PGlite fewer while batches overrun PGLITE_BATCH_BUDGET_MS (pacing.ts). */
  batchSize?: number;
  /** How often a caught-up runner looks for events when no notification came. */
  pollIntervalMs?: number;
  /** How often an instance that does not hold a projection's lock tries to take it. */
  lockRetryMs?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Checkpoints that waitForPosition waits for; by default every managed projection not marked `readYourWrites: false`. */
  waitFor?: readonly string[];
  /** How long a projection that waitForPosition does not wait for rests once caught up (default 50 ms; see RunnerOptions). */
  restMs?: number;
  /** The store this process appends through: its commits wake the runners here at once. */
  store?: EventStore;
  /** The instance's one leader election (PostgreSQL); by default the manager holds its own. */
  leadership?: LeaderLocks;
}

/**
 * Runs every projection once across all instances: on PostgreSQL each under its
 * advisory lock (the others stand by and keep trying), on PGlite simply in this process.
 */
export class ProjectionManager {
  private readonly runners: ProjectionRunner[];
  private readonly waiter: CheckpointWaiter;
  private readonly locks: LeaderLocks | undefined;
  /** Whether the locks are this manager's own to close, or shared and only released. */
  private readonly ownsLocks: boolean;
  private unwatchLocks: (() => void) | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private unwatchStore: (() => void) | undefined;
  private electTimer: NodeJS.Timeout | undefined;
  private electing: Promise<void> | undefined;
  private started = false;
  private readonly rebuilds = new Map<string, { controller: AbortController; done: Promise<unknown> }>();

  constructor(private readonly options: ProjectionManagerOptions) {
    const { database, registry, logger } = options;
    const waitFor =
      options.waitFor ?? options.projections.filter((p) => p.readYourWrites !== false).map((p) => p.name);
    this.runners = options.projections.map(
      (projection) =>
        new ProjectionRunner({
          database,
          registry,
          projection,
          logger,
          batchSize: options.batchSize ?? 2_000,
          batchBudgetMs: batchBudgetMs(database),
          pollIntervalMs: options.pollIntervalMs ?? 1_000,
          retryInitialMs: options.retryInitialMs ?? 200,
          retryMaxMs: options.retryMaxMs ?? 30_000,
          // Waiters in this process learn of a checkpoint as soon as it commits; other
          // processes hear of it by its notification.
          onCheckpoint: (position) => this.waiter.heard(projection.name, position),
          restMs: waitFor.includes(projection.name) ? 0 : (options.restMs ?? 50),
        }),
    );
    this.waiter = new CheckpointWaiter(database, waitFor);
    this.ownsLocks = options.leadership === undefined;
    this.locks =
      database.kind === 'postgres' ? (options.leadership ?? new LeaderLocks(database, logger)) : undefined;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const wake = () => {
      newEventsAnnounced(this.options.database);
      for (const runner of this.runners) runner.wake();
    };
    this.unlisten = await this.options.database.listen(EVENTS_CHANNEL, wake);
    this.unwatchStore = this.options.store?.onCommitted(wake);
    this.unwatchLocks = this.locks?.onLost((names) => void this.stopRunners(names));
    await this.waiter.start();
    await this.elect();
    if (this.locks) {
      this.electTimer = setInterval(() => void this.elect(), this.options.lockRetryMs ?? 1_000);
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    clearInterval(this.electTimer);
    for (const { controller } of this.rebuilds.values())
      controller.abort(new Error('the server is stopping; the serving tables are unchanged'));
    await Promise.allSettled([...this.rebuilds.values()].map((r) => r.done));
    await this.electing;
    await Promise.all(this.runners.map((runner) => runner.stop()));
    this.unwatchLocks?.();
    if (this.ownsLocks) await this.locks?.close();
    else for (const runner of this.runners) await this.locks?.release(runner.name);
    await this.waiter.stop();
    await this.unlisten?.();
    this.unlisten = undefined;
    this.unwatchStore?.();
    this.unwatchStore = undefined;
  }

  /** Read-your-writes: resolves once the read side has applied everything up to `position`. */
  waitForPosition(position: Position, timeoutMs: number): Promise<void> {
    return this.waiter.wait(position, timeoutMs);
  }

  /** Whether `name` is one of the projections this manager runs. */
  manages(name: string): boolean {
    return this.runners.some((r) => r.name === name);
  }

  /**
   * Rebuilds a projection from the whole feed while its runner (here or on the instance
   * holding its lock) goes on serving and updating the current tables; the rebuilt copies
   * are switched in under the checkpoint lock (rebuild.ts). On PostgreSQL a rebuild
   * elsewhere (CLI or another instance) is refused by rebuild.ts's advisory lock; here,
   * a second one in this process is refused too, which is all PGlite needs.
   */
  async rebuild(name: string): Promise<RebuildResult> {
    const { database, registry, logger } = this.options;
    const projection = this.options.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`unknown projection ${name}`);
    if (this.rebuilds.has(name)) throw new RebuildInProgressError(name);
    const controller = new AbortController();
    const done = rebuildProjection({ database, registry, projection, logger, signal: controller.signal });
    this.rebuilds.set(name, { controller, done });
    try {
      return await done;
    } finally {
      this.rebuilds.delete(name);
    }
  }

  async status(): Promise<ProjectionStatus[]> {
    const stored = await readStoredStatus(
      this.options.database.db,
      this.runners.map((r) => r.name),
    );
    return stored.map((s, i) => {
      const runner = this.runners[i]!;
      return {
        name: s.name,
        position: s.position,
        eventsBehind: s.eventsBehind,
        secondsBehind: s.secondsBehind,
        state: this.stateOf(runner, s),
        lastError: runner.active ? (runner.lastError ?? s.lastError) : s.lastError,
      };
    });
  }

  private stateOf(runner: ProjectionRunner, stored: StoredProjectionStatus): ProjectionState {
    if (runner.active) {
      if (runner.state === 'failing') return 'failing';
      return stored.rebuilding ? 'rebuilding' : runner.state;
    }
    if (stored.lastError) return 'failing';
    if (stored.rebuilding) return 'rebuilding';
    if (this.started) return 'standby';
    // Asked from outside any runner (the CLI): another instance's lock says it runs.
    if (stored.locked) return stored.eventsBehind > 0 ? 'catching_up' : 'running';
    return 'stopped';
  }

  /** Starts the runners whose lock this instance holds (all of them on PGlite); one pass at a time. */
  private elect(): Promise<void> {
    this.electing ??= this.electOnce().finally(() => {
      this.electing = undefined;
    });
    return this.electing;
  }

  private async electOnce(): Promise<void> {
    try {
      const names = this.runners.map((r) => r.name);
      const held = this.locks ? await this.locks.acquire(names) : new Set(names);
      for (const runner of this.runners) {
        if (this.started && held.has(runner.name) && !runner.active) {
          this.options.logger.info({ projection: runner.name }, 'running projection');
          runner.start();
        }
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not take projection locks; will retry');
    }
  }

  private async stopRunners(names: string[]): Promise<void> {
    await Promise.all(this.runners.filter((r) => names.includes(r.name)).map((r) => r.stop()));
  }
}
