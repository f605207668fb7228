import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT, type PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.js';
import { lockDataDir } from './data-dir-lock.js';
import { PgListener } from './listener.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, any>;
/** Anything that runs SQL: the database itself or an open transaction. */
export type Executor = Db | Tx;

export type DatabaseTarget =
  | { kind: 'pglite'; dataDir?: string }  // no dataDir: in memory
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

const dialect = new PgDialect();
/** Statement text → name; the same text always gets the same name, in every pool. */
const statementNames = new Map<string, string>();

/** Runs a raw query and returns its rows, the same way on both drivers. */
export async function rows<T>(exec: Executor, query: SQL): Promise<T[]> {
  const result = (await exec.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'pglite'
    ? openPglite(target.dataDir)
    : openPostgres(target.url, target.poolMax ?? 20, target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * How every connection to PostgreSQL is made. A server that accepts the socket but never
 * answers fails the connect after `connectTimeoutMs` (waiting for a free pool connection
 * counts too) rather than hanging the request; TCP keepalive, from 10 s of silence on,
 * lets the kernel find a peer that vanished without closing the connection.
 */
function connectionOptions(url: string, connectTimeoutMs: number): pg.ClientConfig {
  return { connectionString: url, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true, keepAliveInitialDelayMillis: 10_000 };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * PGlite runs every statement on this process's event loop, and its promises resolve
 * without leaving it: a chain of hundreds of statements (a saga of 100 lines, a projection
 * catching up) would run unbroken while no request is even read. Each statement and
 * transaction therefore starts on a turn of its own, so requests interleave with
 * whatever background work runs; PostgreSQL needs none of this.
 */
class FairPGlite extends PGlite {
  override async query<T>(...args: Parameters<PGlite['query']>): Promise<Awaited<ReturnType<PGlite['query']>> & { rows: T[] }> {
    await nextTurn();
    return super.query<T>(...args) as never;
  }

  override async transaction<T>(callback: Parameters<PGlite['transaction']>[0]): Promise<T> {
    await nextTurn();
    return super.transaction(callback) as Promise<T>;
  }
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  const onDisk = dataDir !== undefined && !dataDir.includes('://');
  const release = onDisk ? lockDataDir(dataDir) : () => {};
  const client = new FairPGlite(dataDir);
  try {
    await client.waitReady;
  } catch (error) {
    release();
    throw error;
  }
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    async listen(channel, onPayload) {
      const unlisten = await client.listen(channel, onPayload);
      return async () => { if (!client.closed) await unlisten(); };
    },
    // PGlite is one connection: session state is simply the database's.
    withSession: (work) => work({
      query: async <T>(text: string, params?: unknown[]) => (await client.query<T>(text, params)).rows,
    }),
    async openSession() {
      let end!: () => void;
      const ended = new Promise<void>((resolve) => { end = resolve; });
      return {
        ended,
        query: async <T>(text: string, params?: unknown[]) => (await client.query<T>(text, params)).rows,
        close: async () => end(),
      };
    },
    preparedRows: (query) => rows(db, query),
    async close() {
      await client.close();
      release();
    },
  };
}

async function openPostgres(url: string, poolMax: number, connectTimeoutMs: number): Promise<Database> {
  const options = connectionOptions(url, connectTimeoutMs);
  const pool = new pg.Pool({ ...options, max: poolMax });
  // A client that loses its server (restart, idle-in-transaction timeout) must not crash
  // the process: an idle one the pool replaces, a checked-out one fails its query.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  const listener = new PgListener(options);
  return {
    kind: 'postgres',
    db,
    listen: (channel, onPayload) => listener.listen(channel, onPayload),
    async withSession(work) {
      const client = await pool.connect();
      try {
        return await work({ query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[] });
      } finally {
        client.release();
      }
    },
    async openSession() {
      const client = new pg.Client(options);
      let end!: () => void;
      const ended = new Promise<void>((resolve) => { end = resolve; });
      client.on('error', () => end());
      client.on('end', () => end());
      await client.connect();
      return {
        ended,
        query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[],
        async close() {
          await client.end().catch(() => {});
          end();
        },
      };
    },
    async preparedRows<T>(query: SQL) {
      const { sql: text, params } = dialect.sqlToQuery(query);
      let name = statementNames.get(text);
      if (!name) {
        name = `ledgerline_${statementNames.size + 1}`;
        statementNames.set(text, name);
      }
      return (await pool.query({ name, text, values: params })).rows as T[];
    },
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}
