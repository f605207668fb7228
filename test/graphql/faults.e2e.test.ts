import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { createEventTypeRegistry } from '../../src/event-types.js';
import { checkOrders } from '../../src/projections/orders/checker.js';
import { LOCK_SPACE } from '../../src/processing/index.js';
import { PROJECTIONS } from '../../src/projections/projections.js';
import { collect, waitUntil, wsClient } from '../support/clients.js';
import { ENGINES } from '../support/database.js';
import {
  ALL_CHANGES,
  compareDelivery,
  createOrder,
  historyPositions,
  payOrder,
  readOrder,
  type Outcome,
} from '../support/orders.js';
import { CAN_START_CLUSTER, startPrivateCluster, type PrivateCluster } from '../support/pg-cluster.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

// A PostgreSQL of its own that the test may stop: never the machine's shared server.
describe.runIf(ENGINES.includes('postgres') && CAN_START_CLUSTER)('PostgreSQL restarted under load', () => {
  let cluster: PrivateCluster;
  let server: ServerProcess;
  beforeAll(async () => {
    cluster = await startPrivateCluster();
    server = await startServerProcess('faults', { DATABASE_URL: cluster.url });
  });
  afterAll(async () => {
    await server?.kill('SIGKILL');
    await cluster?.destroy();
  });

  const shipped = (items: any[], orderId: string) =>
    items.some((d) => d.orderStatusChanged.orderId === orderId && d.orderStatusChanged.to === 'SHIPPED');

  it('fails commands fast with UNAVAILABLE, writes nothing partial, and resumes everything afterwards', async () => {
    const gql = server.gql.bind(server);
    const client = wsClient(server.wsUrl);
    const changes = collect(client, ALL_CHANGES);
    await new Promise((r) => setTimeout(r, 300));
    await createOrder(gql, 'before');
    await payOrder(gql, 'before');
    await waitUntil(() => shipped(changes.items, 'before'), 15_000);

    // Load: three clients creating and paying orders for the whole test.
    const load: Array<{ id: string; created: Outcome; paid?: Outcome }> = [];
    let loading = true;
    const loaders = [0, 1, 2].map(async (c) => {
      for (let n = 0; loading; n++) {
        const id = `load-${c}-${n}`;
        const created = await createOrder(gql, id);
        load.push({
          id,
          created,
          paid: created.outcome === 'CreateOrderSuccess' ? await payOrder(gql, id) : undefined,
        });
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    await new Promise((r) => setTimeout(r, 500));

    await cluster.stop();
    const during: Outcome[] = [];
    for (let i = 0; i < 5; i++) during.push(await createOrder(gql, `outage-${i}`));
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(server.url.replace('/graphql', '/health'))).status).toBe(503);
    await cluster.start();

    // The first command after the restart may still meet a connection the restart cut.
    for (let i = 0; i < 50 && (await createOrder(gql, 'after')).outcome !== 'CreateOrderSuccess'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await payOrder(gql, 'after');
    await waitUntil(() => shipped(changes.items, 'after'), 20_000);
    loading = false;
    await Promise.all(loaders);

    // During the outage: a clear error, at once, and nothing written.
    for (const outcome of during) {
      expect(outcome.outcome).toBe('UNAVAILABLE');
      expect(outcome.message).toMatch(/database is unavailable/);
      expect(outcome.ms).toBeLessThan(5_000);
    }
    console.info(`outage: commands failed in ${during.map((o) => `${o.ms.toFixed(0)} ms`).join(', ')}`);
    for (let i = 0; i < 5; i++) {
      expect(await readOrder(gql, `outage-${i}`)).toBeNull();
      // Folded from the event store itself, not the read tables: no event of it exists.
      const folded = await gql('query($id: ID!) { orderAt(id: $id, version: 1) { id } }', {
        id: `outage-${i}`,
      });
      expect(folded).toEqual({ data: { orderAt: null } });
    }
    // Under load every command succeeded, was written but not yet readable, failed with
    // UNAVAILABLE (not written) or lost its connection while committing (OUTCOME_UNKNOWN).
    const outcomes = new Set(load.flatMap((l) => [l.created.outcome, l.paid?.outcome].filter(Boolean)));
    const known = [
      'CreateOrderSuccess',
      'PayOrderSuccess',
      'WrittenNotReadableError',
      'UNAVAILABLE',
      'OUTCOME_UNKNOWN',
    ];
    expect([...outcomes].filter((o) => !known.includes(o!))).toEqual([]);
    // UNAVAILABLE means not written.
    for (const l of load.filter((l) => l.created.outcome === 'UNAVAILABLE'))
      expect(await readOrder(gql, l.id)).toBeNull();
    // The saga resumed: every order paid before, during or after the outage ships.
    const paid = load.filter((l) => l.paid?.outcome === 'PayOrderSuccess').map((l) => l.id);
    await waitUntil(() => paid.every((id) => shipped(changes.items, id)), 20_000);

    // The subscriber (its socket never dropped) got every change once.
    const expected = await historyPositions(cluster.url);
    await waitUntil(() => changes.items.length >= expected.length, 10_000);
    expect(
      compareDelivery(
        changes.items.map((d) => d.orderStatusChanged.position),
        expected,
      ),
    ).toEqual({ duplicates: 0, gaps: 0, unexpected: 0 });
    changes.stop();
    await client.dispose();

    const database = await openDatabase({ kind: 'postgres', url: cluster.url, poolMax: 2 });
    try {
      const result = await checkOrders(database, createEventTypeRegistry());
      expect(result.mismatches).toEqual([]);
      expect(result.checked).toBeGreaterThan(2);
    } finally {
      await database.close();
    }
    // The listener and the lock session reconnected: a LISTEN backend, and every leader lock held again.
    const sessions = await serverSessions(cluster.url);
    expect(sessions.listening).toBeGreaterThanOrEqual(1);
    expect(sessions.leaderLocks).toBe(PROJECTIONS.length + 2);
    // one leader election: the projections' and the saga worker's locks on one connection
    expect(sessions.leaderSessions).toBe(1);
    expect(server.child.exitCode).toBeNull();
  });
});

/** What the server holds on PostgreSQL: LISTEN connections, and advisory locks in the leader lock space. */
async function serverSessions(
  url: string,
): Promise<{ listening: number; leaderLocks: number; leaderSessions: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const {
      rows: [row],
    } = await client.query<{ listening: number; locks: number; holders: number }>(
      `SELECT
      (SELECT count(*)::int FROM pg_stat_activity WHERE query LIKE 'LISTEN %') AS listening,
      (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1) AS locks,
      (SELECT count(DISTINCT pid)::int FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1) AS holders`,
      [LOCK_SPACE],
    );
    return {
      listening: row?.listening ?? 0,
      leaderLocks: row?.locks ?? 0,
      leaderSessions: row?.holders ?? 0,
    };
  } finally {
    await client.end();
  }
}
