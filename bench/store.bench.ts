import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { rows, type Database } from '../src/db/connect.js';
import { EventStore, EventTypeRegistry, readAll, START, type NewEvent } from '../src/eventstore/index.js';
import {
  adminUrl,
  compare,
  createBenchDatabase,
  fmtInt,
  fmtMs,
  formatTable,
  percentile,
  print,
  watchdog,
  type Op,
  type RunResult,
} from './support.js';

const DATABASE_NAME = 'ledgerline_bench_store';
const POOL_MAX = 40;
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const WARMUP_MS = 1000;
const ROUNDS = 5;
const WRITERS = [1, 8, 32];
const CATCH_UP_EVENTS = 200_000;
const BULK_BATCH = 1_000;
const READ_BATCHES = [1_000, 5_000];
// Generous for a ~1 min run; only a wedged server or pool gets here.
const TIMEOUT_MS = 10 * 60_000;

const registry = new EventTypeRegistry().register('OrderPlaced');

/** An order-sized event, so payload parsing and storage cost what they will in production. */
const orderPlaced = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'OrderPlaced',
  data: {
    orderId: `order-${n}`,
    customerId: 'customer-0042',
    lines: [
      { sku: 'SKU-1001', name: 'Espresso cups, set of 4', quantity: 2, unitPrice: '19.99' },
      { sku: 'SKU-2002', name: 'Grinder, conical burr', quantity: 1, unitPrice: '309.99' },
    ],
    total: '349.97',
    currency: 'EUR',
  },
  metadata: { correlationId: randomUUID(), causationId: randomUUID(), actor: 'user-0042' },
});

/** What appendToStream sends as its one parameter, so the raw INSERT carries the same bytes. */
const wirePayload = (events: NewEvent[]): string =>
  JSON.stringify(
    events.map((e) => ({ id: e.id, type: e.type, schemaVersion: 1, data: e.data, metadata: e.metadata })),
  );

async function main(): Promise<void> {
  const bench = await createBenchDatabase(adminUrl(), DATABASE_NAME, POOL_MAX);
  const disarm = watchdog(TIMEOUT_MS, bench.dispose);
  try {
    await run(bench.database);
  } finally {
    disarm();
    await bench.dispose();
  }
}

async function run(database: Database): Promise<void> {
  const { db } = database;
  const store = new EventStore(database, registry);
  await db.execute(
    sql`CREATE TABLE bench_raw (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, data jsonb NOT NULL)`,
  );
  // The events table's own columns, defaults and indexes, without the stream claim:
  // the floor for what any append must write.
  await db.execute(sql`CREATE TABLE bench_raw_events (LIKE events INCLUDING ALL)`);
  const [server] = await rows<Record<string, string>>(
    db,
    sql`
    SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sync,
           current_setting('fsync') AS fsync, current_setting('shared_buffers') AS buffers`,
  );
  print(
    `Ledgerline store bench: PostgreSQL ${server!.version} (synchronous_commit=${server!.sync}, fsync=${server!.fsync}, ` +
      `shared_buffers=${server!.buffers}), Node ${process.version}, ${cpus().length} CPUs, pool ${POOL_MAX}`,
  );
  print(
    `per side ${DURATION_MS / 1000} s in ${ROUNDS} interleaved slices after ${WARMUP_MS / 1000} s warm-up; ` +
      `payload ${wirePayload([orderPlaced(0)]).length} bytes per event; load average at start ${loadAverage()}`,
  );
  print();

  // A checkpoint landing inside one block would skew it; start each clean.
  const measure = async <K extends string>(writers: number, sides: Record<K, Op>) => {
    await db.execute(sql`CHECKPOINT`);
    return compare(sides, { writers, warmupMs: WARMUP_MS, durationMs: DURATION_MS, rounds: ROUNDS });
  };

  // Every side is one named prepared statement through the same pool, as the store's
  // append is: one round trip each, planned once per connection.
  const single: { writers: number; store: RunResult; raw: RunResult; rawEvents: RunResult }[] = [];
  for (const writers of WRITERS) {
    const runs = await measure(writers, {
      store: (w, s) =>
        store.appendToStream(`bench-c${writers}-${w}-${s}`, [orderPlaced(s)], {
          expectedVersion: 'no_stream',
        }),
      raw: () =>
        database.preparedRows(
          sql`INSERT INTO bench_raw (data) VALUES (${wirePayload([orderPlaced(0)])}::jsonb)`,
        ),
      rawEvents: (w, s) => {
        const e = orderPlaced(s);
        return database.preparedRows(sql`
          INSERT INTO bench_raw_events (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)
          VALUES (${e.id}, ${`raw-c${writers}-${w}-${s}`}, 'raw', 1, ${e.type}, 1, ${JSON.stringify(e.data)}, ${JSON.stringify(e.metadata)})`);
      },
    });
    single.push({ writers, ...runs });
  }
  print(
    '1-event appends (new stream, expectedVersion no_stream) vs a raw single-row INSERT per transaction, per second',
  );
  print(
    formatTable(
      [
        'writers',
        'store/s',
        'raw events-shape/s',
        'store/raw',
        'bare raw/s',
        'store/bare',
        'store p50 ms',
        'store p99 ms',
        'raw p50 ms',
        'raw p99 ms',
      ],
      single.map(({ writers, store: s, raw: b, rawEvents: r }) => [
        String(writers),
        fmtInt(s.perSecond),
        fmtInt(r.perSecond),
        (s.perSecond / r.perSecond).toFixed(2),
        fmtInt(b.perSecond),
        (s.perSecond / b.perSecond).toFixed(2),
        fmtMs(percentile(s.latencies, 50)),
        fmtMs(percentile(s.latencies, 99)),
        fmtMs(percentile(r.latencies, 50)),
        fmtMs(percentile(r.latencies, 99)),
      ]),
    ),
  );
  print(
    'raw events-shape = one row into a copy of the events table (same columns, defaults and indexes), no stream row: ' +
      "the target's baseline; bare raw = INSERT INTO bench_raw (id identity, data jsonb) of the bytes the store sends",
  );
  print();

  const tenEvents = (n: number) => Array.from({ length: 10 }, (_, i) => orderPlaced(n * 10 + i));
  const ten = await measure(8, {
    store: (w, s) =>
      store.appendToStream(`bench-ten-${w}-${s}`, tenEvents(s), { expectedVersion: 'no_stream' }),
    raw: () =>
      database.preparedRows(
        sql`INSERT INTO bench_raw (data) SELECT value FROM jsonb_array_elements(${wirePayload(tenEvents(0))}::jsonb)`,
      ),
  });
  const tenRow = (name: string, run: RunResult) => [
    name,
    fmtInt(run.perSecond),
    fmtInt(run.perSecond * 10),
    fmtMs(percentile(run.latencies, 50)),
    fmtMs(percentile(run.latencies, 99)),
  ];
  print('10-event appends, 8 writers');
  print(
    formatTable(
      ['', 'appends/s', 'events/s', 'p50 ms', 'p99 ms'],
      [tenRow('store', ten.store), tenRow('raw 10-row INSERT', ten.raw)],
    ),
  );
  print(`store/raw ${(ten.store.perSecond / ten.raw.perSecond).toFixed(2)}`);
  print();

  const loadMs = await loadFeed(database);
  const catchUps = [];
  for (const limit of READ_BATCHES) catchUps.push({ limit, ...(await catchUp(database, limit)) });
  print(
    `readAll catch-up from the start over ${fmtInt(CATCH_UP_EVENTS)} events ` +
      `(bulk-loaded in ${(loadMs / 1000).toFixed(1)} s, ${fmtInt(BULK_BATCH)} per transaction)`,
  );
  print(
    formatTable(
      ['batch', 'events/s', 'seconds', 'ms per batch'],
      catchUps.map((c) => [
        fmtInt(c.limit),
        fmtInt(c.perSecond),
        (c.elapsedMs / 1000).toFixed(2),
        fmtMs(c.elapsedMs / c.batches),
      ]),
    ),
  );
  print();

  const at8 = single.find((s) => s.writers === 8)!;
  // The issue's "same table shape": the events-shape INSERT, not the bare 2-column one.
  const ratio = at8.store.perSecond / at8.rawEvents.perSecond;
  const bestCatchUp = Math.max(...catchUps.map((c) => c.perSecond));
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  print('targets');
  print(
    `  appends at 8 writers >= 0.8 x raw events-shape INSERT: ${ratio.toFixed(2)} x (${verdict(ratio >= 0.8)}); ` +
      `vs bare raw ${(at8.store.perSecond / at8.raw.perSecond).toFixed(2)} x`,
  );
  print(
    `  readAll catch-up >= 100,000 events/s:                     ${fmtInt(bestCatchUp)} /s (${verdict(bestCatchUp >= 100_000)})`,
  );
  print(
    `  append latency at 8 writers: p50 ${fmtMs(percentile(at8.store.latencies, 50))} ms, ` +
      `p99 ${fmtMs(percentile(at8.store.latencies, 99))} ms`,
  );
  print(
    `load average at end ${loadAverage()} (${cpus().length} CPUs; figures from a busy machine are low and noisy)`,
  );
}

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * Replaces the feed with CATCH_UP_EVENTS events of 10 per stream, one transaction per
 * BULK_BATCH so the feed has as many distinct transaction ids as a busy system would.
 * The rows are vacuumed before reading, as a long-settled feed would be.
 */
async function loadFeed(database: Database): Promise<number> {
  const { db } = database;
  await db.execute(sql`TRUNCATE events, streams`);
  const sample = orderPlaced(0);
  const started = performance.now();
  for (let first = 0; first < CATCH_UP_EVENTS; first += BULK_BATCH) {
    await db.execute(sql`
      WITH s AS (
        INSERT INTO streams (stream_id, stream_type, version)
        SELECT 'catchup-' || (${first}::int / 10 + g), 'catchup', 10 FROM generate_series(0, ${BULK_BATCH / 10 - 1}::int) g
      )
      INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)
      SELECT gen_random_uuid(), 'catchup-' || ((${first}::int + i) / 10), 'catchup', (${first}::int + i) % 10 + 1,
             'OrderPlaced', 1, ${JSON.stringify(sample.data)}::jsonb || jsonb_build_object('orderId', 'order-' || (${first}::int + i)),
             ${JSON.stringify(sample.metadata)}::jsonb || jsonb_build_object('correlationId', gen_random_uuid())
      FROM generate_series(0, ${BULK_BATCH - 1}::int) i
      ORDER BY i`);
  }
  const elapsed = performance.now() - started;
  await db.execute(sql`VACUUM (ANALYZE) events`);
  return elapsed;
}

async function catchUp(database: Database, limit: number) {
  let after = START;
  let count = 0;
  let batches = 0;
  const started = performance.now();
  for (;;) {
    const batch = await readAll(database, registry, { after, limit });
    if (batch.length === 0) break;
    batches++;
    count += batch.length;
    after = batch[batch.length - 1]!.position;
  }
  const elapsedMs = performance.now() - started;
  // A catch-up that skips or repeats events would be fast for the wrong reason.
  if (count !== CATCH_UP_EVENTS)
    throw new Error(`readAll returned ${count} events, expected ${CATCH_UP_EVENTS}`);
  return { elapsedMs, batches, perSecond: (count * 1000) / elapsedMs };
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:store failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
