/**
 * `npm run soak`: mixed load against several server processes sharing a private, loopback
 * PostgreSQL cluster (so restarting it disturbs nobody), with one PostgreSQL restart and
 * one instance SIGKILLed in the middle. Prints what was accepted, written and delivered,
 * each subscriber's duplicates and gaps against order_status_history, and the
 * consistency checker's result; exits 1 if any of those is not clean.
 *
 * SOAK_SECONDS (60), SOAK_INSTANCES (2), SOAK_SUBSCRIBERS (1000), SOAK_SOCKETS (100),
 * SOAK_CLIENTS (10), SOAK_PAUSE_MS (250: each client's pause between orders),
 * SOAK_OUTAGE_MS (2000: how long PostgreSQL stays down in its restart).
 */
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { sql } from 'drizzle-orm';
import { openDatabase, rows } from '../src/db/connect.js';
import { createEventTypeRegistry } from '../src/event-types.js';
import { checkOrders } from '../src/projections/orders/checker.js';
import { postGraphql, waitUntil } from '../test/support/clients.js';
import {
  cancelOrder,
  createOrder,
  deliverOrder,
  historyPositions,
  payOrder,
  type Outcome,
} from '../test/support/orders.js';
import { startPrivateCluster, type PrivateCluster } from '../test/support/pg-cluster.js';
import { startServerProcess, type ServerProcess } from '../test/support/server-process.js';
import { delivery, PositionIndex, SocketGroup } from './soak-subscribers.js';
import { percentile } from './support.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SECONDS = env('SOAK_SECONDS', 60);
const INSTANCES = Math.max(env('SOAK_INSTANCES', 2), 2);
const SUBSCRIBERS = env('SOAK_SUBSCRIBERS', 1_000);
const SOCKETS = Math.min(env('SOAK_SOCKETS', 100), SUBSCRIBERS);
const CLIENTS = env('SOAK_CLIENTS', 10);
const PAUSE_MS = env('SOAK_PAUSE_MS', 250);
const OUTAGE_MS = env('SOAK_OUTAGE_MS', 2_000);
const log = pino({ base: undefined, timestamp: false });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small seeded generator: the same run asks for the same mix. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

class Fleet {
  readonly dead = new Set<ServerProcess>();
  constructor(readonly servers: ServerProcess[]) {}

  live(): ServerProcess[] {
    return this.servers.filter((s) => !this.dead.has(s));
  }

  /** `url` while its instance lives, else the first live one. */
  liveUrl(url: string): string {
    const live = this.live();
    return (live.find((s) => s.wsUrl === url) ?? live[0]!).wsUrl;
  }

  /** The instance running the projections (none of them on standby there). */
  async leader(): Promise<ServerProcess | undefined> {
    for (const server of this.live()) {
      const { data } = await server.gql('{ projections { state } }').catch(() => ({ data: undefined }));
      const states = (data as { projections?: Array<{ state: string }> } | undefined)?.projections;
      if (states?.every((p) => p.state !== 'standby' && p.state !== 'stopped')) return server;
    }
    return undefined;
  }
}

type Tally = Map<string, number>;
/** The first message of each kind of failure, for the report. */
const examples = new Map<string, string>();
/** How long commands took to fail with UNAVAILABLE: failing fast is the point. */
const unavailableMs: number[] = [];
/** While PostgreSQL is down (performance.now() bounds), and what the commands sent meanwhile came to. */
const outage = { from: Infinity, to: Infinity, outcomes: new Map<string, number>() };
const count = (tally: Tally, outcome: Outcome) => {
  tally.set(outcome.outcome, (tally.get(outcome.outcome) ?? 0) + 1);
  if (outcome.message !== undefined && !examples.has(outcome.outcome))
    examples.set(outcome.outcome, outcome.message);
  if (outcome.outcome === 'UNAVAILABLE') unavailableMs.push(outcome.ms);
  const sent = performance.now() - outcome.ms;
  if (sent >= outage.from && sent < outage.to)
    outage.outcomes.set(outcome.outcome, (outage.outcomes.get(outcome.outcome) ?? 0) + 1);
};

/** One client: creates an order, then pays or cancels it, and delivers one it paid earlier. */
async function client(n: number, fleet: Fleet, tally: Tally, running: () => boolean): Promise<void> {
  const next = random(n + 1);
  const paid: string[] = [];
  for (let i = 0; running(); i++) {
    const live = fleet.live();
    const server = live[Math.floor(next() * live.length)]!;
    const gql = (q: string, v?: Record<string, unknown>) => postGraphql(server.url, q, v);
    const id = `soak-${n}-${i}`;
    const created = await createOrder(gql, id, `user-${i % 50}`);
    count(tally, created);
    const roll = next();
    if (created.outcome === 'CreateOrderSuccess' && roll < 0.7) {
      const outcome = await payOrder(gql, id);
      count(tally, outcome);
      if (outcome.outcome === 'PayOrderSuccess') paid.push(id);
    } else if (created.outcome === 'CreateOrderSuccess' && roll < 0.85) {
      count(tally, await cancelOrder(gql, id));
    }
    // The saga ships paid orders; one paid a while ago is delivered.
    if (paid.length > 5) count(tally, await deliverOrder(gql, paid.shift()!));
    await sleep(PAUSE_MS);
  }
}

/**
 * Seconds from the kill until a survivor logged taking the last of the locks (every
 * projection and the saga worker), by the survivors' own log clocks.
 */
function tookOver(survivors: ServerProcess[], killedAt: number): number | null {
  const taken = survivors
    .flatMap((s) => s.logs)
    .filter(
      (l) =>
        (l.msg === 'running projection' || l.msg === 'running the fulfilment worker') &&
        Number(l.time) >= killedAt,
    )
    .map((l) => Number(l.time));
  return taken.length === 0 ? null : Number(((Math.max(...taken) - killedAt) / 1_000).toFixed(2));
}

async function main(): Promise<number> {
  const started = performance.now();
  const at = () => `${((performance.now() - started) / 1_000).toFixed(1)} s`;
  const cluster: PrivateCluster = await startPrivateCluster();
  const servers: ServerProcess[] = [];
  const groups: SocketGroup[] = [];
  try {
    for (let i = 0; i < INSTANCES; i++)
      servers.push(
        await startServerProcess(`soak-${i}`, { DATABASE_URL: cluster.url, DATABASE_POOL_MAX: '20' }),
      );
    const fleet = new Fleet(servers);
    log.info(
      { instances: servers.map((s) => s.url), postgres: cluster.url },
      `soak: ${SECONDS} s, ${SUBSCRIBERS} subscribers, ${CLIENTS} clients`,
    );

    const index = new PositionIndex();
    for (let g = 0; g < SOCKETS; g++) {
      const size = Math.floor(SUBSCRIBERS / SOCKETS) + (g < SUBSCRIBERS % SOCKETS ? 1 : 0);
      const group = new SocketGroup(index, size, servers[g % servers.length]!.wsUrl, (url) =>
        fleet.liveUrl(url),
      );
      group.connect();
      groups.push(group);
    }
    await sleep(2_000);

    const tally: Tally = new Map();
    let running = true;
    const clients = Array.from({ length: CLIENTS }, (_, n) => client(n, fleet, tally, () => running));

    await sleep((SECONDS * 1_000) / 3);
    log.info(`${at()}: stopping PostgreSQL for ${OUTAGE_MS} ms`);
    await cluster.stop();
    outage.from = performance.now();
    await sleep(OUTAGE_MS);
    outage.to = performance.now();
    await cluster.start();
    log.info(`${at()}: PostgreSQL is back`);

    await sleep((SECONDS * 1_000) / 3);
    const victim = (await fleet.leader()) ?? servers[0]!;
    log.info(`${at()}: SIGKILL ${victim.name}, which runs the projections and the saga`);
    const killedAt = performance.now();
    const killedAtEpoch = Date.now();
    fleet.dead.add(victim);
    await victim.kill('SIGKILL');
    let failover: number | undefined;
    void (async () => {
      while (running && !(await fleet.leader())) await sleep(50);
      failover = (performance.now() - killedAt) / 1_000;
    })();

    await sleep((SECONDS * 1_000) / 3);
    running = false;
    await Promise.all(clients);
    log.info(`${at()}: load stopped; waiting for subscribers to catch up`);

    // The saga goes on shipping what was paid last: settle until the history stops growing.
    const subscribers = groups.flatMap((g) => g.subscribers);
    let history: string[] = [];
    for (let settled = false; !settled;) {
      const before = history.length;
      history = await historyPositions(cluster.url);
      await waitUntil(() => subscribers.every((s) => s.received.length >= history.length), 30_000).catch(
        () => {},
      );
      await sleep(2_000);
      settled = history.length === before;
    }
    const due = new Set(history.map((p) => index.id(p)));
    const results = subscribers.map((s) => delivery(s.received, due));
    const counts = Float64Array.from(results.map((r) => r.count)).sort();
    const duplicates = results.reduce((sum, r) => sum + r.duplicates, 0);
    const gaps = results.reduce((sum, r) => sum + r.gaps, 0);
    const unexpected = results.reduce((sum, r) => sum + r.unexpected, 0);

    const database = await openDatabase({ kind: 'postgres', url: cluster.url, poolMax: 2 });
    const [{ events } = { events: 0 }] = await rows<{ events: number }>(
      database.db,
      sql`SELECT count(*)::int AS events FROM events`,
    );
    const check = await checkOrders(database, createEventTypeRegistry());
    await database.close();

    // WrittenNotReadableError: written, but the read side (busy taking over) had not shown it within 5 s.
    const accepted = [...tally]
      .filter(([k]) => k.endsWith('Success') || k === 'WrittenNotReadableError')
      .reduce((sum, [, v]) => sum + v, 0);
    const report = {
      seconds: SECONDS,
      instances: INSTANCES,
      commandsAccepted: accepted,
      commandOutcomes: Object.fromEntries([...tally].sort()),
      failureExamples: Object.fromEntries(examples),
      sentWhilePostgresWasDown: Object.fromEntries(outage.outcomes),
      unavailableFailedWithinMs: unavailableMs.length === 0 ? null : Math.round(Math.max(...unavailableMs)),
      eventsWritten: events,
      statusChanges: history.length,
      subscribers: subscribers.length,
      deliveredPerSubscriber: {
        min: counts[0],
        median: percentile(counts, 50),
        max: counts[counts.length - 1],
      },
      resubscriptions: subscribers.reduce((sum, s) => sum + s.resumed, 0),
      duplicates,
      gaps,
      unexpected,
      failover: {
        locksTakenSeconds: tookOver(fleet.live(), killedAtEpoch),
        projectionsQueryShowsLeaderSeconds: failover === undefined ? null : Number(failover.toFixed(2)),
      },
      checker: { checked: check.checked, mismatches: check.mismatches.length },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    for (const m of check.mismatches.slice(0, 20)) process.stdout.write(`mismatch: ${JSON.stringify(m)}\n`);
    const clean = duplicates === 0 && gaps === 0 && unexpected === 0 && check.mismatches.length === 0;
    process.stdout.write(clean ? 'soak: clean\n' : 'soak: FAILED (duplicates, gaps or mismatches above)\n');
    return clean ? 0 : 1;
  } finally {
    await Promise.all(groups.map((g) => g.close()));
    await Promise.all(servers.map((s) => s.kill('SIGKILL')));
    await cluster.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
