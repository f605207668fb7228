import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, wsClient } from '../support/clients.js';
import { ENGINES } from '../support/database.js';
import { payOrder } from '../support/orders.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/** The stages a start logs as each begins, in this order, then the ready line. */
const STAGES = ['opening the database', 'migrating', 'starting projections', 'listening'];

describe.runIf(ENGINES.includes('pglite'))(
  'npm start: the bundle in dist/ on a fresh embedded database',
  () => {
    let dataDir: string;
    let server: ServerProcess;
    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'ledgerline-start-'));
      server = await startServerProcess(
        'built',
        { DATABASE_URL: '', DATA_DIR: dataDir },
        { entry: 'built', timeoutMs: 120_000 },
      );
    }, 150_000);
    afterAll(async () => {
      await server?.kill();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('says what it is doing as it starts, then how long it took and how much memory it holds', () => {
      const messages = server.logs.map((l) => String(l.msg));
      const positions = STAGES.map((stage) => messages.indexOf(stage));
      expect(
        positions.every((p) => p >= 0),
        `stages logged: ${messages.join(' | ')}`,
      ).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      const ready = server.logs.find((l) => String(l.msg).startsWith('ready in '))!;
      expect(messages.indexOf(String(ready.msg))).toBeGreaterThan(positions.at(-1)!);
      expect(ready).toMatchObject({
        readyMs: expect.any(Number),
        rssMb: expect.any(Number),
        heapMb: expect.any(Number),
      });
      expect(String(ready.msg)).toBe(
        `ready in ${String(ready.readyMs)} ms: Ledgerline is serving GraphQL (and GraphiQL) at ${server.url}`,
      );
    });

    it('serves commands, queries and a live subscription from the bundle', async () => {
      const gql = server.gql.bind(server);
      const created =
        await gql(`mutation { createOrder(input: { id: "start-1", userId: "user-start", items: [{ productId: "prod-1", quantity: 1, price: "10.00" }] }) {
      ... on CreateOrderSuccess { position order { totalAmount } } } }`);
      expect(created.data.createOrder.order.totalAmount).toBe('10.00');
      // Resumed from the write, so the change after it cannot be missed however late this subscribes.
      const client = wsClient(server.wsUrl);
      const changes = collect(
        client,
        'subscription($after: Position) { orderStatusChanged(orderId: "start-1", after: $after) { from to } }',
        { after: created.data.createOrder.position },
      );
      expect((await payOrder(gql, 'start-1')).outcome).toBe('PayOrderSuccess');
      expect(await changes.waitFor(1)).toEqual([{ orderStatusChanged: { from: 'PENDING', to: 'PAID' } }]);
      changes.stop();
      await client.dispose();
    });

    it('stops cleanly on SIGTERM', async () => {
      await server.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    });
  },
);
