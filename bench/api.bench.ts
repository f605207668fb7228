import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { WebSocketServer } from 'ws';
import { loadConfig, type Config } from '../src/config.js';
import { startInProcess, startWorkers, type ServerUnderTest } from './api-server.js';
import {
  wallClock,
  type Command,
  type FanOutResult,
  type LoadResult,
  type PayResult,
  type Reply,
  type Usage,
} from './api-clients.js';
import {
  adminUrl,
  createBenchDatabase,
  fmtInt,
  fmtMs,
  formatTable,
  postgresCpuMs,
  print,
  readCpu,
  watchdog,
} from './support.js';

// npm run bench:api — createOrder mutations per second over HTTP, and the delay from a
// payOrder's response to its status change reaching every one of 1,000 and 10,000
// graphql-ws subscribers. PostgreSQL (DATABASE_URL, loopback only). The server runs in
// this process; the clients run in two forked processes (api-clients.ts): one sends the
// mutations, one holds the sockets, so neither queues behind the other.
//
// Fan-out pays orders for 10 s at 20 per second to 1,000 subscribers and at 2 per second to
// 10,000: the same 20,000 messages a second from the server either way. A fixed 20 per
// second would ask 200,000 messages a second of the 10,000 run, ten times what one
// process can write even with no GraphQL work at all (11–20 µs a socket write here),
// so it would measure how a queue grows, not how long a change takes to reach everyone.
// BENCH_PAY_RATE (payments per second, every run) and BENCH_FAN_OUT
// (comma-separated subscriber counts, default 1000,10000) vary the fan-out runs;
// BENCH_FULFILMENT=off runs without the fulfilment saga, which otherwise ships each paid
// order and so adds status changes the bench does not pace (counted as `other changes`).
// BENCH_PROFILE=<dir> writes a CPU profile of the server for each measured phase there
// (open it in Chrome DevTools); profiling slows the server, so figures from such a run
// are not the bench's. BENCH_WORKERS=<n> measures `npm start` with WORKERS=n instead of a
// server in this process (saga always on; no event-loop or profile figures then).
// Every run also measures the floors: the same HTTP client against a bare node:http
// server (answering at once, or after one INSERT), and the same subscribers fed by a bare
// ws server.

const CONNECTIONS = 32;
const WARMUP_MS = 3_000;
const LOAD_MS = 10_000;
const FAN_OUT = (process.env.BENCH_FAN_OUT ?? '1000,10000').split(',').filter(Boolean).map(Number);
const MESSAGES_PER_SECOND = 20_000;
const payRate = (subscribers: number) =>
  Number(process.env.BENCH_PAY_RATE ?? Math.min(20, MESSAGES_PER_SECOND / subscribers));
const PAY_SECONDS = 10;
/** How long after the last payment late deliveries still count rather than go missing. */
const DRAIN_MS = 30_000;
const TARGET_CREATES = 1_500;
const TARGET_P99_MS = 250;
const TARGET_SUBSCRIBERS = 10_000;
/** Answers this far behind the first receipt of their change mean the server is not keeping up. */
const LAGGING_MS = 100;

/** One forked client process; `call` sends it a command and waits (bounded) for its answer. */
class ClientProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private next = 0;

  constructor(readonly name: string) {
    this.child = fork(fileURLToPath(new URL('./api-clients.ts', import.meta.url)), [], {
      execArgv: ['--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) waiter?.resolve(reply.result);
      else waiter?.reject(new Error(`${name}: ${reply.error}`));
    });
    this.child.on('exit', (code, signal) => {
      for (const waiter of this.pending.values())
        waiter.reject(new Error(`${name} exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  call<T>(command: Command, timeoutMs: number): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${command.kind} took longer than ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ id, command });
    });
  }

  usage(): Promise<Usage> {
    return this.call<Usage>({ kind: 'usage' }, 10_000);
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }
}

interface Meter {
  ms: number;
  serverCpuMs: number;
  postgresCpuMs: number;
  /** The longest writing transaction seen in another database meanwhile, seconds. */
  otherWriterS: number;
  /** How late the server's event loop ran a timer: p99 and max, ms. */
  loopDelayP99: number;
  loopDelayMax: number;
  serverCpu: number;
  serverLoop: number;
  clientsCpu: number;
  postgresCpu: number;
  machineBusy: number;
}

/**
 * Starts measuring where the CPU goes; the returned function ends it. Percentages are of
 * one core (the machine's busy share is of all cores), so a process at 100 % is saturated.
 */
async function meter(clients: ClientProcess[]): Promise<() => Promise<Meter>> {
  const sample = async () => ({
    at: performance.now(),
    server: server!.usage(),
    clients: await Promise.all(clients.map((c) => c.usage())),
    cpu: readCpu(DATABASE),
  });
  const before = await sample();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const others = await watchOtherWriters(adminUrl());
  return async () => {
    delay.disable();
    const otherWriterS = await others();
    const after = await sample();
    const ms = after.at - before.at;

    const active = after.server.eluActive - before.server.eluActive;
    const serverCpuMs = after.server.cpuMs - before.server.cpuMs;
    return {
      ms,
      serverCpuMs,
      postgresCpuMs: postgresCpuMs(before.cpu, after.cpu),
      otherWriterS,
      loopDelayP99: delay.percentile(99) / 1e6,
      loopDelayMax: delay.max / 1e6,
      serverCpu: (100 * serverCpuMs) / ms,
      serverLoop: (100 * active) / (active + after.server.eluIdle - before.server.eluIdle),
      clientsCpu: (100 * after.clients.reduce((n, u, i) => n + u.cpuMs - before.clients[i]!.cpuMs, 0)) / ms,
      postgresCpu: (100 * postgresCpuMs(before.cpu, after.cpu)) / ms,
      machineBusy:
        (100 * (after.cpu.machineBusyMs - before.cpu.machineBusyMs)) /
        (after.cpu.machineTotalMs - before.cpu.machineTotalMs),
    };
  };
}

const PROFILE_DIR = process.env.BENCH_PROFILE;
const inspector = PROFILE_DIR ? new Session() : undefined;

/** Starts profiling this process when asked to; the returned function writes the profile. */
async function profile(name: string): Promise<() => Promise<void>> {
  if (!inspector || !PROFILE_DIR) return async () => {};
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.setSamplingInterval', { interval: 500 });
  await inspector.post('Profiler.start');
  return async () => {
    const { profile: taken } = await inspector.post('Profiler.stop');
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(taken));
  };
}

/**
 * The longest-running writing transaction in other databases of this PostgreSQL server,
 * sampled while a phase runs. The event feed reads only below the server-wide xmin, so
 * such a transaction (someone else's test, say) holds back every projection here, and
 * with them each mutation's read-your-write wait.
 */
async function watchOtherWriters(admin: string): Promise<() => Promise<number>> {
  const client = new pg.Client({
    connectionString: admin,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 5_000,
  });
  await client.connect();
  let longest = 0;
  let stopped = false;
  const sampling = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ s: number | null }>(
        `
        SELECT max(extract(epoch FROM clock_timestamp() - xact_start))::float8 AS s FROM pg_stat_activity
        WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM $1`,
        [DATABASE],
      );
      longest = Math.max(longest, rows[0]?.s ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return async () => {
    stopped = true;
    await sampling.catch(() => {});
    await client.end().catch(() => {});
    return longest;
  };
}

function withoutIdleTimeout(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete('idle_in_transaction_session_timeout');
  return parsed.toString();
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The floor under any fan-out here: the same subscribers' client, a bare WebSocket server
 * that only acknowledges connection_init, and the same graphql-ws `next` message sent to
 * every socket in one synchronous loop at the payment rate. No GraphQL, no database.
 */
async function bareFanOut(clients: ClientProcess, n: number, rate: number): Promise<FanOutResult> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (socket) =>
    socket.on('message', (data: Buffer) => {
      if (data.toString().includes('"connection_init"')) socket.send('{"type":"connection_ack"}');
    }),
  );
  await new Promise((resolve) => wss.once('listening', resolve));
  const { port } = wss.address() as { port: number };
  try {
    await clients.call(
      { kind: 'subscribe', url: `ws://127.0.0.1:${port}`, subscribers: n, concurrency: 32 },
      300_000,
    );
    const ids = Array.from({ length: Math.round(rate * PAY_SECONDS) }, (_, i) => `bare-${n}-${i}`);
    await clients.call({ kind: 'expect', ids }, 10_000);
    const sent: Record<string, number> = {};
    const started = performance.now();
    for (const [i, orderId] of ids.entries()) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, started + (i * 1000) / rate - performance.now())),
      );
      const change = {
        orderId,
        userId: 'user-fan-out',
        from: 'PENDING',
        to: 'PAID',
        position: `${1000 + i}:${2000 + i}`,
        occurredAt: new Date().toISOString(),
      };
      const message = JSON.stringify({
        id: '1',
        type: 'next',
        payload: { data: { orderStatusChanged: change } },
      });
      sent[orderId] = wallClock();
      for (const socket of wss.clients) socket.send(message);
    }
    return await clients.call<FanOutResult>(
      { kind: 'collect', requested: sent, answered: sent, drainMs: DRAIN_MS },
      DRAIN_MS + 60_000,
    );
  } finally {
    await clients.call({ kind: 'unsubscribe' }, 60_000);
    await new Promise((resolve) => wss.close(resolve));
  }
}

/**
 * The floor under createOrder here: the same client and connections against a bare
 * node:http server in this process that reads the body and answers a finished
 * CreateOrderSuccess, either at once or after one INSERT of the order's input as a row
 * (autocommit, one round trip, a pool of 40). No GraphQL, no event store, no projection.
 */
async function bareCreates(
  url: string,
  insert: boolean,
): Promise<{ load: LoadResult; serverCpuMs: number; postgresCpuMs: number }> {
  const pool = new pg.Pool({ connectionString: url, max: 40 });
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bench_floor_orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id text NOT NULL, input jsonb NOT NULL)',
  );
  const answer = JSON.stringify({
    data: {
      createOrder: {
        __typename: 'CreateOrderSuccess',
        position: '1:1',
        order: { id: 'floor', status: 'PENDING', totalAmount: '349.97' },
      },
    },
  });
  const bare = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { variables } = JSON.parse(Buffer.concat(chunks).toString()) as {
        variables: { input: { userId: string } };
      };
      const written = insert
        ? pool.query('INSERT INTO bench_floor_orders (user_id, input) VALUES ($1, $2)', [
            variables.input.userId,
            variables.input,
          ])
        : Promise.resolve();
      written.then(
        () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(answer);
        },
        (error: unknown) => {
          res.writeHead(500);
          res.end(String(error));
        },
      );
    });
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const target = `http://127.0.0.1:${(bare.address() as { port: number }).port}/graphql`;
  try {
    await driver.call<LoadResult>(
      { kind: 'load', url: target, connections: CONNECTIONS, warmupMs: 0, durationMs: WARMUP_MS },
      60_000,
    );
    const [cpu, postgres] = [process.cpuUsage(), readCpu(DATABASE)];
    const load = await driver.call<LoadResult>(
      { kind: 'load', url: target, connections: CONNECTIONS, warmupMs: 0, durationMs: LOAD_MS },
      120_000,
    );
    const used = process.cpuUsage(cpu);
    return {
      load,
      serverCpuMs: (used.user + used.system) / 1000,
      postgresCpuMs: postgresCpuMs(postgres, readCpu(DATABASE)),
    };
  } finally {
    await new Promise((resolve) => bare.close(resolve));
    await pool.end();
  }
}

/**
 * Every subscription is live on the server before anything is paid: counted where the
 * server runs here; with workers, once every socket has received a probe order's change.
 */
async function registered(target: ServerUnderTest, n: number): Promise<void> {
  if (target.subscribers() !== undefined) {
    await until(() => target.subscribers()! >= n, 60_000, `${n} subscriptions registered`);
    return;
  }
  await sockets.call({ kind: 'expect', ids: [] }, 10_000);
  await driver.call(
    { kind: 'create', url: target.url, ids: [`probe-${n}-${Date.now()}`], concurrency: 1 },
    60_000,
  );
  const deadline = performance.now() + 60_000;
  while ((await sockets.call<number>({ kind: 'others' }, 10_000)) < n) {
    if (performance.now() > deadline) throw new Error(`${n} subscriptions registered: not within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const pct = (n: number) => `${n.toFixed(0)} %`;
const met = (ok: boolean) => (ok ? 'yes' : 'NO');

// Other work on the machine takes cores from the server: say so rather than let it pass
// for slowness. Measured first, before this bench starts anything of its own.
const quiet = readCpu();
await new Promise((resolve) => setTimeout(resolve, 2_000));
const busy = readCpu();
const othersBusy =
  (100 * (busy.machineBusyMs - quiet.machineBusyMs)) / (busy.machineTotalMs - quiet.machineTotalMs);

// Two connections at least: migrate() holds its advisory lock on one and migrates on another.
const DATABASE = 'ledgerline_bench_api';
const bench = await createBenchDatabase(adminUrl(), DATABASE, 2);
const config: Config = {
  ...loadConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' }),
  // Without the bench database's idle-in-transaction timeout: a server whose event loop
  // stalls that long would have its transactions cut and crash, hiding the figures; the
  // loop delay column shows such a stall instead, and the watchdog still bounds the run.
  database: { kind: 'postgres', url: withoutIdleTimeout(bench.url), poolMax: 40 },
};
const FULFILMENT = process.env.BENCH_FULFILMENT !== 'off';
const WORKERS = Number(process.env.BENCH_WORKERS ?? 0);
let server: ServerUnderTest | undefined;
const driver = new ClientProcess('driver');
const sockets = new ClientProcess('subscribers');
const cleanup = async () => {
  driver.stop();
  sockets.stop();
  await server?.stop().catch(() => {});
  await bench.dispose();
};
const disarm = watchdog(15 * 60_000, cleanup);
// A crash inside the server (say a pool client's unhandled error) or a failed phase ends
// the bench with its cause printed and the database dropped, nothing left behind.
let failed = false;
process.on('uncaughtException', (error) => {
  process.stderr.write(
    failed ? `bench: and then: ${String(error)}\n` : `bench: failed: ${error.stack ?? String(error)}\n`,
  );
  if (failed) return;
  failed = true;
  const bounded = new Promise((resolve) => setTimeout(resolve, 15_000).unref());
  void Promise.race([cleanup().catch(() => {}), bounded]).finally(() => process.exit(1));
});
inspector?.connect();
try {
  server =
    WORKERS > 0
      ? await startWorkers(withoutIdleTimeout(bench.url), WORKERS)
      : await startInProcess(config, FULFILMENT);
  const { url } = server;
  const wsUrl = url.replace(/^http/, 'ws');
  print(
    `ledgerline API bench: ${server.description}, clients in two child processes; ` +
      `PostgreSQL ${new URL(bench.url).host}, pool 40`,
  );
  print(
    `machine busy before the bench started: ${pct(othersBusy)} of all cores${othersBusy > 15 ? ' (other processes: expect lower figures than on an idle machine)' : ''}`,
  );
  print();

  // 1. createOrder throughput.
  await driver.call<LoadResult>(
    { kind: 'load', url, connections: CONNECTIONS, warmupMs: 0, durationMs: WARMUP_MS },
    60_000,
  );
  const loadMeter = await meter([driver, sockets]);
  const loadProfile = await profile('create-order');
  const load = await driver.call<LoadResult>(
    { kind: 'load', url, connections: CONNECTIONS, warmupMs: 0, durationMs: LOAD_MS },
    120_000,
  );
  await loadProfile();
  const loadUsage = await loadMeter();
  print(
    `createOrder over HTTP: ${CONNECTIONS} keep-alive connections, ${LOAD_MS / 1000} s after ${WARMUP_MS / 1000} s of warm-up`,
  );
  print(
    formatTable(
      ['', 'per second', 'p50 ms', 'p99 ms', 'ok', 'failed', 'target', 'met'],
      [
        [
          'createOrder',
          fmtInt(load.perSecond),
          fmtMs(load.p50),
          fmtMs(load.p99),
          fmtInt(load.ok),
          fmtInt(load.failed),
          `≥ ${fmtInt(TARGET_CREATES)}/s`,
          met(load.perSecond >= TARGET_CREATES && load.failed === 0),
        ],
      ],
    ),
  );
  if (load.firstFailure) print(`first failure: ${load.firstFailure}`);
  print();
  const floorRows: string[][] = [];
  for (const [name, insert] of [
    ['bare HTTP', false],
    ['HTTP + one INSERT', true],
  ] as const) {
    const bare = await bareCreates(bench.url, insert);
    floorRows.push([
      name,
      fmtInt(bare.load.perSecond),
      fmtMs(bare.load.p50),
      fmtMs(bare.load.p99),
      fmtInt(bare.load.failed),
      `${fmtMs(bare.serverCpuMs / bare.load.ok)} / ${fmtMs(bare.postgresCpuMs / bare.load.ok)}`,
    ]);
  }
  print(
    'the floor: the same client and connections against a bare node:http server answering a finished createOrder result, ' +
      'at once or after one INSERT of the input (no GraphQL, no event store, no projection)',
  );
  print(
    formatTable(
      ['', 'per second', 'p50 ms', 'p99 ms', 'failed', 'CPU ms per request, server / postgres'],
      floorRows,
    ),
  );
  print();

  // 2. Fan-out of status changes.
  const usages: [string, Meter, string][] = [
    [
      'createOrder load',
      loadUsage,
      `${fmtMs(loadUsage.serverCpuMs / load.ok)} / ${fmtMs(loadUsage.postgresCpuMs / load.ok)} ms per createOrder`,
    ],
  ];
  const rows: string[][] = [];
  const floors: string[][] = [];
  const phases: string[][] = [];
  const laggingRuns: string[] = [];
  const capacity: string[] = [];
  for (const n of FAN_OUT) {
    const rate = payRate(n);
    const ids = Array.from({ length: Math.round(rate * PAY_SECONDS) }, (_, i) => `fan-${n}-${i}`);
    await driver.call({ kind: 'create', url, ids, concurrency: 16 }, 120_000);
    const connecting = performance.now();
    await sockets.call({ kind: 'subscribe', url: wsUrl, subscribers: n, concurrency: 32 }, 300_000);
    await registered(server, n);
    const connectMs = performance.now() - connecting;
    await sockets.call({ kind: 'expect', ids }, 10_000);

    const fanMeter = await meter([driver, sockets]);
    const fanProfile = await profile(`fan-out-${n}`);
    const paid = await driver.call<PayResult>(
      { kind: 'pay', url, ids, perSecond: rate },
      PAY_SECONDS * 1000 + 120_000,
    );
    const fan = await sockets.call<FanOutResult>(
      {
        kind: 'collect',
        requested: paid.requested,
        answered: paid.answered,
        drainMs: DRAIN_MS,
      },
      DRAIN_MS + 60_000,
    );
    await fanProfile();
    const fanUsage = await fanMeter();
    // Every status message a subscriber got costs the server alike, the saga's too.
    const deliveries = fan.received + fan.others;
    const perDeliveryUs = (1000 * fanUsage.serverCpuMs) / deliveries;
    usages.push([
      `fan-out to ${fmtInt(n)}`,
      fanUsage,
      `${fmtMs(perDeliveryUs)} / ${fmtMs((1000 * fanUsage.postgresCpuMs) / deliveries)} µs per delivery`,
    ]);
    capacity.push(
      `${fmtInt(n)} subscribers: one change costs the server ${fmtInt((perDeliveryUs * n) / 1000)} ms of CPU, ` +
        `so one core fans out at most ${(1e6 / (perDeliveryUs * n)).toFixed(1)} changes/s to them`,
    );

    const targeted = n >= TARGET_SUBSCRIBERS;
    // Delays count from the payOrder's answer; a server that answers HTTP late (its event
    // loop behind the fan-out) makes them small or negative, so such a run cannot pass.
    const lagging = fan.first.p50 < -LAGGING_MS;
    const ok =
      fan.missing === 0 && paid.failed === 0 && !lagging && (!targeted || fan.delay.p99 < TARGET_P99_MS);
    if (lagging) laggingRuns.push(fmtInt(n));
    rows.push([
      fmtInt(n),
      `${rate}/s`,
      fmtInt(fan.changes),
      fmtInt(fan.received),
      fmtInt(fan.missing),
      fmtMs(fan.delay.p50),
      fmtMs(fan.delay.p99),
      fmtMs(fan.delay.max),
      fmtMs(fan.first.p50),
      fmtMs(fan.last.p50),
      fmtMs(fan.last.p99),
      fmtMs(fan.fromRequest.p99),
      targeted ? `p99 < ${TARGET_P99_MS}, 0 missing` : '0 missing',
      met(ok),
    ]);
    phases.push([
      fmtInt(n),
      `${(connectMs / 1000).toFixed(1)} s`,
      fmtMs(paid.p50),
      fmtMs(paid.p99),
      fmtInt(paid.failed),
      fmtInt(fan.duplicates),
      fmtInt(fan.others),
      fmtInt(fan.ended),
      fmtMs(fan.delay.min),
      `${(fan.drainedMs / 1000).toFixed(1)} s`,
    ]);
    if (paid.firstFailure) print(`${fmtInt(n)} subscribers, first failed payment: ${paid.firstFailure}`);
    if (fan.firstEnd) print(`${fmtInt(n)} subscribers, first subscription ended early: ${fan.firstEnd}`);

    await sockets.call({ kind: 'unsubscribe' }, 60_000);
    await until(() => (server!.subscribers() ?? 0) === 0, 60_000, 'subscriptions released');

    const bare = await bareFanOut(sockets, n, rate);
    floors.push([
      fmtInt(n),
      `${rate}/s`,
      fmtInt(bare.changes),
      fmtInt(bare.received),
      fmtInt(bare.missing),
      fmtMs(bare.delay.p50),
      fmtMs(bare.delay.p99),
      fmtMs(bare.delay.max),
    ]);
  }
  // BENCH_FAN_OUT= (empty) measures createOrder alone: no fan-out tables then.
  if (rows.length > 0) {
    print(
      `orderStatusChanged fan-out: graphql-ws subscribers, one socket each, no filter; orders paid for ${PAY_SECONDS} s ` +
        "at the rate shown; delay = receipt at a subscriber − that payOrder's HTTP response (ms)",
    );
    print(
      formatTable(
        [
          'subscribers',
          'paid',
          'changes',
          'deliveries',
          'missing',
          'p50',
          'p99',
          'max',
          'first p50',
          'last p50',
          'last p99',
          'p99 from request',
          'target',
          'met',
        ],
        rows,
      ),
    );
    print(
      '(p50/p99/max over every subscriber × change; first/last: per change, its earliest and its latest receipt;',
    );
    print(
      ' from request: the same delay counted from when the payOrder was sent; missing: not received within ' +
        `${DRAIN_MS / 1000} s of the last answer)`,
    );
    if (laggingRuns.length > 0) {
      print(
        `not keeping up with ${laggingRuns.join(' and ')} subscribers: payOrder answers came more than ${LAGGING_MS} ms after ` +
          'their change had reached a subscriber (first p50), so delays from the answer understate; see p99 from request',
      );
    }
    print();
    print(
      formatTable(
        [
          'subscribers',
          'connect',
          'pay p50',
          'pay p99',
          'pay failed',
          'duplicates',
          'other changes',
          'ended early',
          'min delay',
          'drain',
        ],
        phases,
      ),
    );
    print(
      '(connect: opening the sockets and registering every subscription; drain: waiting after the last payment)',
    );
    print();
    print(
      'the floor: the same client and message rate, a bare ws server sending the finished graphql-ws message to every socket ' +
        'in one loop (no GraphQL, no database); delay = receipt − the start of that loop (ms)',
    );
    print(
      formatTable(['subscribers', 'rate', 'messages', 'deliveries', 'missing', 'p50', 'p99', 'max'], floors),
    );
    print();
  }
  print(
    'CPU, % of one core (machine: of all cores; postgres: the backends of this database); the last column is CPU time per unit of work, server / postgres',
  );
  print(
    formatTable(
      [
        'phase',
        'server',
        'server event loop',
        'loop delay p99/max ms',
        'clients',
        'postgres',
        'machine',
        'CPU per unit',
      ],
      usages.map(([phase, u, per]) => [
        // With workers the loop measured would be this process's, not the server's.
        phase,
        pct(u.serverCpu),
        WORKERS > 0 ? 'n/a' : pct(u.serverLoop),
        WORKERS > 0 ? 'n/a' : `${u.loopDelayP99.toFixed(0)} / ${u.loopDelayMax.toFixed(0)}`,
        pct(u.clientsCpu),
        pct(u.postgresCpu),
        pct(u.machineBusy),
        per,
      ]),
    ),
  );
  print(
    '(server event loop: share of time busy; loop delay: how late it ran a timer, i.e. how long I/O waited behind work)',
  );
  for (const line of capacity) print(line);
  if (rows.length > 0) {
    print(
      `(p99 under ${TARGET_P99_MS} ms at ${fmtInt(TARGET_SUBSCRIBERS)} subscribers needs one change's fan-out well inside that: ` +
        `under ${fmtMs((1000 * TARGET_P99_MS) / TARGET_SUBSCRIBERS)} µs of server CPU per delivery)`,
    );
  }
  const held = usages.filter(([, u]) => u.otherWriterS >= 1);
  if (held.length > 0) {
    print(
      `other databases on this PostgreSQL held a writing transaction open for up to ${held
        .map(([phase, u]) => `${u.otherWriterS.toFixed(1)} s (${phase})`)
        .join(', ')}; the event feed waits for those`,
    );
  }
} finally {
  disarm();
  await cleanup();
}
