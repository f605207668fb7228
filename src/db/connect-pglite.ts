import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { rows, type Database, type Db } from './connect.js';
import { lockDataDir } from './data-dir-lock.js';
import { collectInitdbGarbage, needsInitdb } from './initdb-garbage.js';
import * as schema from './schema.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * PGlite runs every statement on this process's event loop, and its promises resolve
 * without leaving it: a chain of hundreds of statements (a saga of 100 lines, a projection
 * catching up) would run unbroken while no request is even read. Each statement and
 * transaction therefore starts on a turn of its own, so requests interleave with
 * whatever background work runs; PostgreSQL needs none of this.
 */
class FairPGlite extends PGlite {
  override async query<T>(
    ...args: Parameters<PGlite['query']>
  ): Promise<Awaited<ReturnType<PGlite['query']>> & { rows: T[] }> {
    await nextTurn();
    return super.query<T>(...args) as never;
  }

  override async transaction<T>(callback: Parameters<PGlite['transaction']>[0]): Promise<T> {
    await nextTurn();
    return super.transaction(callback) as Promise<T>;
  }
}

export async function openPglite(dataDir: string | undefined, from?: Blob): Promise<Database> {
  const onDisk = dataDir !== undefined && !dataDir.includes('://');
  const release = onDisk ? lockDataDir(dataDir) : () => {};
  const fresh = onDisk && needsInitdb(dataDir);
  const client = new FairPGlite({ dataDir, loadDataDir: from });
  try {
    await client.waitReady;
  } catch (error) {
    release();
    throw error;
  }
  if (fresh) await collectInitdbGarbage();
  const db = drizzle({ client, schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    async listen(channel, onPayload) {
      const unlisten = await client.listen(channel, onPayload);
      return async () => {
        if (!client.closed) await unlisten();
      };
    },
    // PGlite is one connection: session state is simply the database's.
    withSession: (work) =>
      work({
        query: async <T>(text: string, params?: unknown[]) => (await client.query<T>(text, params)).rows,
      }),
    async openSession() {
      let end!: () => void;
      const ended = new Promise<void>((resolve) => {
        end = resolve;
      });
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
