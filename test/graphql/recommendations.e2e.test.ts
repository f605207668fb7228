import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, rows, type Database, type Executor } from '../../src/db/connect.js';
import { migrate, MIGRATIONS_FOLDER } from '../../src/db/migrate.js';
import { comparePositions } from '../../src/eventstore/index.js';
import { EventStore } from '../../src/eventstore/index.js';
import { LOCK_SPACE } from '../../src/processing/index.js';
import { ordersProjection } from '../../src/projections/orders/projection.js';
import { usersProjection } from '../../src/projections/users/projection.js';
import { silentLogger } from '../support/commands.js';
import { createPostgresDatabase, ENGINES, type Engine } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { EXPECTED, PRODUCTS, USERS, writeScenario } from '../projections/recommendations-scenario.js';
import { catchUp, registry, until } from '../projections/support.js';

const RECOMMEND = `query($userId: ID, $productId: ID, $first: Int) {
  recommendations(userId: $userId, productId: $productId, first: $first) { productId productName score }
}`;
const PROJECTIONS = '{ projections { name position eventsBehind state } }';

type Gql = (query: string, variables?: Record<string, unknown>) => Promise<{ data?: any; errors?: any[] }>;
type Answers = Record<string, unknown>;

/** Every user's and every product's recommendations, as the API gives them. */
async function answers(gql: Gql): Promise<Answers> {
  const all: Answers = {};
  for (const productId of PRODUCTS)
    all[`product ${productId}`] = (await gql(RECOMMEND, { productId })).data?.recommendations;
  for (const userId of USERS)
    all[`user ${userId}`] = (await gql(RECOMMEND, { userId })).data?.recommendations;
  return all;
}

const expectedAnswers = (): Answers =>
  Object.fromEntries([
    ...PRODUCTS.map((p) => [`product ${p}`, EXPECTED.products[p].map((r) => ({ ...r, productName: null }))]),
    ...USERS.map((u) => [`user ${u}`, EXPECTED.users[u].map((r) => ({ ...r, productName: null }))]),
  ]);

async function recommendationsStatus(gql: Gql) {
  const { data } = await gql(PROJECTIONS);
  return (
    data?.projections as { name: string; position: string; eventsBehind: number; state: string }[]
  ).find((p) => p.name === 'recommendations');
}

async function caughtUp(gql: Gql): Promise<void> {
  await until(
    async () => {
      const status = await recommendationsStatus(gql);
      return status?.eventsBehind === 0 && status.state === 'running';
    },
    20_000,
    'recommendations caught up',
  );
}

/** The checkpoints of the projections that were there before, and of this one. */
async function checkpointRows(exec: Executor) {
  return rows<{ name: string; position: string }>(
    exec,
    sql`
    SELECT name, transaction_id::text || ':' || global_position AS position
    FROM checkpoints WHERE name IN ('orders', 'users', 'recommendations') ORDER BY name`,
  );
}

describe.each(ENGINES)('recommendations over HTTP on %s', (engine) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(engine);
    await writeScenario(new EventStore(server.app.services!.database, registry));
    await caughtUp(server.gql);
  });
  afterAll(() => server.stop());

  it('recommends for a product and for a user, highest score first, ties by product id', async () => {
    expect(await answers(server.gql)).toEqual(expectedAnswers());
    const top = await server.gql(RECOMMEND, { userId: 'bob', first: 1 });
    expect(top.data.recommendations).toEqual([{ productId: 'C', productName: null, score: 2 }]);
    const unknown = await server.gql(RECOMMEND, { productId: 'never-sold' });
    expect(unknown.data.recommendations).toEqual([]);
  });

  it('wants exactly one of userId and productId, and first from 1 to 100', async () => {
    for (const variables of [
      {},
      { userId: 'bob', productId: 'A' },
      { productId: 'A', first: 0 },
      { userId: 'bob', first: 101 },
    ]) {
      const result = await server.gql(RECOMMEND, variables);
      expect(result.data, JSON.stringify(variables)).toBeNull();
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
    }
    const both = await server.gql(RECOMMEND, { userId: 'bob', productId: 'A' });
    expect(both.errors?.[0]?.message).toMatch(/exactly one of userId and productId/);
    const hundred = await server.gql(RECOMMEND, { productId: 'A', first: 100 });
    expect(hundred.data.recommendations).toHaveLength(3);
  });

  it('backfills from the whole feed on a database that held orders before it existed, and nothing else replays', async () => {
    const before = await preFeatureDatabase(engine);
    try {
      await writeScenario(new EventStore(before.database, registry));
      // The other projections are brought up to date first, so that only this one is new
      // when the server starts. Today's code may need today's tables for that.
      await migrate(before.database);
      await catchUp(before.database, ordersProjection, 1_000);
      await catchUp(before.database, usersProjection, 1_000);
      const checkpoints = await checkpointRows(before.database.db);
      expect(checkpoints.map((c) => c.name)).toEqual(['orders', 'users']);
      // A replay of orders would rewrite this unpaid order's row from its OrderCreated.
      await before.database.db.execute(
        sql`UPDATE orders SET tracking_number = 'not replayed' WHERE id = 'o6'`,
      );
      const [written] = await rows<{ n: number }>(
        before.database.db,
        sql`SELECT count(*)::int AS n FROM events`,
      );
      await before.database.close();

      // PostgreSQL: keep the backfill from starting a while, to watch the server serve meanwhile.
      const held = engine === 'postgres' ? await holdRunnerLock(before.url!, 'recommendations') : undefined;
      const app = buildApp(before.config, silentLogger);
      const { url } = await app.start(0);
      const gql: Gql = async (query, variables) =>
        (
          await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query, variables }),
          })
        ).json() as Promise<any>;
      try {
        if (held) {
          const status = await recommendationsStatus(gql);
          expect(status).toMatchObject({ position: '0:0', state: 'standby' });
          expect(status!.eventsBehind).toBeGreaterThanOrEqual(written!.n);
          expect((await gql(RECOMMEND, { productId: 'A' })).data.recommendations).toEqual([]);
          // A write's read-your-writes does not wait for the backfill.
          const started = Date.now();
          const registered =
            await gql(`mutation { registerUser(input: { username: "dave", email: "dave@example.com" }) {
            __typename ... on RegisterUserSuccess { user { username } } } }`);
          expect(registered.errors).toBeUndefined();
          expect(registered.data.registerUser).toEqual({
            __typename: 'RegisterUserSuccess',
            user: { username: 'dave' },
          });
          expect(Date.now() - started).toBeLessThan(2_000);
          await held.release();
        }
        await caughtUp(gql);
        // The same answers as the server that ran it from the start.
        expect(await answers(gql)).toEqual(await answers(server.gql));
        expect(await answers(gql)).toEqual(expectedAnswers());
        const after = await checkpointRows(app.services!.database.db);
        expect(after.map((c) => c.name)).toEqual(['orders', 'recommendations', 'users']);
        for (const { name, position } of checkpoints) {
          expect(
            comparePositions(after.find((c) => c.name === name)!.position, position),
            name,
          ).toBeGreaterThanOrEqual(0);
        }
        const [o6] = await rows<{ tracking_number: string }>(
          app.services!.database.db,
          sql`SELECT tracking_number FROM orders WHERE id = 'o6'`,
        );
        expect(o6?.tracking_number).toBe('not replayed');
      } finally {
        await held?.release();
        await app.stop();
      }
    } finally {
      await before.dispose();
    }
  });
});

interface PreFeature {
  database: Database;
  config: Config;
  url?: string;
  dispose(): Promise<void>;
}

/**
 * A database migrated only as far as before the recommendations migration, as one
 * deployed earlier would be; the server under test applies the rest when it starts.
 */
async function preFeatureDatabase(engine: Engine): Promise<PreFeature> {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerline-recommendations-'));
  const migrations = join(dir, 'migrations');
  cpSync(MIGRATIONS_FOLDER, migrations, { recursive: true });
  const journalPath = join(migrations, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag.endsWith('_recommendations'));
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, cut) }));
  const base = loadConfig({ HOST: '127.0.0.1', PORT: '0' });
  if (engine === 'pglite') {
    const dataDir = join(dir, 'data');
    const database = await openDatabase({ kind: 'pglite', dataDir });
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: migrations });
    return {
      database,
      config: { ...base, database: { kind: 'pglite', dataDir } },
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const fresh = await createPostgresDatabase();
  const database = await openDatabase({ kind: 'postgres', url: fresh.url, poolMax: 5 });
  await migratePg(database.db as unknown as NodePgDatabase, { migrationsFolder: migrations });
  return {
    database,
    url: fresh.url,
    config: { ...base, database: { kind: 'postgres', url: fresh.url, poolMax: 10 } },
    dispose: async () => {
      await fresh.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Takes the projection's runner lock as another instance would: the server stands by
 * (it does not run the projection) until it is released. An open transaction could not
 * do this: it would hold back the whole feed, which never shows a running transaction's
 * successors.
 */
async function holdRunnerLock(url: string, name: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_SPACE, name]);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await client.end();
    },
  };
}
