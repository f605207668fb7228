import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { sql, type SQL } from 'drizzle-orm';
import { Coalesced } from '../coalesce.js';
import { rows, type Database, type Executor } from '../db/connect.js';
import { sqlState } from '../db/sql-state.js';
import { ALONE, AppendBatcher, type AppendRow } from './append-batch.js';
import { ConcurrencyError, DuplicateEventError } from './errors.js';
import { encodePosition, START, type Position } from './position.js';
import type { EventTypeRegistry } from './registry.js';
import { toStoredEvent, type EventRow, EVENT_COLUMNS } from './rows.js';
import type { AppendResult, DomainEventShape, ExpectedVersion, NewEvent, StoredEvent } from './types.js';

/** The channel the append transaction notifies on commit; a wake-up only. */
export const EVENTS_CHANNEL = 'ledgerline_events';

/**
 * The least time between two NOTIFYs of one store. Each is a transaction of its own
 * (an xid, a commit record, the cluster-wide notify lock): back to back under steady
 * appends they cost about as much as the appends' own stream claims. A reader reads
 * everything new per wake-up, so it loses nothing by one coming up to this much later;
 * the first append after a quiet spell still notifies at once.
 */
const NOTIFY_SPACING_MS = 10;

export interface AppendOptions {
  expectedVersion: ExpectedVersion;
  /** Stream type recorded with the events; defaults to the stream id's prefix. */
  streamType?: string;
  /** Append inside a caller's transaction, committing with it. */
  tx?: Executor;
}

export interface ReadStreamOptions {
  fromVersion?: number;
  toVersion?: number;
  tx?: Executor;
}

export class EventStore<E extends DomainEventShape = DomainEventShape> {
  private readonly notifier: CommitNotifier;
  private readonly batcher: AppendBatcher;
  private readonly committed = new Set<() => void>();

  constructor(
    readonly database: Database,
    readonly registry: EventTypeRegistry<E>,
    private readonly options: { onAppend?: (seconds: number) => void } = {},
  ) {
    this.notifier = new CommitNotifier(database);
    this.batcher = new AppendBatcher(
      (statement) => database.preparedRows(statement),
      (a) => this.appendAlone(a.streamId, a.streamType, a.expected, [a.event], database.db),
    );
  }

  /**
   * Appends all events or none. The stream row is claimed and the events inserted in
   * one statement, so an append costs one round trip and holds its lock only as long
   * as that statement's transaction. Single events for an expected version, outside a
   * caller's transaction, share that statement with others asked for at the same time.
   */
  async appendToStream(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const exec = options.tx ?? this.database.db;
    // The database itself passed as `tx` is no transaction of the caller's.
    const inTransaction = options.tx !== undefined && options.tx !== this.database.db;
    const payload = events.map((e) => ({
      id: e.id,
      type: e.type,
      schemaVersion: this.registry.currentVersion(e.type),
      data: e.data,
      metadata: e.metadata ?? {},
    }));
    const streamType = options.streamType ?? streamId.split('-')[0] ?? streamId;
    let result: AppendRow | undefined;
    const started = performance.now();
    const expected = options.expectedVersion === 'no_stream' ? 0 : options.expectedVersion;
    const [only] = payload;
    const batchable =
      !inTransaction &&
      only !== undefined &&
      payload.length === 1 &&
      typeof expected === 'number' &&
      Number.isInteger(expected) &&
      expected >= 0;
    try {
      const batched = batchable
        ? await this.batcher.append({ streamId, streamType, expected, event: only })
        : ALONE;
      result =
        batched !== ALONE
          ? batched
          : await this.appendAlone(streamId, streamType, options.expectedVersion, payload, exec);
    } catch (error) {
      if (!isUniqueViolation(error) || inTransaction) throw error;
      // Only event ids are unique outside the locked stream row: a re-sent append.
      const prior = await this.priorAppend(streamId, payload, options.expectedVersion, exec);
      if (prior) return prior;
      throw error;
    }
    if (result?.version != null && result.pos != null && result.tx != null) {
      if (!inTransaction) {
        this.notifier.notify();
        for (const listener of this.committed) listener();
      }
      this.options.onAppend?.((performance.now() - started) / 1000);
      return { streamVersion: result.version, position: encodePosition(result.tx, result.pos) };
    }
    const prior = await this.priorAppend(streamId, payload, options.expectedVersion, exec);
    if (prior) return prior;
    throw new ConcurrencyError(streamId, options.expectedVersion, await this.streamVersion(streamId, exec));
  }

  /**
   * One append in a statement of its own. Inside a caller's transaction the NOTIFY must
   * ride on its commit; on its own an append notifies after committing (see
   * CommitNotifier) and runs prepared.
   */
  private async appendAlone(
    streamId: string,
    streamType: string,
    expected: ExpectedVersion,
    payload: EventPayload[],
    exec: Executor,
  ): Promise<AppendRow | undefined> {
    const inTransaction = exec !== this.database.db;
    const statement = appendStatement(streamId, streamType, expected, payload, inTransaction);
    const [row] = inTransaction
      ? await rows<AppendRow>(exec, statement)
      : await this.database.preparedRows<AppendRow>(statement);
    return row;
  }

  /**
   * Calls `listener` whenever an append of this store has committed on its own (not in a
   * caller's transaction): readers in this process hear of it at once, without waiting
   * for the NOTIFY that tells every process. Returns the function that stops it.
   */
  onCommitted(listener: () => void): () => void {
    this.committed.add(listener);
    return () => this.committed.delete(listener);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent<E>[]> {
    const from = options.fromVersion ?? 1;
    const to = options.toVersion ?? 2_147_483_647;
    const found = await rows<EventRow>(
      options.tx ?? this.database.db,
      sql`
      SELECT ${EVENT_COLUMNS} FROM events
      WHERE stream_id = ${streamId} AND stream_version BETWEEN ${from} AND ${to}
      ORDER BY stream_version`,
    );
    return found.map((row) => toStoredEvent(row, this.registry));
  }

  /** The events with these ids, in stream order (of whichever streams hold them). */
  async readEvents(ids: readonly string[], exec: Executor = this.database.db): Promise<StoredEvent<E>[]> {
    if (ids.length === 0) return [];
    const found = await rows<EventRow>(
      exec,
      sql`
      SELECT ${EVENT_COLUMNS} FROM events
      WHERE event_id IN (${sql.join(
        ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})
      ORDER BY stream_id, stream_version`,
    );
    return found.map((row) => toStoredEvent(row, this.registry));
  }

  /** The position of the stream's last event; START when it has none. */
  async lastPosition(streamId: string, exec: Executor = this.database.db): Promise<Position> {
    const [row] = await rows<{ tx: string; pos: string }>(
      exec,
      sql`
      SELECT transaction_id::text AS tx, global_position::text AS pos FROM events
      WHERE stream_id = ${streamId} ORDER BY stream_version DESC LIMIT 1`,
    );
    return row ? encodePosition(row.tx, row.pos) : START;
  }

  /** The stream's current version; 0 when it has no events. */
  async streamVersion(streamId: string, exec: Executor = this.database.db): Promise<number> {
    const [row] = await rows<{ version: number }>(
      exec,
      sql`SELECT version FROM streams WHERE stream_id = ${streamId}`,
    );
    return row?.version ?? 0;
  }

  /**
   * When every event id is already stored, in order, in this stream (and where the
   * expectation said), the append happened before: its original result.
   */
  private async priorAppend(
    streamId: string,
    payload: { id: string; type: string; data: unknown }[],
    expected: ExpectedVersion,
    exec: Executor,
  ): Promise<AppendResult | undefined> {
    const found = await rows<{
      id: string;
      stream_id: string;
      version: number;
      pos: string;
      tx: string;
      same: boolean;
    }>(
      exec,
      sql`
      SELECT e.event_id::text AS id, e.stream_id, e.stream_version AS version, e.global_position::text AS pos,
             e.transaction_id::text AS tx, (e.event_type = x.e->>'type' AND e.data = x.e->'data') AS same
      FROM jsonb_array_elements(${JSON.stringify(payload)}::jsonb) WITH ORDINALITY AS x(e, ord)
      JOIN events e ON e.event_id = (x.e->>'id')::uuid
      ORDER BY x.ord`,
    );
    if (found.length === 0) return undefined;
    const firstVersion = found[0]!.version;
    payload.forEach((event, i) => {
      const row = found.find((r) => r.id === event.id);
      if (!row) throw new DuplicateEventError(found[0]!.id, 'but not with the rest of this append');
      if (row.stream_id !== streamId) throw new DuplicateEventError(row.id, `in stream ${row.stream_id}`);
      if (!row.same) throw new DuplicateEventError(row.id, 'with different content');
      if (row.version !== firstVersion + i)
        throw new DuplicateEventError(row.id, `at version ${row.version}`);
    });
    if (typeof expected === 'number' && firstVersion !== expected + 1) {
      throw new DuplicateEventError(found[0]!.id, `at version ${firstVersion}, not after ${expected}`);
    }
    if (expected === 'no_stream' && firstVersion !== 1) {
      throw new DuplicateEventError(found[0]!.id, `at version ${firstVersion} of an existing stream`);
    }
    const last = found[found.length - 1]!;
    return { streamVersion: last.version, position: encodePosition(last.tx, last.pos) };
  }
}

interface EventPayload {
  id: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: unknown;
}

const EVENT_INSERT = sql.raw(
  'INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)',
);

function appendStatement(
  streamId: string,
  streamType: string,
  expected: ExpectedVersion,
  payload: EventPayload[],
  notify: boolean,
): SQL {
  const claim = claimStream(streamId, streamType, expected, payload.length);
  const [only] = payload;
  if (payload.length === 1 && only) {
    // Most appends carry one event: its columns go as parameters and its row comes back
    // as is, sparing the server a JSON array to take apart and an aggregate over one row.
    return sql`
      WITH s AS (${claim})
      ${EVENT_INSERT}
      SELECT ${only.id}::uuid, ${streamId}, ${streamType}, s.base + 1, ${only.type}, ${only.schemaVersion}::int,
             ${JSON.stringify(only.data)}::jsonb, ${JSON.stringify(only.metadata)}::jsonb
      FROM s
      RETURNING stream_version AS version, global_position::text AS pos, transaction_id::text AS tx
                ${notify ? sql`, pg_notify(${EVENTS_CHANNEL}, '') AS notified` : sql``}`;
  }
  return sql`
    WITH s AS (${claim}),
    e AS (
      ${EVENT_INSERT}
      SELECT (x.e->>'id')::uuid, ${streamId}, ${streamType}, s.base + x.ord::int, x.e->>'type',
             (x.e->>'schemaVersion')::int, x.e->'data', x.e->'metadata'
      FROM s, jsonb_array_elements(${JSON.stringify(payload)}::jsonb) WITH ORDINALITY AS x(e, ord)
      ORDER BY x.ord
      RETURNING global_position, transaction_id, stream_version
    )
    SELECT max(stream_version) AS version, max(global_position)::text AS pos, min(transaction_id::text) AS tx
           ${notify ? sql`, CASE WHEN count(*) > 0 THEN pg_notify(${EVENTS_CHANNEL}, '') END AS notified` : sql``}
    FROM e`;
}

/** Claims the next `count` versions of the stream, or returns no row when the expectation fails. */
function claimStream(streamId: string, streamType: string, expected: ExpectedVersion, count: number): SQL {
  if (expected === 'any') {
    return sql`INSERT INTO streams (stream_id, stream_type, version) VALUES (${streamId}, ${streamType}, ${count})
      ON CONFLICT (stream_id) DO UPDATE SET version = streams.version + ${count}
      RETURNING version - ${count} AS base`;
  }
  if (expected === 'no_stream' || expected === 0) {
    return sql`INSERT INTO streams (stream_id, stream_type, version) VALUES (${streamId}, ${streamType}, ${count})
      ON CONFLICT (stream_id) DO NOTHING
      RETURNING 0 AS base`;
  }
  if (!Number.isInteger(expected) || expected < 0) throw new Error(`invalid expected version ${expected}`);
  return sql`UPDATE streams SET version = version + ${count} WHERE stream_id = ${streamId} AND version = ${expected}
    RETURNING version - ${count} AS base`;
}

function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === '23505';
}

/**
 * NOTIFY takes a cluster-wide lock that is held until the commit record is flushed, so
 * appends that notified in their own transaction could not share WAL flushes and
 * committed one at a time. An append on its own therefore notifies after its commit,
 * with at most one NOTIFY in flight: appends that land meanwhile are covered by one more.
 */
class CommitNotifier {
  // A lost wake-up costs a reader one poll interval, never an event.
  private readonly sender = new Coalesced(async () => {
    await this.database.db.execute(sql`SELECT pg_notify(${EVENTS_CHANNEL}, '')`).catch(() => {});
    await delay(NOTIFY_SPACING_MS);
  });

  constructor(private readonly database: Database) {}

  notify(): void {
    this.sender.wake();
  }
}
