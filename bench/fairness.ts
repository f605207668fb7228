import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServerProcess, type ServerProcess } from './api-server.js';
import { fmtInt, fmtMs, formatTable, percentile, print, watchdog } from './support.js';

// npm run bench:fairness — whether one heavy customer stalls everyone else on PGlite.
// `npm start` runs in a child process on a fresh PGlite data directory (fulfilment saga
// on, as in production); this process is the clients. One client creates and pays
// 100-line orders (100 distinct products at 0.01) back to back, which is the most
// recommendation and saga work one order can ask for; meanwhile another reads a small
// order with `order(id)` at a fixed pace (each read sent on time whether or not the last
// has answered, so a stall shows in every read it delays). The reads are measured first
// with the server idle, then under that load, then while the projections drain what the
// load left behind. Every failed request counts, resets (ECONNRESET: the caller cannot
// tell whether a mutation was applied) apart from other errors.
// BENCH_LOAD_S (default 30) sets how long the payer runs; BENCH_PROFILE=<dir> writes a CPU
// profile of the server there (profiling slows it: such a run's figures are not the bench's).

const IDLE_MS = 5_000;
const LOAD_MS = Number(process.env.BENCH_LOAD_S ?? 30) * 1_000;
/** The longest the projections may take to catch up after the load before the bench says so. */
const DRAIN_MAX_MS = 300_000;
const READ_EVERY_MS = 20;
const LINES = 100;
const TARGET_P99_MS = 100;
const REQUEST_TIMEOUT_MS = 60_000;

const ORDER_QUERY = 'query Order($id: ID!) { order(id: $id) { id status } }';
const CREATE_ORDER = `mutation CreateOrder($input: CreateOrderInput!) {
  createOrder(input: $input) { __typename ... on CreateOrderSuccess { order { id } } ... on Error { code message } }
}`;
const PAY_ORDER = `mutation PayOrder($input: PayOrderInput!) {
  payOrder(input: $input) { __typename ... on PayOrderSuccess { order { id } } ... on Error { code message } }
}`;
const PROJECTIONS = 'query { projections { name eventsBehind } }';

const HEAVY_ITEMS = Array.from({ length: LINES }, (_, i) => ({
  productId: `fair-${String(i).padStart(3, '0')}`,
  quantity: 1,
  price: '0.01',
}));
const HEAVY_TOTAL = (LINES / 100).toFixed(2);

/** When a keep-alive socket last finished a response, to tell how long it sat idle before a reset. */
const lastUsed = new WeakMap<Socket, number>();

class Tally {
  readonly latencies: number[] = [];
  resets = 0;
  errors = 0;
  /** For each reset: how long its socket had been idle before the request, ms; NaN for a new socket. */
  readonly idleBeforeReset: number[] = [];
  readonly samples: string[] = [];

  failed(error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNRESET' || code === 'EPIPE') {
      this.resets++;
      this.idleBeforeReset.push((error as { idleMs?: number }).idleMs ?? NaN);
    } else {
      this.errors++;
    }
    const message = `${code ?? ''} ${error instanceof Error ? error.message : String(error)}`.trim();
    if (this.samples.length < 3 && !this.samples.includes(message)) this.samples.push(message);
  }
}

function post(agent: http.Agent, url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let socket: Socket | undefined;
    let idleMs = NaN;
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          if (socket) lastUsed.set(socket, performance.now());
          const text = Buffer.concat(chunks).toString();
          if (response.statusCode !== 200)
            reject(new Error(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`));
          else resolve(text);
        });
        response.on('error', reject);
      },
    );
    request.on('socket', (assigned) => {
      socket = assigned;
      const used = lastUsed.get(assigned);
      if (used !== undefined) idleMs = performance.now() - used;
    });
    request.on('timeout', () =>
      request.destroy(Object.assign(new Error('no answer in time'), { code: 'TIMEOUT' })),
    );
    request.on('error', (error) => reject(Object.assign(error, { idleMs })));
    request.end(body);
  });
}

async function graphql<T>(
  agent: http.Agent,
  url: string,
  query: string,
  variables: unknown = {},
): Promise<T> {
  const body = JSON.parse(await post(agent, url, JSON.stringify({ query, variables }))) as {
    data?: T;
    errors?: { message: string }[];
  };
  if (body.errors?.length || !body.data)
    throw new Error(`GraphQL: ${body.errors?.[0]?.message ?? 'no data'}`);
  return body.data;
}

async function mutate(
  agent: http.Agent,
  url: string,
  query: string,
  field: string,
  input: unknown,
): Promise<void> {
  const data = await graphql<Record<string, { __typename: string; message?: string }>>(agent, url, query, {
    input,
  });
  const answer = data[field]!;
  if (!answer.__typename.endsWith('Success'))
    throw new Error(`${field}: ${answer.__typename} ${answer.message ?? ''}`);
}

/** Reads `order(id)` every READ_EVERY_MS until `until()` says stop; each read is timed alone. */
async function readAtPace(
  agent: http.Agent,
  url: string,
  orderId: string,
  until: () => boolean,
): Promise<Tally> {
  const tally = new Tally();
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  for (let n = 0; !until(); n++) {
    const wait = started + n * READ_EVERY_MS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const begun = performance.now();
    const read: Promise<void> = graphql(agent, url, ORDER_QUERY, { id: orderId })
      .then(
        () => {
          tally.latencies.push(performance.now() - begun);
        },
        (error: unknown) => tally.failed(error),
      )
      .finally(() => inFlight.delete(read));
    inFlight.add(read);
  }
  await Promise.all(inFlight);
  return tally;
}

/** Creates and pays 100-line orders back to back until `until()` says stop. */
async function payInLoop(
  agent: http.Agent,
  url: string,
  until: () => boolean,
): Promise<Tally & { paid: number }> {
  const tally = Object.assign(new Tally(), { paid: 0 });
  for (let n = 0; !until(); n++) {
    const id = `fair-heavy-${n}`;
    const begun = performance.now();
    try {
      await mutate(agent, url, CREATE_ORDER, 'createOrder', { id, userId: 'user-heavy', items: HEAVY_ITEMS });
      await mutate(agent, url, PAY_ORDER, 'payOrder', {
        orderId: id,
        amount: HEAVY_TOTAL,
        paymentMethod: 'card',
      });
      tally.paid++;
      tally.latencies.push(performance.now() - begun);
    } catch (error) {
      tally.failed(error);
    }
  }
  return tally;
}

function startServer(dataDir: string): Promise<ServerProcess> {
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  return startServerProcess(
    { DATA_DIR: dataDir, WORKERS: '1', DATABASE_URL: undefined, AUTH_JWT_SECRET: undefined },
    profile,
  );
}

function row(phase: string, tally: Tally): string[] {
  const sorted = Float64Array.from(tally.latencies).sort();
  return [
    phase,
    fmtInt(sorted.length),
    fmtMs(percentile(sorted, 50)),
    fmtMs(percentile(sorted, 99)),
    fmtMs(sorted.at(-1) ?? NaN),
    fmtInt(tally.resets),
    fmtInt(tally.errors),
  ];
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledgerline-fairness-'));
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const cleanup = async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const disarm = watchdog(LOAD_MS + DRAIN_MAX_MS + 180_000, cleanup);
  try {
    server = await startServer(dataDir);
    const { url } = server;
    // Clients keep their connections alive, as browsers and most HTTP clients do.
    const readers = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const payer = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await mutate(readers, url, CREATE_ORDER, 'createOrder', {
      id: 'fair-small',
      userId: 'user-small',
      items: [HEAVY_ITEMS[0]],
    });

    const idle = await readAtPace(
      readers,
      url,
      'fair-small',
      (
        (end) => () =>
          performance.now() > end
      )(performance.now() + IDLE_MS),
    );
    const loadEnd = performance.now() + LOAD_MS;
    const [loaded, paying] = await Promise.all([
      readAtPace(readers, url, 'fair-small', () => performance.now() > loadEnd),
      payInLoop(payer, url, () => performance.now() > loadEnd),
    ]);
    // Reads go on at the same pace while the projections drain what the load left behind.
    let behind = Infinity;
    const drainStart = performance.now();
    const draining = () => behind === 0 || performance.now() - drainStart > DRAIN_MAX_MS;
    const [drained, drainMs] = await Promise.all([
      readAtPace(readers, url, 'fair-small', draining),
      (async () => {
        while (!draining()) {
          const data = await graphql<{ projections: { eventsBehind: number }[] }>(
            payer,
            url,
            PROJECTIONS,
          ).catch(() => undefined);
          if (data) behind = data.projections.reduce((n, p) => n + p.eventsBehind, 0);
          if (behind > 0) await new Promise((resolve) => setTimeout(resolve, 250));
        }
        return performance.now() - drainStart;
      })(),
    ]);
    readers.destroy();
    payer.destroy();

    print(
      `Fairness on PGlite (npm start, one process, fulfilment saga on): order(id) read every ${READ_EVERY_MS} ms`,
    );
    print(`while one client pays ${LINES}-line orders back to back for ${LOAD_MS / 1000} s.`);
    print();
    print(
      formatTable(
        ['reads', 'count', 'p50 ms', 'p99 ms', 'max ms', 'resets', 'errors'],
        [row('idle', idle), row('under load', loaded), row('draining', drained)],
      ),
    );
    print();
    const payments = Float64Array.from(paying.latencies).sort();
    print(
      `payer: ${fmtInt(paying.paid)} orders created and paid (${fmtMs(percentile(payments, 50))} ms p50 each), ` +
        `${fmtInt(paying.resets)} resets, ${fmtInt(paying.errors)} errors`,
    );
    print(
      `projections ${behind === 0 ? 'caught up' : `still ${fmtInt(behind)} events behind`} ${fmtMs(drainMs / 1000)} s after the load`,
    );
    const idles = [idle, loaded, drained, paying].flatMap((t) => t.idleBeforeReset);
    if (idles.length > 0) {
      const described = idles.map((ms) => (Number.isNaN(ms) ? 'new' : `${fmtMs(ms / 1000)} s`)).join(', ');
      print(
        `resets came on keep-alive sockets idle for: ${described} before the request (the server closes idle ones after its keepAliveTimeout)`,
      );
    }
    for (const sample of [...idle.samples, ...loaded.samples, ...drained.samples, ...paying.samples])
      print(`  e.g. ${sample}`);
    const p99 = percentile(Float64Array.from(loaded.latencies).sort(), 99);
    const resets = idle.resets + loaded.resets + drained.resets + paying.resets;
    print(
      `target: read p99 under load < ${TARGET_P99_MS} ms, no reset — ${p99 < TARGET_P99_MS && resets === 0 ? 'met' : 'NOT met'}`,
    );
  } finally {
    disarm();
    await cleanup();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
