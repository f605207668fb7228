import type { CommandHandler } from '../commands/index.js';
import type { Database } from '../db/connect.js';
import { DomainError } from '../domain/index.js';
import type { Logger } from '../logger.js';
import { LeaderLocks, WakeLoop, type Next } from '../processing/index.js';
import type { Carrier } from './carrier.js';
import { nextActions } from './fulfilment.js';
import { performStep, recordFact, type StepOutcome } from './fulfilment-steps.js';
import { FULFILMENT_CHANNEL, dueFulfilments, loadFulfilment, postpone } from './fulfilment-store.js';

export interface FulfilmentWorkerOptions {
  database: Database;
  commands: CommandHandler;
  carrier: Carrier;
  logger: Logger;
  /** How often it looks for due sagas when no notification came. */
  pollIntervalMs?: number;
  /** How often an instance on standby tries to take the worker's lock; the poll interval by default. */
  lockRetryMs?: number;
  /** Sagas worked on at once (default 8; 1 on PGlite). */
  concurrency?: number;
  /** How long after acting it looks again should the fact it expects not have arrived. */
  recheckMs?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** The instance's one leader election (PostgreSQL); by default the worker holds its own. */
  leadership?: LeaderLocks;
  /** Told of every step performed (for the saga-steps metric); `failed` when it threw and will be retried. */
  onStep?: (step: string, outcome: StepOutcome | 'failed') => void;
}

const LOCK_NAME = 'fulfilment-worker';
/** A compensating step the domain keeps refusing this often is given up on: the saga is FAILED, for a person to look at. */
const MAX_COMPENSATION_REFUSALS = 10;
const PAGE = 100;

/**
 * Performs the saga's due steps through the command handler, outside any transaction.
 * Command ids derive from order and step, so a step performed twice (a crash before its
 * outcome was recorded, two workers during a lock hand-over) writes its events once.
 * On PostgreSQL one instance works at a time, under an advisory lock.
 */
export class FulfilmentWorker {
  private readonly locks: LeaderLocks | undefined;
  private readonly loop: WakeLoop;
  private leading = false;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(private readonly options: FulfilmentWorkerOptions) {
    this.locks =
      options.database.kind === 'postgres'
        ? (options.leadership ?? new LeaderLocks(options.database, options.logger))
        : undefined;
    const poll = options.pollIntervalMs ?? 1_000;
    this.loop = new WakeLoop(
      () => this.pass(poll),
      (error) => {
        options.logger.warn({ err: error }, 'fulfilment worker pass failed; retrying');
        return { sleepMs: poll, wakeable: true };
      },
    );
  }

  async start(): Promise<void> {
    if (this.loop.active) return;
    this.unlisten = await this.options.database.listen(FULFILMENT_CHANNEL, () => this.loop.wake());
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.unlisten?.();
    this.unlisten = undefined;
    if (this.options.leadership) await this.locks?.release(LOCK_NAME);
    else await this.locks?.close();
    this.leading = false;
  }

  /** One page of due sagas, when this instance leads; the next page at once if it was full. */
  private async pass(poll: number): Promise<Next> {
    if (!(await this.lead())) return { sleepMs: this.options.lockRetryMs ?? poll, wakeable: true };
    const due = await dueFulfilments(this.options.database.db, PAGE);
    await this.workOn(due);
    return due.length < PAGE ? { sleepMs: poll, wakeable: true } : 'again';
  }

  /** Whether this instance works now: it holds the lock (always on PGlite); says so when that changes. */
  private async lead(): Promise<boolean> {
    const leading = !this.locks || (await this.locks.acquire([LOCK_NAME])).has(LOCK_NAME);
    if (leading !== this.leading) {
      this.leading = leading;
      this.options.logger.info(
        { saga: 'fulfilment' },
        leading ? 'running the fulfilment worker' : 'fulfilment worker on standby',
      );
    }
    return leading;
  }

  private async workOn(orderIds: string[]): Promise<void> {
    const queue = [...orderIds];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined && !this.loop.stopped; id = queue.shift())
        await this.advance(id);
    };
    // PGlite is one connection: sagas worked on at once would only run longer between requests.
    const concurrency = this.options.concurrency ?? (this.options.database.kind === 'pglite' ? 1 : 8);
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  /** One pass over one saga: every action due now, then when to look again. */
  private async advance(orderId: string): Promise<void> {
    const { database, logger } = this.options;
    const stored = await loadFulfilment(database.db, orderId);
    if (!stored?.nextAttemptAt) return;
    let step: string | undefined;
    try {
      for (const action of nextActions(stored.fulfilment)) {
        step = action.step;
        const { outcome, then } = await performStep(this.options, stored.fulfilment, action);
        this.options.onStep?.(action.step, outcome);
        if (then === 'stop') break;
      }
      await postpone(database.db, orderId, stored.version, this.options.recheckMs ?? 5_000);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (step) this.options.onStep?.(step, 'failed');
      if (error instanceof DomainError && step && stored.attempts + 1 >= MAX_COMPENSATION_REFUSALS) {
        logger.error({ orderId, step, err: error }, 'fulfilment compensation refused; giving up');
        await recordFact(database, orderId, {
          type: 'StepFailed',
          step,
          error: message,
          at: new Date().toISOString(),
        });
        return;
      }
      const initial = this.options.retryInitialMs ?? 200;
      const delay = Math.min(initial * 2 ** stored.attempts, this.options.retryMaxMs ?? 30_000);
      logger.warn({ orderId, attempts: stored.attempts + 1, err: error }, 'fulfilment step failed; retrying');
      await postpone(database.db, orderId, stored.version, delay, { error: message });
    }
  }
}
