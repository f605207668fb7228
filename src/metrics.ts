import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { decodePosition } from './eventstore/index.js';
import type { ProjectionStatus } from './processing/index.js';

type Sources = {
  subscriptions: () => number;
  sockets: () => number;
  projections: () => Promise<ProjectionStatus[]>;
};

/**
 * Prometheus metrics of one instance, on a registry of its own (several apps may share a
 * process in tests). Gauges of state are read at scrape time from `sources`.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly sources: Sources = {
    subscriptions: () => 0,
    sockets: () => 0,
    projections: async () => [],
  };

  readonly commands = new Counter({
    name: 'ledgerline_commands_total',
    help: 'Commands handled, by type and outcome (ok or the error code).',
    labelNames: ['type', 'outcome'],
    registers: [this.registry],
  });

  readonly commandSeconds = new Histogram({
    name: 'ledgerline_command_duration_seconds',
    help: 'Time to handle a command, retries included.',
    labelNames: ['type'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly appendSeconds = new Histogram({
    name: 'ledgerline_append_duration_seconds',
    help: 'Time of one appendToStream.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly sagaSteps = new Counter({
    name: 'ledgerline_saga_steps_total',
    help: 'Saga steps performed, by saga, step and outcome (ok, not_stock_managed, or failed: to be retried).',
    labelNames: ['saga', 'step', 'outcome'],
    registers: [this.registry],
  });

  readonly subscriptionEvents = new Counter({
    name: 'ledgerline_subscription_events_total',
    help: 'Subscription events delivered: executed for this subscriber, or shared from another with the same operation and scope.',
    labelNames: ['execution'],
    registers: [this.registry],
  });

  constructor() {
    // Node's own metrics keep prom-client's standard names (process_cpu_user_seconds_total,
    // nodejs_eventloop_lag_seconds, …), so stock Node dashboards and alerts work on them.
    collectDefaultMetrics({ register: this.registry });
    const sources = this.sources;
    new Gauge({
      name: 'ledgerline_active_subscriptions',
      help: 'Open GraphQL subscriptions on this instance.',
      registers: [this.registry],
      collect() {
        this.set(sources.subscriptions());
      },
    });
    new Gauge({
      name: 'ledgerline_websockets',
      help: 'Open WebSocket connections on this instance.',
      registers: [this.registry],
      collect() {
        this.set(sources.sockets());
      },
    });
    // The three projection gauges are collected concurrently; one status read serves a scrape.
    let scrape: Promise<ProjectionStatus[]> | undefined;
    const statuses = () => {
      scrape ??= sources.projections().finally(() =>
        setTimeout(() => {
          scrape = undefined;
        }, 100).unref(),
      );
      return scrape;
    };
    // Every instance reads the same checkpoints from the database: under WORKERS the supervisor
    // takes the largest of the workers' readings, where a sum would count the same lag twice.
    const projectionGauge = (name: string, help: string, value: (s: ProjectionStatus) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['projection'],
        registers: [this.registry],
        aggregator: 'max',
        async collect() {
          for (const status of await statuses()) this.set({ projection: status.name }, value(status));
        },
      });
    projectionGauge('ledgerline_projection_position', 'Global position of the projection checkpoint.', (s) =>
      Number(decodePosition(s.position).pos),
    );
    projectionGauge(
      'ledgerline_projection_events_behind',
      'Events in the feed the projection has not applied.',
      (s) => s.eventsBehind,
    );
    projectionGauge(
      'ledgerline_projection_seconds_behind',
      'Age of the oldest event the projection has not applied.',
      (s) => s.secondsBehind,
    );
  }

  /** Where the state gauges read from; set once the parts exist. */
  observe(sources: Partial<Sources>): void {
    Object.assign(this.sources, sources);
  }
}
