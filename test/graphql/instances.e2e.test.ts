import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, waitUntil, wsClient } from '../support/clients.js';
import { createPostgresDatabase, ENGINES } from '../support/database.js';
import {
  ALL_CHANGES,
  compareDelivery,
  createOrder,
  historyPositions,
  payOrder,
  readOrder,
} from '../support/orders.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const PROJECTIONS = '{ projections { name state } }';

/** Whether this instance runs every projection (none on standby) and the fulfilment worker. */
async function leads(server: ServerProcess): Promise<boolean> {
  const { data } = await server
    .gql<{ projections: Array<{ state: string }> }>(PROJECTIONS)
    .catch(() => ({ data: undefined }));
  const running = data?.projections.every((p) => p.state !== 'standby' && p.state !== 'stopped') ?? false;
  return running && worker(server) === 'running';
}

/** The fulfilment worker's state by its last log line about it. */
function worker(server: ServerProcess): 'running' | 'standby' {
  const line = server.logs.findLast(
    (l) =>
      typeof l.msg === 'string' &&
      /fulfilment worker (on standby|running)|running the fulfilment worker/.test(l.msg),
  );
  return line?.msg === 'running the fulfilment worker' ? 'running' : 'standby';
}

async function sagaSteps(server: ServerProcess): Promise<number> {
  const text = await (await fetch(server.metricsUrl)).text();
  return [...text.matchAll(/^ledgerline_saga_steps_total\{[^}]*\} (\d+)/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

const shipped = (items: any[], orderId: string) =>
  items.some((d) => d.orderStatusChanged.orderId === orderId && d.orderStatusChanged.to === 'SHIPPED');

describe.runIf(ENGINES.includes('postgres'))('several server processes on one PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    database = await createPostgresDatabase();
    a = await startServerProcess('A', { DATABASE_URL: database.url });
    // A started first and takes every lock; B then stands by.
    await waitUntil(() => a.logs.some((l) => l.msg === 'running the fulfilment worker'), 20_000);
    b = await startServerProcess('B', { DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await a?.kill('SIGKILL');
    await b?.kill('SIGKILL');
    await database?.drop();
  });

  it(
    'behave as one service and hand the projections and the saga over within 5 s when the leader is killed',
    { timeout: 90_000 },
    async () => {
      const clientA = wsClient(a.wsUrl);
      const clientB = wsClient(b.wsUrl);
      const onA = collect(clientA, ALL_CHANGES);
      const onB = collect(clientB, ALL_CHANGES);
      await new Promise((r) => setTimeout(r, 300));

      // A mutation on A reaches a subscriber on B; the saga (on A) ships the order once.
      await createOrder(a.gql.bind(a), 'multi-1');
      await payOrder(a.gql.bind(a), 'multi-1');
      await waitUntil(() => shipped(onB.items, 'multi-1') && shipped(onA.items, 'multi-1'), 20_000);
      expect(await leads(a)).toBe(true);
      expect(
        (await b.gql(PROJECTIONS)).data.projections.every((p: { state: string }) => p.state === 'standby'),
      ).toBe(true);
      expect(worker(b)).toBe('standby');
      expect(b.logs.some((l) => l.msg === 'running projection')).toBe(false);
      expect(await sagaSteps(a)).toBeGreaterThan(0);
      expect(await sagaSteps(b)).toBe(0);
      const first = await readOrder(b.gql.bind(b), 'multi-1');
      expect(first?.events.map((e) => e.type)).toEqual(['OrderCreated', 'OrderPaid', 'OrderShipped']);

      // Kill the leader: B takes the projections and the saga over.
      const killedAt = performance.now();
      await a.kill('SIGKILL');
      while (!(await leads(b))) {
        if (performance.now() - killedAt > 15_000) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const tookOver = (performance.now() - killedAt) / 1_000;
      console.info(
        `failover: B took the projections and the saga over ${tookOver.toFixed(2)} s after A was killed`,
      );
      expect(tookOver).toBeLessThan(5);

      // Work after the kill goes through B, and A's subscriber resumes on B from its last position.
      await createOrder(b.gql.bind(b), 'multi-2');
      await payOrder(b.gql.bind(b), 'multi-2');
      await waitUntil(() => shipped(onB.items, 'multi-2'), 20_000);
      await onA.done;
      const last = onA.items.at(-1)!.orderStatusChanged.position as string;
      const resumed = collect(clientB, ALL_CHANGES, { after: last });
      await waitUntil(() => shipped(resumed.items, 'multi-2'), 10_000);
      await new Promise((r) => setTimeout(r, 300));

      const expected = await historyPositions(database.url);
      const positions = (items: any[]) => items.map((d) => d.orderStatusChanged.position as string);
      expect(compareDelivery([...positions(onA.items), ...positions(resumed.items)], expected)).toEqual({
        duplicates: 0,
        gaps: 0,
        unexpected: 0,
      });
      expect(compareDelivery(positions(onB.items), expected)).toEqual({
        duplicates: 0,
        gaps: 0,
        unexpected: 0,
      });
      const second = await readOrder(b.gql.bind(b), 'multi-2');
      expect(second?.events.map((e) => e.type)).toEqual(['OrderCreated', 'OrderPaid', 'OrderShipped']);
      expect(await sagaSteps(b)).toBeGreaterThan(0);

      onB.stop();
      resumed.stop();
      await clientA.dispose();
      await clientB.dispose();
    },
  );
});
