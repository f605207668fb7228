import { sql } from 'drizzle-orm';
import { rows, type Db, type Tx } from '../db/connect.js';
import { committingTransaction } from './outcome.js';

export class IdempotencyConflictError extends Error {
  readonly code = 'IDEMPOTENCY_CONFLICT';
  constructor(readonly key: string) {
    super(`idempotency key "${key}" was already used for a different request`);
    this.name = 'IdempotencyConflictError';
  }
}

/**
 * Runs `work` at most once per key. The key row is claimed in the same transaction as
 * the command's writes, so a concurrent duplicate waits on that row and then reads the
 * stored result; when the first attempt fails, nothing is kept and the next one runs.
 * An expired key is claimed again as if new. A database lost while the COMMIT is under way
 * leaves the outcome unknown (OutcomeUnknownError): the same key tells on the next try.
 */
export async function onceForKey<T>(
  db: Db,
  key: string,
  hash: string,
  ttlMs: number,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  return committingTransaction(db, async (tx) => {
    const claimed = await rows(
      tx,
      sql`
      INSERT INTO idempotency_keys (key, request_hash, expires_at)
      VALUES (${key}, ${hash}, now() + ${`${ttlMs} milliseconds`}::interval)
      ON CONFLICT (key) DO UPDATE
        SET request_hash = excluded.request_hash, result = NULL, created_at = now(), expires_at = excluded.expires_at
        WHERE idempotency_keys.expires_at < now()
      RETURNING key`,
    );
    if (claimed.length === 0) {
      const [stored] = await rows<{ request_hash: string; result: T }>(
        tx,
        sql`
        SELECT request_hash, result FROM idempotency_keys WHERE key = ${key}`,
      );
      if (!stored || stored.request_hash !== hash) throw new IdempotencyConflictError(key);
      return stored.result;
    }
    const result = await work(tx);
    await tx.execute(
      sql`UPDATE idempotency_keys SET result = ${JSON.stringify(result)}::jsonb WHERE key = ${key}`,
    );
    return result;
  });
}

/** Deletes expired keys; returns how many. */
export async function purgeExpiredKeys(db: Db): Promise<number> {
  const deleted = await rows(db, sql`DELETE FROM idempotency_keys WHERE expires_at < now() RETURNING key`);
  return deleted.length;
}
