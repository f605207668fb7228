import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { openDatabase, rows, type Database } from '../src/db/connect.js';
import { createEventTypeRegistry } from '../src/event-types.js';
import { EventStore, type Position } from '../src/eventstore/index.js';
import { ORDER_STATUS_CHANNEL, ordersProjection, parseOrderStatusChange } from '../src/projections/index.js';
import { ProjectionManager } from '../src/processing/index.js';
import { recommendationsProjection } from '../src/projections/recommendations/projection.js';
import {
  adminUrl,
  createBenchDatabase,
  fmtInt,
  fmtMs,
  formatTable,
  percentile,
  print,
  watchdog,
} from './support.js';

// npm run bench:projections — how fast the orders projection catches up from an empty
// checkpoint over 200,000 pre-written order events, how fast the recommendations
// projection backfills over the same feed, and how long an appended event takes
// to reach the read tables while 8 writers append. PostgreSQL (DATABASE_URL, loopback).

const ORDERS = 50_000;
const EVENTS_PER_ORDER = 4;
const CHUNK = 10_000;
const BATCH_SIZES = [1_000, 2_000, 5_000];
const WRITERS = 8;
const LIVE_ORDERS_PER_WRITER = 60;
const registry = createEventTypeRegistry();
const silent = pino({ level: 'silent' });

const bench = await createBenchDatabase(adminUrl(), 'ledgerline_bench_projections', 20);
const disarm = watchdog(10 * 60_000, bench.dispose);
try {
  print(
    `machine: ${cpus().length} cpus, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const started = performance.now();
  await prewrite(bench.database);
  print(
    `pre-wrote ${fmtInt(ORDERS * EVENTS_PER_ORDER)} order events (${fmtInt(ORDERS)} orders) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  print();

  const catchUpRows: string[][] = [];
  for (const batchSize of BATCH_SIZES) {
    const { seconds } = await catchUp(bench.database, batchSize);
    catchUpRows.push([fmtInt(batchSize), seconds.toFixed(2), fmtInt((ORDERS * EVENTS_PER_ORDER) / seconds)]);
  }
  print(
    `catch-up from an empty checkpoint: ${fmtInt(ORDERS * EVENTS_PER_ORDER)} events (target ≥ 20,000 events/s)`,
  );
  print(formatTable(['batch size', 'seconds', 'events/s'], catchUpRows));
  print();

  const backfill = await backfillRecommendations(bench.database);
  print(
    `recommendations backfill (a projection added to a database that already holds the feed): ${fmtInt(ORDERS * EVENTS_PER_ORDER)} ` +
      `events in ${backfill.seconds.toFixed(2)} s, ${fmtInt((ORDERS * EVENTS_PER_ORDER) / backfill.seconds)} events/s`,
  );
  print();

  const liveRows: string[][] = [];
  for (const [label, paceMs] of [
    ['as fast as they can', 0],
    ['20 ms between appends', 20],
  ] as const) {
    const live = await followWriters(bench.url, label.replace(/\W+/g, '-'), paceMs);
    liveRows.push([
      label,
      fmtInt(live.appendsPerSecond),
      fmtInt(live.delays.length),
      fmtMs(percentile(live.delays, 50)),
      fmtMs(percentile(live.delays, 90)),
      fmtMs(percentile(live.delays, 99)),
      fmtMs(live.delays[live.delays.length - 1] ?? Number.NaN),
    ]);
  }
  print(`append commit → read table commit, ${WRITERS} concurrent writers (one event per append)`);
  print(formatTable(['writers', 'appends/s', 'events', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'], liveRows));
} finally {
  disarm();
  await bench.dispose();
}

/** Orders created, paid, shipped and delivered, in the events table's real shape, set-based. */
async function prewrite(database: Database): Promise<void> {
  for (let first = 1; first <= ORDERS; first += CHUNK) {
    const last = Math.min(first + CHUNK - 1, ORDERS);
    await database.db.execute(sql`
      INSERT INTO streams (stream_id, stream_type, version)
      SELECT 'order-bench-' || n, 'order', ${EVENTS_PER_ORDER} FROM generate_series(${first}::int, ${last}::int) n`);
    // One transaction per step, so the feed holds each order's events in version order.
    for (let version = 1; version <= EVENTS_PER_ORDER; version++) {
      await database.db.execute(sql`
        INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)
        SELECT gen_random_uuid(), 'order-bench-' || n, 'order', ${version}, e.type, ${version === 1 ? 2 : 1}, e.data,
          jsonb_build_object('actor', 'bench', 'correlationId', gen_random_uuid())
        FROM generate_series(${first}::int, ${last}::int) n,
        LATERAL (SELECT timestamptz '2025-01-01' + n * interval '1 minute' AS at) t,
        LATERAL (SELECT * FROM (VALUES
          (1, 'OrderCreated', jsonb_build_object('orderId', 'bench-' || n, 'userId', 'user-' || (n % 1000),
            'items', jsonb_build_array(
              jsonb_build_object('productId', 'prod-' || (n % 97), 'quantity', 1 + n % 3, 'unitPrice', 1999),
              jsonb_build_object('productId', 'prod-' || (n % 89), 'quantity', 1, 'unitPrice', 30999)),
            'total', (1 + n % 3) * 1999 + 30999, 'createdAt', to_jsonb(t.at))),
          (2, 'OrderPaid', jsonb_build_object('paymentMethod', 'card', 'amount', (1 + n % 3) * 1999 + 30999,
            'paidAt', to_jsonb(t.at + interval '1 hour'))),
          (3, 'OrderShipped', jsonb_build_object('trackingNumber', 'TRK-' || n, 'shippedAt', to_jsonb(t.at + interval '1 day'))),
          (4, 'OrderDelivered', jsonb_build_object('deliveredAt', to_jsonb(t.at + interval '3 days')))
        ) AS v(version, type, data) WHERE v.version = ${version}) e
        ORDER BY n`);
    }
  }
  await database.db.execute(sql`VACUUM ANALYZE events`);
}

/** Empties the read side, then times a manager from start to having applied the whole feed. */
async function catchUp(database: Database, batchSize: number): Promise<{ seconds: number }> {
  await database.db.execute(sql`TRUNCATE orders, order_items, order_status_history`);
  await database.db.execute(sql`DELETE FROM checkpoints`);
  await database.db.execute(sql`VACUUM ANALYZE orders, order_items, order_status_history`);
  return timeToHead(
    database,
    new ProjectionManager({ database, registry, logger: silent, projections: [ordersProjection], batchSize }),
  );
}

/** Times the recommendations projection from no checkpoint to the head, as a server that newly registers it would run it. */
async function backfillRecommendations(database: Database): Promise<{ seconds: number }> {
  await database.db.execute(sql`TRUNCATE recommendation_orders, product_pairs, user_products`);
  await database.db.execute(sql`DELETE FROM checkpoints WHERE name = ${recommendationsProjection.name}`);
  // It is not waited for by default (readYourWrites: false): name it.
  return timeToHead(
    database,
    new ProjectionManager({
      database,
      registry,
      logger: silent,
      projections: [recommendationsProjection],
      waitFor: [recommendationsProjection.name],
    }),
  );
}

/** Starts the manager and times it until its projections have passed the feed's head as it is now. */
async function timeToHead(database: Database, manager: ProjectionManager): Promise<{ seconds: number }> {
  const head = await newest(database);
  const started = performance.now();
  await manager.start();
  await manager.waitForPosition(head, 5 * 60_000);
  const seconds = (performance.now() - started) / 1000;
  await manager.stop();
  return { seconds };
}

/**
 * 8 writers append, one event per append, while a manager (on its own pool, as another
 * instance would be) follows. The delay runs from the moment an append's commit returns
 * to the writer until the order_status notification sent by the projection's commit
 * arrives; both clocks are this process's.
 */
async function followWriters(
  url: string,
  run: string,
  paceMs: number,
): Promise<{ delays: Float64Array; appendsPerSecond: number }> {
  const writers = await openDatabase({ kind: 'postgres', url, poolMax: WRITERS + 2 });
  const follower = await openDatabase({ kind: 'postgres', url, poolMax: 4 });
  const manager = new ProjectionManager({
    database: follower,
    registry,
    logger: silent,
    projections: [ordersProjection],
    batchSize: 1_000,
  });
  await manager.start();
  await manager.waitForPosition(await newest(writers), 5 * 60_000);
  const committed = new Map<Position, number>();
  const seen = new Map<Position, number>();
  const unlisten = await writers.listen(ORDER_STATUS_CHANNEL, (payload) => {
    const change = parseOrderStatusChange(payload);
    if (change) seen.set(change.position, performance.now());
  });
  try {
    const store = new EventStore(writers, registry);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = 0; i < LIVE_ORDERS_PER_WRITER; i++) {
          for (const [version, event] of liveOrder(`${run}-${w}-${i}`, `user-${w}`).entries()) {
            const result = await store.appendToStream(`order-${run}-${w}-${i}`, [event], {
              expectedVersion: version,
            });
            committed.set(result.position, performance.now());
            if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
          }
        }
      }),
    );
    const appendsPerSecond = committed.size / ((performance.now() - started) / 1000);
    await manager.waitForPosition(await newest(writers), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const missing = [...committed.keys()].filter((position) => !seen.has(position)).length;
    if (missing > 0) print(`warning: ${missing} status notifications never arrived`);
    const delays = Float64Array.from(
      [...committed].flatMap(([position, at]) => {
        const arrived = seen.get(position);
        // A notification may beat the writer's own commit acknowledgement: that is no delay.
        return arrived === undefined ? [] : [Math.max(0, arrived - at)];
      }),
    ).sort();
    return { delays, appendsPerSecond };
  } finally {
    await unlisten();
    await manager.stop();
    await follower.close();
    await writers.close();
  }
}

function liveOrder(orderId: string, userId: string) {
  const now = new Date().toISOString();
  const total = 2 * 1999 + 30999;
  return [
    {
      type: 'OrderCreated',
      data: {
        orderId,
        userId,
        items: [
          { productId: 'p-1', quantity: 2, unitPrice: 1999 },
          { productId: 'p-2', quantity: 1, unitPrice: 30999 },
        ],
        total,
        createdAt: now,
      },
    },
    { type: 'OrderPaid', data: { paymentMethod: 'card', amount: total, paidAt: now } },
    { type: 'OrderShipped', data: { trackingNumber: `TRK-${orderId}`, shippedAt: now } },
    { type: 'OrderDelivered', data: { deliveredAt: now } },
  ].map((event) => ({ id: randomUUID(), ...event, metadata: { actor: 'bench' } }));
}

async function newest(database: Database): Promise<Position> {
  const [row] = await rows<{ position: string }>(
    database.db,
    sql`
    SELECT transaction_id::text || ':' || global_position AS position FROM events
    ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
  );
  return row?.position ?? '0:0';
}
