import type { Database } from '../db/connect.js';

/**
 * How long one projection batch may hold PGlite. PGlite is a single connection and runs
 * every statement on the event loop itself: while a batch's transaction is open no
 * request's query runs, and while one of its statements runs no request is even read.
 * Batches sized to this budget let requests in between them; PostgreSQL, where readers
 * never wait for a projection's transaction, keeps whole batches.
 */
export const PGLITE_BATCH_BUDGET_MS = 20;

/** Where a paced batch size starts, and the fewest events it shrinks to. */
const FIRST_PACED_SIZE = 100;
const FEWEST = 1;

/** The time budget of a projection batch on this database; undefined: batches are not paced. */
export function batchBudgetMs(database: Pick<Database, 'kind'>): number | undefined {
  return database.kind === 'pglite' ? PGLITE_BATCH_BUDGET_MS : undefined;
}

/**
 * The number of events to ask for next, learnt from how long the last batches took. A
 * batch over the budget makes the next one as much smaller as it was over (down to one
 * event: a single event that costs more than the budget is still applied); a full batch
 * well under it doubles the next, up to `max`. Without a budget every batch is `max`.
 */
export class BatchPacer {
  private size: number;

  constructor(
    private readonly max: number,
    private readonly budgetMs: number | undefined,
  ) {
    this.size = budgetMs === undefined ? max : Math.min(max, FIRST_PACED_SIZE);
  }

  next(): number {
    return this.size;
  }

  /** A batch that asked for next() events read `read` of them in `ms`. */
  took(read: number, ms: number): void {
    if (this.budgetMs === undefined || read === 0) return;
    if (ms > this.budgetMs) {
      this.size = Math.max(FEWEST, Math.min(this.size, Math.floor((read * this.budgetMs) / ms)));
    } else if (read >= this.size && ms * 2 <= this.budgetMs) {
      this.size = Math.min(this.max, this.size * 2);
    }
  }
}
