import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Client } from 'graphql-ws';
import { postGraphql, wsClient } from '../test/support/clients.js';
import { startServerProcess, type ServerProcess } from './api-server.js';
import { adminUrl, createBenchDatabase, fmtMs, print, watchdog, type BenchDatabase } from './support.js';

// npx tsx bench/fanout-stall.ts — how long a trivial HTTP query waits while one status
// change fans out to thousands of distinct subscriptions. The server runs as a process of
// its own (`src/main.ts serve`, PostgreSQL from DATABASE_URL, loopback only; logging at
// warn, so no line per request goes down a pipe this busy process reads late); this process
// holds SOCKETS graphql-ws sockets of PER_SOCKET subscriptions each, every one a document
// of its own (a distinct alias), so no two share an execution and each reads its order.
// A worker thread, with an event loop of its own, sends `{ __typename }` every PROBE_MS
// whatever happened to the previous one, and times each answer. BENCH_SOCKETS,
// BENCH_PER_SOCKET and BENCH_CHANGES vary the run.

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 50);
const PER_SOCKET = Number(process.env.BENCH_PER_SOCKET ?? 100);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 5);
const PROBE_MS = 5;
/** Quiet time around each change, so one fan-out is measured at a time. */
const GAP_MS = 1_500;
const USER = 'u-fan';

const document = (i: number) => `subscription { s${i}: orderStatusChanged(userId: "${USER}") {
  orderId to position order { id status totalAmount items { productId quantity lineTotal } }
} }`;

const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const latencies = [];
let timer;
parentPort.on('message', (message) => {
  if (message === 'start') {
    latencies.length = 0;
    timer = setInterval(() => {
      const sent = performance.now();
      fetch(workerData.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })
        .then((r) => r.text()).then(() => latencies.push(performance.now() - sent), () => latencies.push(Infinity));
    }, workerData.everyMs);
  } else {
    clearInterval(timer);
    // Let the ones in flight land.
    setTimeout(() => parentPort.postMessage(latencies.slice()), 3000);
  }
});`;

class Probe {
  private readonly worker: Worker;
  constructor(url: string) {
    this.worker = new Worker(PROBE, { eval: true, workerData: { url, everyMs: PROBE_MS } });
  }
  start(): void {
    this.worker.postMessage('start');
  }
  stop(): Promise<number[]> {
    const answer = new Promise<number[]>((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage('stop');
    return answer;
  }
  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

function summary(latencies: number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `n=${sorted.length} p50 ${fmtMs(at(0.5))} ms, p99 ${fmtMs(at(0.99))} ms, max ${fmtMs(sorted.at(-1)!)} ms`;
}

async function main(): Promise<void> {
  const admin = adminUrl();
  let bench: BenchDatabase | undefined;
  let server: ServerProcess | undefined;
  let probe: Probe | undefined;
  const clients: Client[] = [];
  const cleanup = async () => {
    await probe?.terminate();
    await Promise.all(clients.map((c) => c.dispose()));
    await server?.stop();
    await bench?.dispose();
  };
  const disarm = watchdog(600_000, cleanup);
  try {
    bench = await createBenchDatabase(admin, 'ledgerline_bench_fanout_stall', 2);
    server = await startServerProcess({ DATABASE_URL: bench.url }, [], 60_000);
    const wsUrl = server.url.replace(/^http/, 'ws');
    const total = SOCKETS * PER_SOCKET;
    print(
      `${SOCKETS} sockets × ${PER_SOCKET} distinct subscriptions = ${total}; ${CHANGES} changes ${GAP_MS} ms apart; probe every ${PROBE_MS} ms`,
    );

    // Every subscription counts what it received; the fan-out of a change ends with its last.
    const received = new Map<string, number>();
    const finished = new Map<string, number>();
    let errors = 0;
    for (let s = 0; s < SOCKETS; s++) {
      const client = wsClient(wsUrl);
      clients.push(client);
      for (let k = 0; k < PER_SOCKET; k++) {
        const i = s * PER_SOCKET + k;
        client.subscribe<Record<string, { orderId: string }>>(
          { query: document(i) },
          {
            next: (result) => {
              if (result.errors) errors++;
              const orderId = result.data?.[`s${i}`]?.orderId;
              if (orderId === undefined) return;
              const n = (received.get(orderId) ?? 0) + 1;
              received.set(orderId, n);
              if (n === total) finished.set(orderId, performance.now());
            },
            error: () => {
              errors++;
            },
            complete: () => {},
          },
        );
      }
    }

    const create = async (id: string) => {
      const started = performance.now();
      const result = await postGraphql(
        server!.url,
        'mutation($i: CreateOrderInput!) { createOrder(input: $i) { __typename } }',
        {
          i: { id, userId: USER, items: [{ productId: 'p-1', quantity: 1, price: '1.00' }] },
        },
      );
      if (result.data?.createOrder?.__typename !== 'CreateOrderSuccess')
        throw new Error(`createOrder: ${JSON.stringify(result)}`);
      return started;
    };
    const delivered = async (id: string, timeoutMs: number) => {
      const deadline = performance.now() + timeoutMs;
      while (!finished.has(id)) {
        if (performance.now() > deadline)
          throw new Error(`${id}: ${received.get(id) ?? 0} of ${total} delivered`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };

    // Subscriptions are attached when a change reaches them all; until then, warm-ups.
    for (let w = 0; ; w++) {
      const id = `o-warm-${w}`;
      await create(id);
      const ok = await delivered(id, 10_000).then(
        () => true,
        () => false,
      );
      if (ok) break;
      if (w >= 10) throw new Error('the subscriptions never all received a change');
    }
    await new Promise((resolve) => setTimeout(resolve, GAP_MS));

    probe = new Probe(server.url);
    probe.start();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    print(`idle:             ${summary(await probe.stop())}`);

    const fanOuts: number[] = [];
    probe.start();
    for (let c = 0; c < CHANGES; c++) {
      await new Promise((resolve) => setTimeout(resolve, GAP_MS));
      const id = `o-fan-${c}`;
      const started = await create(id);
      await delivered(id, 60_000);
      fanOuts.push(finished.get(id)! - started);
    }
    await new Promise((resolve) => setTimeout(resolve, GAP_MS));
    print(`during fan-outs:  ${summary(await probe.stop())}`);
    print(`fan-out (mutation sent → last of ${total} received): ${fanOuts.map(fmtMs).join(', ')} ms`);
    if (errors > 0) print(`subscription errors: ${errors}`);
    disarm();
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
