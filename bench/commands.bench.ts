import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { CommandHandler, loadStream, userAggregate } from '../src/commands/index.js';
import type { Database } from '../src/db/connect.js';
import { createEventTypeRegistry } from '../src/event-types.js';
import { EventStore, saveSnapshot } from '../src/eventstore/index.js';
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
} from './support.js';

// npm run bench:commands — commands per second through handle(), and the cost of loading
// a long stream with and without a snapshot. PostgreSQL (DATABASE_URL, loopback only).

const WRITERS = 8;
const LENGTHS = [10, 1_000, 10_000];
const LOADS = 30;

const bench = await createBenchDatabase(adminUrl(), 'ledgerline_bench_commands', 20);
const disarm = watchdog(5 * 60_000, bench.dispose);
try {
  const { database } = bench;
  const handler = new CommandHandler(new EventStore(database, createEventTypeRegistry()), {
    snapshotEvery: 100,
    idempotencyTtlMs: 60_000,
    logger: pino({ level: 'silent' }),
  });
  const meta = (id: string) => ({
    commandId: id,
    correlationId: id,
    actor: 'bench',
    now: new Date().toISOString(),
  });
  const items = [
    { productId: 'prod-1', quantity: 2, unitPrice: 9999 },
    { productId: 'prod-2', quantity: 1, unitPrice: 14999 },
  ];

  const { handle } = await compare(
    {
      handle: async (writer, seq) => {
        const orderId = `bench-${writer}-${seq}`;
        await handler.handle({
          type: 'CreateOrder',
          data: { orderId, userId: `user-${writer}`, items },
          metadata: meta(`${orderId}-c`),
        });
        await handler.handle({
          type: 'PayOrder',
          data: { orderId, paymentMethod: 'card', amount: 34997 },
          metadata: meta(`${orderId}-p`),
        });
      },
    },
    { writers: WRITERS, warmupMs: 1_000, durationMs: 8_000, rounds: 1 },
  );
  print(`handle(): ${WRITERS} concurrent callers, create then pay on distinct orders`);
  print(
    formatTable(
      ['', 'commands/s', 'p50 ms (pair)', 'p99 ms (pair)'],
      [
        [
          'create+pay',
          fmtInt(handle.perSecond * 2),
          fmtMs(percentile(handle.latencies, 50)),
          fmtMs(percentile(handle.latencies, 99)),
        ],
      ],
    ),
  );
  print();

  const rows: string[][] = [];
  const costs = new Map<string, number>();
  for (const length of LENGTHS) {
    const streamId = await writeUserStream(database, length);
    const plain = await timeLoads(handler, streamId);
    await saveSnapshot(
      database.db,
      streamId,
      Math.floor(length / 100) * 100 || length,
      userAggregate.stateSchemaVersion,
      (
        await loadStream(
          handler.store,
          userAggregate,
          streamId,
          database.db,
          Math.floor(length / 100) * 100 || length,
        )
      ).state,
    );
    const snapshotted = await timeLoads(handler, streamId);
    await database.db.execute(sql`DELETE FROM snapshots WHERE stream_id = ${streamId}`);
    costs.set(`${length}`, snapshotted);
    rows.push([`${fmtInt(length)} events`, fmtMs(plain), fmtMs(snapshotted)]);
  }
  print(`loading one stream (mean of ${LOADS} loads)`);
  print(formatTable(['', 'no snapshot ms', 'snapshot ms'], rows));
  const ratio = costs.get('10000')! / costs.get('10')!;
  print(`with snapshots, 10,000 events cost ${ratio.toFixed(2)}× the 10-event load (target ≤ 2×)`);
} finally {
  disarm();
  await bench.dispose();
}

/** A user stream of `length` events (registered, then email changes), written in bulk. */
async function writeUserStream(database: Database, length: number): Promise<string> {
  const streamId = `user-bench-${length}`;
  await database.db.execute(sql`
    INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)
    SELECT gen_random_uuid(), ${streamId}, 'user', v,
      CASE WHEN v = 1 THEN 'UserRegistered' ELSE 'UserEmailChanged' END, 1,
      CASE WHEN v = 1 THEN jsonb_build_object('userId', ${streamId}::text, 'username', 'bench', 'email', 'e1@example.com')
           ELSE jsonb_build_object('oldEmail', 'e' || (v - 1) || '@example.com', 'newEmail', 'e' || v || '@example.com') END,
      '{}'::jsonb
    FROM generate_series(1, ${length}) AS v`);
  await database.db.execute(
    sql`INSERT INTO streams (stream_id, stream_type, version) VALUES (${streamId}, 'user', ${length})`,
  );
  return streamId;
}

async function timeLoads(handler: CommandHandler, streamId: string): Promise<number> {
  const db = handler.store.database.db;
  await loadStream(handler.store, userAggregate, streamId, db);
  const started = performance.now();
  for (let i = 0; i < LOADS; i++) await loadStream(handler.store, userAggregate, streamId, db);
  return (performance.now() - started) / LOADS;
}
