import { sql, type SQL } from 'drizzle-orm';
import { isDatabaseUnavailable } from '../db/unavailable.js';

/** The most appends one statement carries. */
const MAX_BATCH = 200;

/** One event for a stream expected at `expected` (0: a new stream). */
export interface SingleAppend {
  streamId: string;
  streamType: string;
  expected: number;
  event: { id: string; type: string; schemaVersion: number; data: unknown; metadata: unknown };
}

/** What an append's statement returns: its event's row, or nulls when the expectation failed. */
export interface AppendRow {
  version: number | null;
  pos: string | null;
  tx: string | null;
}

/** The batch could not decide this append (its statement failed, not for want of a database): run it on its own. */
export const ALONE = Symbol('append alone');

interface Pending extends SingleAppend {
  resolve: (row: AppendRow | typeof ALONE) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for single-event appends: those asked for in one turn of the event loop
 * go to the database as one statement, one transaction and one WAL flush. Each keeps its
 * own expectation: an append whose stream moved on gets no row and fails alone, the rest
 * commit. Under load each append then costs a share of a round trip instead of a whole
 * one. A stream appears once per statement. When the statement fails for any reason but
 * an unreachable database, every append of it runs alone, so one bad append fails alone.
 */
export class AppendBatcher {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly runBatch: (statement: SQL) => Promise<(AppendRow & { stream_id: string })[]>,
    private readonly runAlone: (append: SingleAppend) => Promise<AppendRow | undefined>,
  ) {}

  append(append: SingleAppend): Promise<AppendRow | typeof ALONE> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...append, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const batch: Pending[] = [];
    const later: Pending[] = [];
    const streams = new Set<string>();
    for (const pending of this.queue) {
      if (batch.length < MAX_BATCH && !streams.has(pending.streamId)) {
        streams.add(pending.streamId);
        batch.push(pending);
      } else {
        later.push(pending);
      }
    }
    this.queue = [];
    const done = batch.length === 1 ? this.alone(batch[0]!) : this.together(batch);
    // A second append to a stream of this batch, asked for in the same turn, goes after
    // it. One asked for in a later turn may run beside it: the expected version decides.
    if (later.length > 0) {
      void done.finally(() => {
        this.queue.unshift(...later);
        this.schedule();
      });
    }
  }

  private alone(pending: Pending): Promise<void> {
    return Promise.resolve()
      .then(() => this.runAlone(pending))
      .then((row) => pending.resolve(row ?? NOT_CLAIMED), pending.reject);
  }

  private together(batch: Pending[]): Promise<void> {
    // Built inside the chain: an event that cannot be serialised fails this batch's
    // promise, never the event loop.
    return Promise.resolve()
      .then(() => this.runBatch(batchStatement(batch)))
      .then(
        (found) => {
          const byStream = new Map(found.map((row) => [row.stream_id, row]));
          for (const pending of batch) pending.resolve(byStream.get(pending.streamId) ?? NOT_CLAIMED);
        },
        (error: unknown) => {
          // A database out of reach: every append of the statement shares its one outcome,
          // which is "not written" only if the statement never left (the caller tells which),
          // and unknown if its connection dropped, even after the COMMIT. Otherwise the
          // statement wrote nothing, and the failure may be one append's (a re-sent event id,
          // a value PostgreSQL refuses) or a deadlock with another batch: each append then
          // learns its own outcome alone.
          for (const pending of batch)
            isDatabaseUnavailable(error) ? pending.reject(error) : pending.resolve(ALONE);
        },
      );
  }
}

const NOT_CLAIMED: AppendRow = { version: null, pos: null, tx: null };

/**
 * Claims each stream's next version (a new stream's row, or the expected version moved
 * on by one) and inserts the events of the claims that held, in the order asked for.
 */
function batchStatement(batch: readonly SingleAppend[]): SQL {
  const input = batch.map((a, ord) => ({
    ord,
    stream_id: a.streamId,
    stream_type: a.streamType,
    expected: a.expected,
    id: a.event.id,
    type: a.event.type,
    schema_version: a.event.schemaVersion,
    data: a.event.data,
    metadata: a.event.metadata,
  }));
  return sql`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS x(
        ord int, stream_id text, stream_type text, expected int, id uuid, type text, schema_version int, data jsonb, metadata jsonb)
    ),
    created AS (
      INSERT INTO streams (stream_id, stream_type, version)
      SELECT stream_id, stream_type, 1 FROM input WHERE expected = 0 ORDER BY stream_id
      ON CONFLICT (stream_id) DO NOTHING
      RETURNING stream_id, 0 AS base
    ),
    advanced AS (
      UPDATE streams s SET version = s.version + 1
      FROM (SELECT stream_id, expected FROM input WHERE expected > 0 ORDER BY stream_id) i
      WHERE s.stream_id = i.stream_id AND s.version = i.expected
      RETURNING s.stream_id, s.version - 1 AS base
    ),
    claimed AS (SELECT * FROM created UNION ALL SELECT * FROM advanced)
    INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)
    SELECT i.id, i.stream_id, i.stream_type, c.base + 1, i.type, i.schema_version, i.data, i.metadata
    FROM input i JOIN claimed c ON c.stream_id = i.stream_id
    ORDER BY i.ord
    RETURNING stream_id, stream_version AS version, global_position::text AS pos, transaction_id::text AS tx`;
}
