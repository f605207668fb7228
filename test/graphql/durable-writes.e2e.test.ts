import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderStreamId } from '../../src/domain/index.js';
import { waitUntil } from '../support/clients.js';
import { ENGINES } from '../support/database.js';
import { ONE_LINE } from '../support/orders.js';
import { CAN_START_CLUSTER, startPrivateCluster, type PrivateCluster } from '../support/pg-cluster.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const CREATE = `mutation($i: CreateOrderInput!, $key: String) {
  createOrder(input: $i, idempotencyKey: $key) {
    __typename
    ... on CreateOrderSuccess { position order { id status } }
    ... on Error { code message }
    ... on WrittenNotReadableError { position }
  }
}`;
const ORDER = 'query($id: ID!, $at: Position) { order(id: $id, consistentWith: $at) { id status } }';

/**
 * What a mutation answers when PostgreSQL goes away in the middle of it, at a step held by
 * a table lock the test takes: PostgreSQL is stopped once the write's event is committed
 * and while the read-back waits; an append's connection is cut while it waits inside or
 * outside a transaction. A PostgreSQL of its own: never the machine's shared server.
 */
describe.runIf(ENGINES.includes('postgres') && CAN_START_CLUSTER)(
  'a mutation when PostgreSQL stops around its commit',
  () => {
    let cluster: PrivateCluster;
    let server: ServerProcess;
    beforeAll(async () => {
      cluster = await startPrivateCluster();
      server = await startServerProcess('durable-writes', { DATABASE_URL: cluster.url });
    });
    afterAll(async () => {
      await server?.kill('SIGKILL');
      await cluster?.destroy();
    });

    const create = (id: string, key?: string) =>
      server.gql(CREATE, { i: { id, userId: 'user-1', items: ONE_LINE }, key });

    /** A session holding `table` locked against everyone (reads included) until it ends or the cluster stops. */
    async function lockTable(table: string): Promise<pg.Client> {
      const client = new pg.Client({ connectionString: cluster.url });
      client.on('error', () => {});
      await client.connect();
      await client.query('BEGIN');
      await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      return client;
    }

    /** Stops PostgreSQL, lets `during` run against the stopped server, then starts it and waits until the server is healthy. */
    async function outage<T>(during: () => Promise<T>): Promise<T> {
      await cluster.stop();
      try {
        return await during();
      } finally {
        await cluster.start();
        await waitUntil(
          async () => (await fetch(server.url.replace('/graphql', '/health'))).status === 200,
          20_000,
        );
      }
    }

    it('answers a write whose read-back met no database with WrittenNotReadableError and its position, never UNAVAILABLE', async () => {
      // Given the orders table locked, the projection and the read-back wait behind it.
      await lockTable('orders');
      // When the order's event is committed, PostgreSQL stops before the read-back can run.
      const answered = create('durable-1', 'durable-1');
      const position = await committedPosition(cluster.url, orderStreamId('durable-1'));
      const answer = await outage(() => answered);

      // Then the answer says it is written, and where.
      expect(answer.errors).toBeUndefined();
      expect(answer.data.createOrder).toEqual({
        __typename: 'WrittenNotReadableError',
        code: 'WRITTEN_NOT_READABLE',
        position,
        message: expect.stringContaining(`durably, at position ${position}`),
      });
      // And after the restart the order is readable at that position.
      await waitUntil(
        async () =>
          (await server.gql(ORDER, { id: 'durable-1', at: position })).data?.order?.status === 'PENDING',
        20_000,
      );
      // The same key answers with the write it made, not a second one.
      const again = await create('durable-1', 'durable-1');
      expect(again.data.createOrder).toMatchObject({
        __typename: 'CreateOrderSuccess',
        position,
        order: { id: 'durable-1', status: 'PENDING' },
      });
    });

    it('answers OUTCOME_UNKNOWN, never UNAVAILABLE, when the connection drops under an append that commits by itself', async () => {
      // Given the streams table locked, an append without an idempotency key (one statement, its own transaction) waits on it.
      const lock = await lockTable('streams');
      const answered = create('unknown-1');
      // When its connection is cut (as a restart cuts it), the statement was sent: whether it committed cannot be told.
      await terminateWaitingAppend(cluster.url);
      const answer = await answered;
      await lock.end();

      expect(answer.data?.createOrder ?? null).toBeNull();
      expect(answer.errors?.[0]?.extensions?.code).toBe('OUTCOME_UNKNOWN');
      expect(answer.errors?.[0]?.message).toMatch(/unknown.*without an idempotency key/);
    });

    it('answers UNAVAILABLE when the connection drops before the commit, and then nothing was written', async () => {
      // Given the streams table locked, an append in the idempotency key's transaction waits on it, before any COMMIT.
      const lock = await lockTable('streams');
      const answered = create('refused-1', 'refused-1');
      await terminateWaitingAppend(cluster.url);
      const answer = await answered;
      await lock.end();

      expect(answer.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
      expect(await eventsOf(cluster.url, orderStreamId('refused-1'))).toEqual([]);
      // A retry with the same key writes it, once.
      const retried = await create('refused-1', 'refused-1');
      expect(retried.data.createOrder).toMatchObject({
        __typename: 'CreateOrderSuccess',
        order: { id: 'refused-1', status: 'PENDING' },
      });
      expect(await eventsOf(cluster.url, orderStreamId('refused-1'))).toHaveLength(1);
    });
  },
);

async function query<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const eventsOf = (url: string, streamId: string) =>
  query<{ p: string }>(
    url,
    `SELECT transaction_id::text || ':' || global_position AS p FROM events WHERE stream_id = $1`,
    [streamId],
  );

/** Waits until the stream's first event is committed; its position. */
async function committedPosition(url: string, streamId: string): Promise<string> {
  let position: string | undefined;
  await waitUntil(async () => (position = (await eventsOf(url, streamId))[0]?.p) !== undefined, 10_000);
  return position!;
}

/**
 * Waits until an append waits for the lock on the streams table, then ends its backend as a
 * fast shutdown would (57P01), without releasing the lock first: it cannot commit.
 */
async function terminateWaitingAppend(url: string): Promise<void> {
  const waiting = `SELECT pid FROM pg_stat_activity
    WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO streams%' AND pid <> pg_backend_pid()`;
  let pid: number | undefined;
  await waitUntil(
    async () => (pid = (await query<{ pid: number }>(url, waiting))[0]?.pid) !== undefined,
    10_000,
  );
  await query(url, 'SELECT pg_terminate_backend($1)', [pid]);
}
