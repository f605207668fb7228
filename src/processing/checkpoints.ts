import { sql } from 'drizzle-orm';
import { rows, type Executor } from '../db/connect.js';
import { decodePosition, encodePosition, START, type Position } from '../eventstore/index.js';

/** Sent in the transaction that moves a checkpoint, so waiters on any instance re-check. */
export const CHECKPOINT_CHANNEL = 'ledgerline_checkpoints';

export interface CheckpointMoved {
  name: string;
  position: Position;
}

/**
 * Locks the projection's checkpoint row for the rest of the transaction and returns it.
 * Every batch and the rebuild's switch take this lock first, so two runners (say, a
 * former lock holder still finishing a batch) can never apply the same events twice.
 */
export async function lockCheckpoint(tx: Executor, name: string): Promise<Position> {
  const select = sql`SELECT transaction_id::text AS tx, global_position::text AS pos
    FROM checkpoints WHERE name = ${name} FOR UPDATE`;
  let [row] = await rows<{ tx: string; pos: string }>(tx, select);
  if (!row) {
    await tx.execute(sql`INSERT INTO checkpoints (name, transaction_id, global_position)
      VALUES (${name}, '0'::xid8, 0) ON CONFLICT (name) DO NOTHING`);
    [row] = await rows<{ tx: string; pos: string }>(tx, select);
  }
  return row ? encodePosition(row.tx, row.pos) : START;
}

/**
 * Moves the checkpoint and tells waiters on commit. With `expected`, only from that
 * position (compare-and-set, no lock taken beforehand): false when it was elsewhere.
 */
export async function saveCheckpoint(
  tx: Executor,
  name: string,
  position: Position,
  expected?: Position,
): Promise<boolean> {
  const { tx: xid, pos } = decodePosition(position);
  const payload = JSON.stringify({ name, position } satisfies CheckpointMoved);
  const from = expected === undefined ? undefined : decodePosition(expected);
  const saved = await rows(
    tx,
    sql`
    WITH saved AS (
      UPDATE checkpoints SET transaction_id = ${xid.toString()}::xid8, global_position = ${pos.toString()}::bigint,
        updated_at = now()
      WHERE name = ${name}
        ${from ? sql`AND transaction_id = ${from.tx.toString()}::xid8 AND global_position = ${from.pos.toString()}::bigint` : sql``}
      RETURNING name
    )
    SELECT pg_notify(${CHECKPOINT_CHANNEL}, ${payload}) FROM saved`,
  );
  return saved.length > 0;
}

export async function readCheckpoints(
  exec: Executor,
  names: readonly string[],
): Promise<Map<string, Position>> {
  const found = await rows<{ name: string; tx: string; pos: string }>(
    exec,
    sql`
    SELECT name, transaction_id::text AS tx, global_position::text AS pos FROM checkpoints
    WHERE name IN (SELECT jsonb_array_elements_text(${JSON.stringify(names)}::jsonb))`,
  );
  const positions = new Map<string, Position>(names.map((name) => [name, START]));
  for (const row of found) positions.set(row.name, encodePosition(row.tx, row.pos));
  return positions;
}

export function parseCheckpointMoved(payload: string): CheckpointMoved | undefined {
  try {
    const value = JSON.parse(payload) as Partial<CheckpointMoved>;
    if (typeof value.name !== 'string' || typeof value.position !== 'string') return undefined;
    decodePosition(value.position);
    return { name: value.name, position: value.position };
  } catch {
    return undefined;
  }
}
