import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, waitUntil, wsClient } from '../support/clients.js';
import { ENGINES } from '../support/database.js';
import { createOrder, payOrder } from '../support/orders.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface Target {
  expr: string;
}
interface Panel {
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { uid: string };
  targets?: Target[];
}
interface Dashboard {
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: string | { query: string } }> };
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../ops/grafana-dashboard.json', import.meta.url), 'utf8'),
) as Dashboard;

/** Every PromQL expression the dashboard runs: its panels' targets and its query variables. */
const expressions = [
  ...dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr),
  ...dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => (typeof v.query === 'string' ? v.query : v.query.query)),
];

/**
 * The metric names a PromQL expression selects: identifiers outside strings, label
 * matchers, range brackets and grouping clauses, and not called as functions.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/(?<![\w$.])([a-zA-Z_:][\w:]*)(\s*\()?/g)]
    .filter((m) => m[2] === undefined && !['and', 'or', 'unless', 'bool', 'offset'].includes(m[1]!))
    .map((m) => m[1]!);
  // label_values(metric, label): the metric only.
  const labelValues = /^label_values\(\s*([a-zA-Z_:][\w:]*)/.exec(expr.trim());
  return labelValues ? [labelValues[1]!] : names;
}

/** Whether the scrape declares `name`, or `name` is a histogram's (or summary's) _bucket/_sum/_count series. */
function declared(types: Map<string, string>, name: string): boolean {
  if (types.has(name)) return true;
  const series = /^(.+)_(bucket|sum|count)$/.exec(name);
  if (!series) return false;
  const type = types.get(series[1]!);
  return series[2] === 'bucket' ? type === 'histogram' : type === 'histogram' || type === 'summary';
}

describe('the Grafana dashboard (ops/grafana-dashboard.json)', () => {
  it('is a dashboard of the current schema whose panels query the Prometheus datasource variable', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', query: 'prometheus' }),
    );
    const queried = dashboard.panels.filter((p) => p.type !== 'row');
    expect(queried.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect(panel.datasource?.uid, panel.title).toBe('${DS_PROMETHEUS}');
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets!) expect(metricNames(target.expr), target.expr).not.toEqual([]);
    }
  });

  it('reads metric names out of PromQL', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (type, le) (rate(a_seconds_bucket{instance=~"$instance", x!="by(b)"}[$__rate_interval])))',
      ),
    ).toEqual(['a_seconds_bucket']);
    expect(metricNames('sum(rate(a_total[5m])) / sum(rate(b_total{c="d"}[5m]))')).toEqual([
      'a_total',
      'b_total',
    ]);
    expect(metricNames('label_values(ledgerline_websockets, instance)')).toEqual(['ledgerline_websockets']);
  });
});

describe.each(ENGINES)('a real scrape on %s', (engine) => {
  let server: TestServer;
  let scrape: string;
  let types: Map<string, string>;
  beforeAll(async () => {
    server = await startTestServer(engine, {}, {});
    const gql = server.gql.bind(server);
    // Enough traffic for every labelled series: commands, a saga to the end, a subscriber fed.
    const client = wsClient(server.wsUrl);
    const live = collect(client, 'subscription { orderStatusChanged(orderId: "o-dash") { to } }');
    // Subscribed before any change, or the changes it waits for could pass it by.
    await waitUntil(
      async () => /^ledgerline_active_subscriptions 1$/m.test(await (await fetch(server.metricsUrl)).text()),
      10_000,
    );
    expect((await createOrder(gql, 'o-dash')).outcome).toBe('CreateOrderSuccess');
    expect((await payOrder(gql, 'o-dash')).outcome).toBe('PayOrderSuccess');
    await live.waitFor(3, 20_000);
    live.stop();
    await client.dispose();
    scrape = await (await fetch(server.metricsUrl)).text();
    types = new Map([...scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  });
  afterAll(() => server?.stop());

  it("has every metric the dashboard queries, and a series of each of the project's own", () => {
    const names = [...new Set(expressions.flatMap(metricNames))].sort();
    expect(names.length).toBeGreaterThan(15);
    expect(names.filter((name) => !declared(types, name))).toEqual([]);
    const sampled = (name: string) => new RegExp(`^${name}[{ ]`, 'm').test(scrape);
    expect(names.filter((name) => name.startsWith('ledgerline_') && !sampled(name))).toEqual([]);
  });

  it("names Node's default metrics as prom-client does, without the project's prefix", () => {
    expect(types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(types.has('ledgerline_process_cpu_user_seconds_total')).toBe(false);
    expect([...types.keys()].filter((name) => /^ledgerline_(process|nodejs)_/.test(name))).toEqual([]);
  });
});
