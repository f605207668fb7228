import type { SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { Database, Db } from './connect.js';
import { PgListener } from './listener.js';
import * as schema from './schema.js';

const dialect = new PgDialect();
/** Statement text → name; the same text always gets the same name, in every pool. */
const statementNames = new Map<string, string>();

/**
 * How every connection to PostgreSQL is made. A server that accepts the socket but never
 * answers fails the connect after `connectTimeoutMs` (waiting for a free pool connection
 * counts too) rather than hanging the request; TCP keepalive, from 10 s of silence on,
 * lets the kernel find a peer that vanished without closing the connection.
 */
function connectionOptions(url: string, connectTimeoutMs: number): pg.ClientConfig {
  return {
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

export async function openPostgres(
  url: string,
  poolMax: number,
  connectTimeoutMs: number,
): Promise<Database> {
  const options = connectionOptions(url, connectTimeoutMs);
  const pool = new pg.Pool({ ...options, max: poolMax });
  // A client that loses its server (restart, idle-in-transaction timeout) must not crash
  // the process: an idle one the pool replaces, a checked-out one fails its query.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzle({ client: pool, schema }) as unknown as Db;
  const listener = new PgListener(options);
  return {
    kind: 'postgres',
    db,
    listen: (channel, onPayload) => listener.listen(channel, onPayload),
    async withSession(work) {
      const client = await pool.connect();
      try {
        return await work({
          query: async <T>(text: string, params?: unknown[]) =>
            (await client.query(text, params)).rows as T[],
        });
      } finally {
        client.release();
      }
    },
    async openSession() {
      const client = new pg.Client(options);
      let end!: () => void;
      const ended = new Promise<void>((resolve) => {
        end = resolve;
      });
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
