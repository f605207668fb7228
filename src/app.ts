import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from './config.js';
import { startHttpServer, type HttpServer } from './graphql/server.js';
import type { Logger } from './logger.js';
import { serveMetrics, type MetricsServer } from './metrics-server.js';
import { startServices, type ServiceOptions, type Services } from './services.js';

export interface App {
  /** Opens the database, migrates, starts projections and serves on the port (0: any free port). */
  start(port?: number): Promise<{ url: string; port: number; metricsPort?: number }>;
  /** Stops accepting, completes subscriptions, closes sockets, projections and the pool. */
  stop(): Promise<void>;
  readonly services: Services | undefined;
}

export function buildApp(config: Config, logger: Logger, options: ServiceOptions = {}): App {
  let services: Services | undefined;
  let http: HttpServer | undefined;
  let metrics: MetricsServer | undefined;
  return {
    get services() {
      return services;
    },
    async start(port = config.port) {
      // A worker answers the supervisor's requests for its metrics from the first moment
      // (constructing one installs prom-client's listener; setRegistries alone does not),
      // so a scrape while it starts gets what it has rather than timing out every worker's.
      if (cluster.isWorker) new AggregatorRegistry();
      services = await startServices(config, logger, options);
      logger.info({ host: config.host, port }, 'listening');
      http = await startHttpServer(services, port, config.host);
      if (cluster.isWorker) {
        // The supervisor serves METRICS_PORT for every worker (cluster.ts).
        AggregatorRegistry.setRegistries([services.metrics.registry]);
      } else if (config.metricsPort !== undefined) {
        metrics = await serveMetrics(services.metrics.registry, config.metricsPort, config.host);
      }
      return { url: http.url, port: http.port, metricsPort: metrics?.port };
    },
    async stop() {
      await metrics?.close();
      await http?.close();
      await services?.stop();
      http = undefined;
      metrics = undefined;
      services = undefined;
    },
  };
}
