import { and, desc, eq, lte } from 'drizzle-orm';
import type { Executor } from '../db/connect.js';
import { snapshots } from '../db/schema.js';

export interface Snapshot<S> { version: number; state: S }

/** Saves the state of a stream as of `version`, tagged with the state's schema version. */
export async function saveSnapshot<S>(
  exec: Executor, streamId: string, version: number, schemaVersion: number, state: S,
): Promise<void> {
  await exec.insert(snapshots).values({ streamId, version, schemaVersion, state }).onConflictDoNothing();
}

/**
 * The latest snapshot at or before `maxVersion` that has the code's schema version;
 * one written by another version of the state is ignored, and the stream is folded instead.
 */
export async function loadSnapshot<S>(
  exec: Executor, streamId: string, schemaVersion: number, maxVersion?: number,
): Promise<Snapshot<S> | undefined> {
  const [row] = await exec.select({ version: snapshots.version, state: snapshots.state }).from(snapshots)
    .where(and(
      eq(snapshots.streamId, streamId),
      eq(snapshots.schemaVersion, schemaVersion),
      maxVersion === undefined ? undefined : lte(snapshots.version, maxVersion),
    ))
    .orderBy(desc(snapshots.version))
    .limit(1);
  return row ? { version: row.version, state: row.state as S } : undefined;
}
