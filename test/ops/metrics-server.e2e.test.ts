import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/clients.js';
import { createPostgresDatabase, ENGINES } from '../support/database.js';
import { createOrder } from '../support/orders.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { startTestServer, type TestServer } from '../support/server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The x-request-id a GET answers with, sending `sent` as its own when given. */
async function requestIdOf(url: string, sent?: string): Promise<{ status: number; id: string | null }> {
  const response = await fetch(url, { headers: sent === undefined ? {} : { 'x-request-id': sent } });
  await response.arrayBuffer();
  return { status: response.status, id: response.headers.get('x-request-id') };
}

describe.runIf(ENGINES.includes('pglite'))('the metrics port', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite');
  });
  afterAll(() => server?.stop());

  it('gives every response a request id, echoing a usable one the caller sent, as the API port does', async () => {
    const health = server.url.replace(/\/graphql$/, '/health');
    const tooLong = 'x'.repeat(201);
    for (const url of [server.metricsUrl, health]) {
      expect(await requestIdOf(url)).toEqual({ status: 200, id: expect.stringMatching(UUID) });
      expect(await requestIdOf(url, 'scrape-1')).toEqual({ status: 200, id: 'scrape-1' });
      expect(await requestIdOf(url, tooLong)).toEqual({ status: 200, id: expect.stringMatching(UUID) });
    }
    expect(await requestIdOf(server.metricsUrl.replace(/\/metrics$/, '/other'), 'scrape-2')).toEqual({
      status: 404,
      id: 'scrape-2',
    });
  });
});

describe.runIf(ENGINES.includes('postgres'))('the metrics port under WORKERS=2', () => {
  let database: { url: string; drop(): Promise<void> };
  let server: ServerProcess;
  let metricsUrl: string;
  beforeAll(async () => {
    database = await createPostgresDatabase();
    server = await startServerProcess('metrics-workers', { DATABASE_URL: database.url, WORKERS: '2' });
    await waitUntil(
      () => new Set(server.logs.filter((l) => typeof l.url === 'string').map((l) => l.pid)).size === 2,
      30_000,
    );
    // The supervisor serves METRICS_PORT (server.metricsUrl is a worker's, which serves none).
    const port = server.logs.find((l) => l.msg === 'supervising server workers')?.metricsPort;
    metricsUrl = `http://127.0.0.1:${String(port)}/metrics`;
  });
  afterAll(async () => {
    await server?.kill('SIGKILL');
    await database?.drop();
  });

  it("aggregates the workers' metrics sensibly under their standard names, and answers with a request id", async () => {
    expect((await createOrder(server.gql.bind(server), 'o-metrics-workers')).outcome).toBe(
      'CreateOrderSuccess',
    );
    const scrape = async (headers: Record<string, string> = {}) => {
      const response = await fetch(metricsUrl, { headers });
      return {
        status: response.status,
        id: response.headers.get('x-request-id'),
        text: await response.text(),
      };
    };
    const value = (text: string, series: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${series} `))
          ?.split(' ')[1],
      );
    await waitUntil(
      async () =>
        value((await scrape()).text, 'ledgerline_projection_events_behind{projection="orders"}') === 0,
      15_000,
    );

    const { status, id, text } = await scrape({ 'x-request-id': 'scrape-workers' });
    expect({ status, id }).toEqual({ status: 200, id: 'scrape-workers' });
    // One series of each over both workers: CPU seconds summed, event-loop lag averaged (prom-client's aggregators).
    expect(text.match(/^process_cpu_user_seconds_total \S+$/gm)).toHaveLength(1);
    expect(text.match(/^nodejs_eventloop_lag_seconds \S+$/gm)).toHaveLength(1);
    expect(text).not.toMatch(/^# TYPE ledgerline_(process|nodejs)_/m);
    expect(value(text, 'ledgerline_commands_total{type="CreateOrder",outcome="ok"}')).toBe(1);
    // Both workers read the same checkpoint: it is reported once, not doubled.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const {
      rows: [last],
    } = await client.query<{ max: string }>('SELECT max(global_position)::text AS max FROM events');
    await client.end();
    expect(value(text, 'ledgerline_projection_position{projection="orders"}')).toBe(Number(last!.max));
    expect((await scrape()).id).toMatch(UUID);
  });
});
