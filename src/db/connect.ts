import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type * as schema from './schema.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, any>;
/** Anything that runs SQL: the database itself or an open transaction. */
export type Executor = Db | Tx;

export type DatabaseTarget =
  // No dataDir: in memory. `from`: a dump of a data directory (PGlite's dumpDataDir) to start
  // from instead of an empty one (tests start from a migrated copy rather than run initdb each time).
  | { kind: 'pglite'; dataDir?: string; from?: Blob }
  | { kind: 'postgres'; url: string; poolMax?: number; connectTimeoutMs?: number };

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  /** Calls `onPayload` for every NOTIFY on `channel` until the returned function is called. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Runs `work` on a connection of its own (session state such as advisory locks stays on it). */
  withSession<T>(work: (session: Session) => Promise<T>): Promise<T>;
  /**
   * Opens a connection outside the pool that lives until closed: for session-level
   * advisory locks held for hours, which must not pin a pool connection and must be
   * known lost the moment their connection is.
   */
  openSession(): Promise<DedicatedSession>;
  /**
   * Runs a statement outside any transaction as a named (server-side prepared) statement
   * on PostgreSQL, so a statement that costs more to plan than to run is planned once per
   * connection. On PGlite it is an ordinary query.
   */
  preparedRows<T>(query: SQL): Promise<T[]>;
  close(): Promise<void>;
}

/** A single connection, for session-scoped state (advisory locks). */
export interface Session {
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface DedicatedSession extends Session {
  /** Settles when the connection ends for any reason; its session locks ended with it. */
  readonly ended: Promise<void>;
  close(): Promise<void>;
}

/** Runs a raw query and returns its rows, the same way on both drivers. */
export async function rows<T>(exec: Executor, query: SQL): Promise<T[]> {
  const result = (await exec.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * Opens PGlite or a PostgreSQL pool. Each driver is loaded only when used: the embedded
 * default never loads pg, nor a PostgreSQL server PGlite's WebAssembly.
 */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return (await loadDriver(target))();
}

/**
 * The driver for `target`, loaded: calling what it returns starts the open at once (PGlite
 * begins compiling its WebAssembly before the first await), so a caller can go on loading
 * other modules while the database opens.
 */
export async function loadDriver(target: DatabaseTarget): Promise<() => Promise<Database>> {
  if (target.kind === 'pglite') {
    const { openPglite } = await import('./connect-pglite.js');
    return () => openPglite(target.dataDir, target.from);
  }
  const { openPostgres } = await import('./connect-postgres.js');
  return () =>
    openPostgres(target.url, target.poolMax ?? 20, target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
