import type { Db, Tx } from '../db/connect.js';
import { isConnectionRefused, isDatabaseUnavailable } from '../db/unavailable.js';

/**
 * The database went away after a write's commit was sent and before its answer came
 * back: the write may or may not have happened, and only reading it back can tell. Its
 * `cause` is the connection error, so it still counts as the database being unavailable.
 */
export class OutcomeUnknownError extends Error {
  readonly code = 'OUTCOME_UNKNOWN';
  constructor(cause: unknown) {
    super('the database went away after the write was sent: it may or may not have been written', { cause });
    this.name = 'OutcomeUnknownError';
  }
}

/**
 * Runs a statement that commits on its own. One that could not even get a connection was
 * never sent and wrote nothing; one whose connection dropped may have committed.
 */
export async function committingAlone<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isDatabaseUnavailable(error) && !isConnectionRefused(error)) throw new OutcomeUnknownError(error);
    throw error;
  }
}

/**
 * A transaction of its own. The database lost before `work` is done aborts it (the server
 * never commits what it was not told to); lost once `work` is done, while the COMMIT is
 * sent and answered, the outcome is unknown.
 */
export async function committingTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  let committing = false;
  try {
    return await db.transaction(async (tx) => {
      const result = await work(tx);
      committing = true;
      return result;
    });
  } catch (error) {
    if (committing && isDatabaseUnavailable(error)) throw new OutcomeUnknownError(error);
    throw error;
  }
}
