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
  /**
   * Stops accepting, completes subscriptions, closes sockets, projections and the pool.
   * During a start it cancels the stages still to come (the start then rejects) and closes
   * what was opened, instead of waiting for the whole start first.
   */
  stop(): Promise<void>;
  readonly services: Services | undefined;
}

export function buildApp(config: Config, logger: Logger, options: ServiceOptions = {}): App {
  let services: Services | undefined;
  let http: HttpServer | undefined;
  let metrics: MetricsServer | undefined;
  let cancel: AbortController | undefined;
  let starting: Promise<unknown> | undefined;
  return {
    get services() {
      return services;
    },
    start(port = config.port) {
      cancel = new AbortController();
      const signal = options.signal ? AbortSignal.any([options.signal, cancel.signal]) : cancel.signal;
      const started = (async () => {
        // A worker answers the supervisor's requests for its metrics from the first moment
        // (constructing one installs prom-client's listener; setRegistries alone does not),
        // so a scrape while it starts gets what it has rather than timing out every worker's.
        if (cluster.isWorker) new AggregatorRegistry();
        services = await startServices(config, logger, { ...options, signal });
        signal.throwIfAborted();
        logger.info({ host: config.host, port }, 'listening');
        http = await startHttpServer(services, port, config.host);
        if (cluster.isWorker) {
          // The supervisor serves METRICS_PORT for every worker (cluster.ts).
          AggregatorRegistry.setRegistries([services.metrics.registry]);
        } else if (config.metricsPort !== undefined) {
          metrics = await serveMetrics(services.metrics.registry, config.metricsPort, config.host);
        }
        return { url: http.url, port: http.port, metricsPort: metrics?.port };
      })();
      starting = started;
      return started;
    },
    async stop() {
      cancel?.abort(new Error('stopped during start-up'));
      await starting?.catch(() => undefined);
      await metrics?.close();
      await http?.close();
      await services?.stop();
      http = undefined;
      metrics = undefined;
      services = undefined;
    },
  };
}
