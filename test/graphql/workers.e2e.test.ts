import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { collect, waitUntil, wsClient } from '../support/clients.js';
import { createPostgresDatabase, ENGINES } from '../support/database.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const ITEMS = [{ productId: 'prod-1', quantity: 1, price: '10.00' }];
const CREATE = 'mutation($i: CreateOrderInput!) { createOrder(input: $i) { __typename } }';

/** One POST on a connection of its own, so the supervisor hands it to the next worker. */
function postAlone(url: string, query: string, variables: Record<string, unknown>): Promise<string> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res
          .setEncoding('utf8')
          .on('data', (chunk: string) => {
            text += chunk;
          })
          .on('end', () => resolve(text));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

describe('WORKERS configuration', () => {
  it('refuses several workers on the embedded database', () => {
    expect(() => loadConfig({ WORKERS: '2' })).toThrow(/WORKERS > 1 needs DATABASE_URL/);
    expect(loadConfig({ WORKERS: '2', DATABASE_URL: 'postgres://127.0.0.1/x' }).workers).toBe(2);
  });
});

describe.runIf(ENGINES.includes('postgres'))('WORKERS=2: two server processes sharing one port', () => {
  let database: { url: string; drop(): Promise<void> };
  let server: ServerProcess;
  const servingPids = () => new Set(server.logs.filter((l) => typeof l.url === 'string').map((l) => l.pid));
  beforeAll(async () => {
    database = await createPostgresDatabase();
    server = await startServerProcess('workers', { DATABASE_URL: database.url, WORKERS: '2' });
    await waitUntil(() => servingPids().size === 2, 30_000);
  });
  afterAll(async () => {
    await server?.kill('SIGKILL');
    await database?.drop();
  });

  it('serves from both workers on one port, and a subscriber on one hears a mutation on the other', async () => {
    const urls = new Set(server.logs.filter((l) => typeof l.url === 'string').map((l) => l.url));
    expect(urls.size).toBe(1);
    const client = wsClient(server.wsUrl);
    const live = collect(client, 'subscription { orderStatusChanged(userId: "u-workers") { orderId to } }');
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 6; i++) {
      expect(
        await postAlone(server.url, CREATE, {
          i: { id: `o-workers-${i}`, userId: 'u-workers', items: ITEMS },
        }),
      ).toContain('CreateOrderSuccess');
    }
    // Each request's access log line names the process that served it.
    const served = new Set(
      server.logs.filter((l) => l.msg === 'request' && l.method === 'POST').map((l) => l.pid),
    );
    expect(served.size).toBe(2);
    const orders = (await live.waitFor(6)).map((d: any) => d.orderStatusChanged.orderId).sort();
    expect(orders).toEqual(Array.from({ length: 6 }, (_, i) => `o-workers-${i}`));
    live.stop();
    await client.dispose();
  });

  it('replaces a worker that dies, and stops every worker on SIGTERM with exit code 0', async () => {
    const before = servingPids();
    const victim = [...before][0] as number;
    process.kill(victim, 'SIGKILL');
    await waitUntil(() => servingPids().size === 3, 30_000);
    expect(
      server.logs.some((l) => l.msg === 'a worker exited; starting another' && l.worker === victim),
    ).toBe(true);
    expect(
      await postAlone(server.url, CREATE, {
        i: { id: 'o-after-restart', userId: 'u-workers', items: ITEMS },
      }),
    ).toContain('CreateOrderSuccess');
    await server.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
