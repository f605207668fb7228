import type { Config } from './config.js';
import { startHttpServer, type HttpServer } from './graphql/server.js';
import type { Logger } from './logger.js';
import { startServices, type ServiceOptions, type Services } from './services.js';

export interface App {
  /** Opens the database, migrates, starts projections and serves on the port (0: any free port). */
  start(port?: number): Promise<{ url: string; port: number }>;
  /** Stops accepting, completes subscriptions, closes sockets, projections and the pool. */
  stop(): Promise<void>;
  readonly services: Services | undefined;
}

export function buildApp(config: Config, logger: Logger, options: ServiceOptions = {}): App {
  let services: Services | undefined;
  let http: HttpServer | undefined;
  return {
    get services() { return services; },
    async start(port = config.port) {
      services = await startServices(config, logger, options);
      http = await startHttpServer(services, port, config.host);
      return { url: http.url, port: http.port };
    },
    async stop() {
      await http?.close();
      await services?.stop();
      http = undefined;
      services = undefined;
    },
  };
}
