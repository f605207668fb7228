import { sql } from 'drizzle-orm';
import { rows, type Executor } from '../db/connect.js';
import { toIso } from '../db/time.js';
import { encodePosition, lagAfter, START, type Position } from '../eventstore/index.js';
import { LOCK_SPACE } from './leader.js';
import type { ProjectionError } from './types.js';

/** A rebuild that has not reported for this long was interrupted, not running. */
const REBUILD_STALE_SECONDS = 30;

export async function recordFailure(exec: Executor, name: string, error: ProjectionError): Promise<void> {
  await exec.execute(sql`
    INSERT INTO projection_status (name, last_error, error_position, failed_at, updated_at)
    VALUES (${name}, ${error.message}, ${error.position}, ${error.at}, now())
    ON CONFLICT (name) DO UPDATE SET last_error = excluded.last_error, error_position = excluded.error_position,
      failed_at = excluded.failed_at, updated_at = now()`);
}

/** Runs in the transaction of the first batch that succeeds after a failure. */
export async function clearFailure(exec: Executor, name: string): Promise<void> {
  await exec.execute(sql`
    UPDATE projection_status SET last_error = NULL, error_position = NULL, failed_at = NULL, updated_at = now()
    WHERE name = ${name} AND last_error IS NOT NULL`);
}

export async function recordRebuildProgress(
  exec: Executor,
  name: string,
  position: Position | null,
): Promise<void> {
  await exec.execute(sql`
    INSERT INTO projection_status (name, rebuild_position, rebuild_updated_at, updated_at)
    VALUES (${name}, ${position}, CASE WHEN ${position}::text IS NULL THEN NULL ELSE now() END, now())
    ON CONFLICT (name) DO UPDATE SET rebuild_position = excluded.rebuild_position,
      rebuild_updated_at = excluded.rebuild_updated_at, updated_at = now()`);
}

export interface StoredProjectionStatus {
  name: string;
  position: Position;
  eventsBehind: number;
  secondsBehind: number;
  lastError: ProjectionError | null;
  rebuilding: boolean;
  /** Some session holds the projection's runner lock (PostgreSQL; always false on PGlite). */
  locked: boolean;
}

/** What the database knows of each projection, the same from every instance. */
export async function readStoredStatus(
  exec: Executor,
  names: readonly string[],
): Promise<StoredProjectionStatus[]> {
  return Promise.all(
    names.map(async (name) => {
      const [row] = await rows<{
        tx: string | null;
        pos: string | null;
        last_error: string | null;
        error_position: string | null;
        failed_at: string | Date | null;
        rebuilding: boolean;
        locked: boolean;
      }>(
        exec,
        sql`
      SELECT c.transaction_id::text AS tx, c.global_position::text AS pos, s.last_error, s.error_position, s.failed_at,
        coalesce(s.rebuild_updated_at > now() - make_interval(secs => ${REBUILD_STALE_SECONDS}), false) AS rebuilding,
        EXISTS (SELECT 1 FROM pg_locks l
          WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ${LOCK_SPACE} AND l.objid = hashtext(n.name)::oid
            AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS locked
      FROM (SELECT ${name}::text AS name) n
      LEFT JOIN checkpoints c ON c.name = n.name
      LEFT JOIN projection_status s ON s.name = n.name`,
      );
      const position = row?.tx != null && row.pos != null ? encodePosition(row.tx, row.pos) : START;
      const lag = await lagAfter(exec, position);
      return {
        name,
        position,
        ...lag,
        lastError:
          row?.last_error != null
            ? {
                message: row.last_error,
                position: row.error_position,
                at: row.failed_at == null ? '' : toIso(row.failed_at),
              }
            : null,
        rebuilding: row?.rebuilding ?? false,
        locked: row?.locked ?? false,
      };
    }),
  );
}
