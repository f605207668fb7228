import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { requestIdFor } from './request-id.js';

type Source = Registry | AggregatorRegistry<Registry['contentType']>;

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Prometheus metrics on a listener of their own (METRICS_PORT, bound to HOST), apart
 * from the API: the API port serves no metrics, so neither a customer nor the internet
 * in front of it can read them, and a scraper needs no token.
 */
export async function serveMetrics(registry: Source, port: number, host: string): Promise<MetricsServer> {
  // Under WORKERS the supervisor answers for them all: it gathers each worker's registry.
  const render = (): Promise<string> =>
    registry instanceof AggregatorRegistry ? registry.clusterMetrics() : registry.metrics();
  const server = createServer((req, res) => {
    // Every HTTP response carries a request id, as on the API port.
    res.setHeader('x-request-id', requestIdFor(req.headers));
    if (req.url !== '/metrics' || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('metrics are at GET /metrics\n');
      return;
    }
    render().then(
      (body) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(
          `metrics could not be collected: ${error instanceof Error ? error.message : String(error)}\n`,
        );
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
