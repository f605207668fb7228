import { buildApp, type App } from '../../src/app.js';
import type { ServiceOptions } from '../../src/services.js';
import { loadConfig, type Config } from '../../src/config.js';
import { postGraphql } from './clients.js';
import { silentLogger } from './commands.js';
import { createPostgresDatabase, openMigratedPglite, type Engine } from './database.js';

export interface TestServer {
  readonly url: string;
  readonly wsUrl: string;
  /** Prometheus metrics, on their own listener (METRICS_PORT). */
  readonly metricsUrl: string;
  readonly app: App;
  /** POSTs one GraphQL operation and returns the parsed body. */
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ data?: T; errors?: any[] }>;
  stop(): Promise<void>;
}

/**
 * A started server on a fresh database (PGlite in memory, or a new PostgreSQL database) and a free port.
 * The fulfilment saga is off unless asked for, so a paid order stays PAID for tests of the manual lifecycle.
 */
export async function startTestServer(
  engine: Engine,
  env: Record<string, string> = {},
  services: ServiceOptions = { fulfilment: false },
): Promise<TestServer> {
  const fresh = engine === 'postgres' ? await createPostgresDatabase() : undefined;
  const config: Config = {
    ...loadConfig({ HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', ...env }),
    database: fresh
      ? { kind: 'postgres', url: fresh.url, poolMax: 20 }
      : { kind: 'pglite', dataDir: 'memory://' },
  };
  // PGlite starts from the run's migrated copy instead of an empty database: the start
  // still migrates, finding nothing to do.
  const database = fresh ? undefined : openMigratedPglite();
  const app = buildApp(config, silentLogger, { ...services, database });
  const { url, metricsPort } = await app.start(0);
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    app,
    gql: (query, variables, headers) => postGraphql(url, query, variables, headers),
    async stop() {
      await app.stop();
      await fresh?.drop();
    },
  };
}
